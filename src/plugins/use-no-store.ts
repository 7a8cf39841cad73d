import type { Plugin } from 'graphql-yoga';

/**
 * A response that does not say how it may be cached is `no-store`: a GraphQL answer may carry
 * personal data, and every read of it must reach the gateway and its audit log, not a copy kept
 * by a browser or a proxy. What may be cached (the console's files, the public keys) says so.
 */
export function useNoStore(): Plugin {
  return {
    onResponse({ response }) {
      if (!response.headers.has('cache-control')) response.headers.set('cache-control', 'no-store');
    },
  };
}
