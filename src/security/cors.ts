import type { CORSOptions, Plugin } from 'graphql-yoga';

/** Request headers the gateway reads; a listed origin may send them. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'x-purpose', 'x-request-id', 'x-mip-opt-out'];
/** Response headers a listed origin's script may read. */
const EXPOSED_HEADERS = ['x-request-id', 'retry-after'];

/**
 * Yoga's `cors` option for an allow-list of exact origins (CORS_ORIGINS). A listed origin gets
 * itself back in Access-Control-Allow-Origin; any other origin, and every origin when the list is
 * empty, gets no CORS headers at all, so the browser keeps the response from it. Never
 * credentials: callers authenticate with a bearer token, and the gateway sets no cookies.
 */
export function corsPolicy(origins: readonly string[]): (request: Request) => CORSOptions {
  const allowed = new Set(origins);
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !allowed.has(origin)) return false;
    return { origin, methods: ['GET', 'POST'], allowedHeaders: ALLOWED_HEADERS, exposedHeaders: EXPOSED_HEADERS, credentials: false, maxAge: 600 };
  };
}

/** With an allow-list, CORS headers depend on the request's Origin: every response says so to caches. */
export function useVaryOnOrigin(): Plugin {
  return {
    onResponse({ response }) {
      const vary = response.headers.get('vary');
      if (!vary?.split(',').some((name) => name.trim().toLowerCase() === 'origin')) response.headers.set('vary', vary ? `${vary}, Origin` : 'Origin');
    },
  };
}
