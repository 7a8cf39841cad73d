import { GraphQLError } from 'graphql';

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
      extensions: { ...options.extensions, code, http: { ...(options.extensions?.http as object | undefined), status } },
    });
    Object.defineProperty(this, 'internalCause', { value: options.cause, enumerable: false });
    this.name = 'GovgateError';
    this.code = code;
    this.status = status;
  }
}

export const isGovgateError = (error: unknown): error is GovgateError => error instanceof GovgateError;
