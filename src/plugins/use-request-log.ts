import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayContext } from '../context.js';
import { requestIdOf } from '../request-meta.js';

/** One executed operation as the access log shows it: no document, no variables, no value. */
interface LoggedOperation {
  readonly name: string | null;
  readonly type: string | null;
  /** Values decided, by `DECISION:REASON` (e.g. `ALLOW:none`, `REDACT:CONSENT`). */
  readonly decisions: Record<string, number>;
  readonly redactions: number;
}

interface Executed {
  readonly context: GatewayContext;
  readonly name: string | null;
  readonly type: string | null;
}

// A GraphQL name is [_A-Za-z][_0-9A-Za-z]*; bounded so a client cannot make log lines large.
const nameOf = (name: string | undefined): string | null => (name ? name.slice(0, 64) : null);

export interface RequestLogOptions {
  /**
   * The paths the gateway serves, logged as they are; one ending in `/*` stands for every path
   * under it (logged as that pattern). Any other path is logged as `other`: it is text a client
   * chose. Default: `/graphql` alone.
   */
  paths?: readonly string[];
}

/** The path as the log names it: one the gateway serves, a pattern of them, or `other`. */
function routeNamer(paths: readonly string[]): (pathname: string) => string {
  const exact = new Set(paths.filter((p) => !p.endsWith('/*')));
  const under = paths.filter((p) => p.endsWith('/*')).map((p) => p.slice(0, -1));
  return (pathname) => (exact.has(pathname) ? pathname : (under.find((prefix) => pathname.startsWith(prefix))?.concat('*') ?? 'other'));
}

/**
 * One access-log line per request at info, and the request id echoed as `X-Request-Id`: method,
 * path (one the gateway serves, never text a client chose, nor the query string, which can carry
 * a document or variables), status, duration, and
 * per executed operation its name and type and how many values were decided for which reason.
 * Never a header, a body, a field path, an identifier of a subject or a value.
 */
export function useRequestLog(logger: Logger, options: RequestLogOptions = {}): Plugin<GatewayContext> {
  const routeOf = routeNamer(options.paths ?? ['/graphql']);
  const started = new WeakMap<Request, number>();
  // Batched requests execute several operations for one Request.
  const executed = new WeakMap<Request, Executed[]>();
  return {
    onRequest({ request }) {
      started.set(request, performance.now());
    },
    onExecute({ args }) {
      const context = args.contextValue as GatewayContext & { request?: Request };
      const request = context.request;
      if (!request) return;
      const operation = getOperationAST(args.document, args.operationName);
      const entry: Executed = { context, name: nameOf(operation?.name?.value), type: operation?.operation ?? null };
      const list = executed.get(request);
      if (list) list.push(entry);
      else executed.set(request, [entry]);
    },
    onResponse({ request, response }) {
      const requestId = requestIdOf(request);
      response.headers.set('x-request-id', requestId);
      const began = started.get(request);
      const path = routeOf(new URL(request.url).pathname);
      const operations = executed.get(request)?.map(logged);
      logger.info(
        { requestId, method: request.method, path, status: response.status, durationMs: began === undefined ? null : Math.round((performance.now() - began) * 10) / 10, ...(operations ? { operations } : {}) },
        'request',
      );
    },
  };
}

function logged({ context, name, type }: Executed): LoggedOperation {
  return { name, type, decisions: Object.fromEntries(context.governance.tally()), redactions: context.governance.redactions.length };
}
