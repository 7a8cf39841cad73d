import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql@16 ships CJS (index.js) and ESM (index.mjs) without an exports map: Node loads the
    // CJS one for Yoga, Vite would pick the ESM one for our sources. One copy, or instanceof fails.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Starts one mongo-java-server for the run unless MONGODB_URI is set; builds the console if it is stale.
    globalSetup: ['test/global-setup.ts', 'test/console-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    // Generous: the first run builds the Java launcher with Maven.
    hookTimeout: 120_000,
  },
});
