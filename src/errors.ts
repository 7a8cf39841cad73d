import { GraphQLError, type GraphQLErrorOptions } from 'graphql';

/** Stable error codes; clients and acceptance checks match on these (API.md). */
export const ERROR_CODES = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PURPOSE_NOT_ALLOWED: 403,
  BAD_USER_INPUT: 400,
  AGE_RESTRICTED: 403,
  AUDIT_UNAVAILABLE: 503,
  AUTH_UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  QUERY_LIMIT_EXCEEDED: 400,
  /** The document is not valid GraphQL syntax (the message names the location only). */
  GRAPHQL_PARSE_FAILED: 400,
  /** The document does not fit the schema (the message names schema and document names only). */
  GRAPHQL_VALIDATION_FAILED: 400,
  PERSISTED_QUERY_NOT_FOUND: 400,
  PERSISTED_QUERY_ONLY: 400,
  INTERNAL_SERVER_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface GovgateErrorOptions {
  /** HTTP status for the whole response when this error ends the request. Default: per code. */
  status?: number;
  /** Kept for logs only; never sent to the client. */
  cause?: unknown;
  /** Extra, safe, client-visible extensions. */
  extensions?: Record<string, unknown>;
  /** Where in the document or the response the error applies (locations and path). Default: nowhere. */
  at?: Pick<GraphQLErrorOptions, 'nodes' | 'source' | 'positions' | 'path'>;
}

/**
 * The one error base class. It is a GraphQLError so Yoga passes its message and code through
 * unmasked; anything else thrown is masked as INTERNAL_SERVER_ERROR.
 */
export class GovgateError extends GraphQLError {
  readonly code: ErrorCode;
  readonly status: number;
  /** The underlying failure, for logs only. Not `originalError`: Yoga would mask the whole error. */
  declare readonly internalCause: unknown;

  constructor(code: ErrorCode, message: string, options: GovgateErrorOptions = {}) {
    const status = options.status ?? ERROR_CODES[code];
    super(message, {
      ...options.at,
      extensions: { ...options.extensions, code, http: { ...(options.extensions?.http as object | undefined), status } },
    });
    Object.defineProperty(this, 'internalCause', { value: options.cause, enumerable: false });
    this.name = 'GovgateError';
    this.code = code;
    this.status = status;
  }
}

export const isGovgateError = (error: unknown): error is GovgateError => error instanceof GovgateError;

/** Where an error applies (its locations and path), to rebuild it without the rest. */
export const whereOf = (error: GraphQLError): NonNullable<GovgateErrorOptions['at']> => ({
  ...(error.nodes ? { nodes: error.nodes } : {}),
  ...(error.source ? { source: error.source } : {}),
  ...(error.positions ? { positions: error.positions } : {}),
  ...(error.path ? { path: error.path } : {}),
});
