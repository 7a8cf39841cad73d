import type { Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';

/** `GET /metrics`: Prometheus text format. Counts and latencies only, never an identifier or value. */
export function useMetricsEndpoint(registry: Registry, path = '/metrics'): Plugin {
  return {
    async onRequest({ url, endResponse }) {
      if (url.pathname !== path) return;
      endResponse(new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } }));
    },
  };
}
