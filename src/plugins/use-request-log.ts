import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { requestIdOf } from '../request-meta.js';

/**
 * One access-log line per request at info, and the request id echoed as `X-Request-Id`: method,
 * path (never the query string, which can carry a document or variables), status and duration.
 * Never a header, a body or a value.
 */
export function useRequestLog(logger: Logger): Plugin {
  const started = new WeakMap<Request, number>();
  return {
    onRequest({ request }) {
      started.set(request, performance.now());
    },
    onResponse({ request, response }) {
      const requestId = requestIdOf(request);
      response.headers.set('x-request-id', requestId);
      const began = started.get(request);
      const path = new URL(request.url).pathname;
      logger.info({ requestId, method: request.method, path, status: response.status, durationMs: began === undefined ? null : Math.round((performance.now() - began) * 10) / 10 }, 'request');
    },
  };
}
