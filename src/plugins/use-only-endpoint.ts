import type { Plugin } from 'graphql-yoga';

/**
 * Everything the plugins before this one did not serve is either the GraphQL endpoint, exactly,
 * or a 404. Yoga on its own also takes any URL ending in `/graphql` or `/graphql/` (`//graphql`,
 * `/any/graphql`, `/x?y=/graphql`) for the endpoint, while admission (token, rate limit, purpose)
 * matches the exact path: such a request would be read, parsed and validated without having been
 * admitted. Put it after the last plugin that serves a path of its own.
 */
export function useOnlyEndpoint(endpoint = '/graphql'): Plugin {
  return {
    onRequest({ url, endResponse }) {
      if (url.pathname !== endpoint) endResponse(new Response(null, { status: 404 }));
    },
  };
}
