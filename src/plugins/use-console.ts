import { fileURLToPath } from 'node:url';
import type { Plugin } from 'graphql-yoga';
import { fromThisMachine } from '../request-meta.js';
import { loadStaticFiles } from './static-files.js';

/** Where `npm run build:console` writes the console (vite's outDir). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/** A demo user's token as the development role picker lists it. */
export interface ConsoleDevToken {
  readonly subject: string;
  readonly tenant: string;
  readonly roles: readonly string[];
  readonly token: string;
}

export interface ConsoleOptions {
  /** The built console. Default: DEFAULT_CONSOLE_DIR (console/dist of the install). */
  root?: string;
  /** URL path it is served under. Default '/console'. */
  path?: string;
  /**
   * Development only: signs short-lived demo tokens for `GET <path>/dev-tokens` (the role picker).
   * Unset (the default, and always outside development keys with demo data): that path is a 404.
   */
  devTokens?: () => Promise<readonly ConsoleDevToken[]>;
}

/**
 * The console is a script that holds a bearer token: nothing but its own files may run or be
 * fetched, no page may frame it (clickjacking), and nothing is sniffed into another type.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const respond = (status: number, body: BodyInit | null, headers: Record<string, string>): Response =>
  new Response(body, { status, headers: { ...SECURITY_HEADERS, ...headers } });

const notFound = (): Response => respond(404, 'not found', { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });

/**
 * Serves the compliance console's static files under `/console` (GET and HEAD only), from a map
 * of the build directory read once at start-up, with a strict Content-Security-Policy; anything
 * else under the path is a 404. Vite fingerprints the files under `assets/`: they are cached for
 * a year, the rest revalidated.
 */
export function useConsole(options: ConsoleOptions = {}): Plugin {
  const path = options.path ?? '/console';
  const files = loadStaticFiles(options.root ?? DEFAULT_CONSOLE_DIR);
  const { devTokens } = options;
  return {
    async onRequest({ request, url, serverContext, endResponse }) {
      if (url.pathname !== path && !url.pathname.startsWith(`${path}/`)) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return endResponse(respond(405, 'method not allowed', { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }));
      }
      const key = url.pathname.slice(path.length + 1) || 'index.html';
      if (key === 'dev-tokens') {
        if (!devTokens || !fromThisMachine(request, serverContext)) return endResponse(notFound());
        const tokens = await devTokens();
        return endResponse(respond(200, request.method === 'HEAD' ? null : JSON.stringify({ tokens }), { 'content-type': 'application/json', 'cache-control': 'no-store' }));
      }
      const file = files.get(key);
      if (!file) {
        if (key === 'index.html') {
          return endResponse(respond(503, 'the console is not built: run npm run build:console', { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }));
        }
        return endResponse(notFound());
      }
      const cache = key.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      endResponse(
        respond(200, request.method === 'HEAD' ? null : file.body, { 'content-type': file.type, 'content-length': String(file.body.byteLength), 'cache-control': cache }),
      );
    },
  };
}
