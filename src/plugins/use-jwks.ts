import type { JSONWebKeySet } from 'jose';
import type { Plugin } from 'graphql-yoga';

/**
 * `GET /.well-known/jwks.json`: the configured audit public keys (the signing key and earlier ones
 * kept for rotation). Built once at start-up from configuration; nothing in the database can add one.
 */
export function useJwks(jwks: JSONWebKeySet, path = '/.well-known/jwks.json'): Plugin {
  const body = JSON.stringify(jwks);
  return {
    onRequest({ url, endResponse }) {
      if (url.pathname !== path) return;
      endResponse(new Response(body, { headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=60' } }));
    },
  };
}
