// The compliance console: static files the gateway serves at /console (src/plugins/use-console.ts).
// Everything is bundled and nothing is inlined or fetched from elsewhere, so the page runs under
// `default-src 'self'` with no internet.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // A data: URI would need img-src data: in the CSP.
    assetsInlineLimit: 0,
    // The polyfill is not needed by the browsers that run ES2022 modules.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
