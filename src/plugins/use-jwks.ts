import type { Plugin } from 'graphql-yoga';
import type { AuditServices } from '../audit/index.js';

/** `GET /.well-known/jwks.json`: every public key that signed audit checkpoints or evidence. */
export function useJwks(audit: AuditServices, path = '/.well-known/jwks.json'): Plugin {
  return {
    async onRequest({ url, endResponse }) {
      if (url.pathname !== path) return;
      try {
        endResponse(new Response(JSON.stringify(await audit.jwks()), { headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=60' } }));
      } catch {
        endResponse(new Response(JSON.stringify({ error: 'keys unavailable' }), { status: 503, headers: { 'content-type': 'application/json' } }));
      }
    },
  };
}
