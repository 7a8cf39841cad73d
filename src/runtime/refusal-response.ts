import type { GovgateError } from '../errors.js';

/**
 * A request refused before Yoga parses it, answered the way Yoga answers errors (GraphQL over HTTP):
 * `{ errors: [{ message, extensions: { code } }] }` with the code's status and headers.
 */
export function refusalResponse(request: Request, error: GovgateError): Response {
  const http = (error.extensions.http ?? {}) as { headers?: Record<string, string> };
  const accept = request.headers.get('accept') ?? '';
  const type = accept.includes('application/graphql-response+json') ? 'application/graphql-response+json' : 'application/json';
  const body = { errors: [{ message: error.message, extensions: { code: error.code } }] };
  return new Response(JSON.stringify(body), { status: error.status, headers: { 'content-type': `${type}; charset=utf-8`, ...http.headers } });
}
