import { errors } from 'jose';
import { GovgateError } from '../errors.js';

/**
 * Every jose error code, mapped explicitly to a safe message. The message tells the client what
 * to fix without revealing which keys exist or how verification is configured.
 */
const messages: Record<string, string> = {
  ERR_JWT_EXPIRED: 'token expired',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'token claims rejected',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'token signature invalid',
  ERR_JWKS_NO_MATCHING_KEY: 'token signed by an unknown key',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'token signed by an unknown key',
  ERR_JOSE_ALG_NOT_ALLOWED: 'token algorithm not allowed',
  ERR_JOSE_NOT_SUPPORTED: 'token algorithm not allowed',
  ERR_JWS_INVALID: 'token malformed',
  ERR_JWT_INVALID: 'token malformed',
  ERR_JWE_INVALID: 'token malformed',
  ERR_JWE_DECRYPTION_FAILED: 'token malformed',
  ERR_JWK_INVALID: 'token signed by an unknown key',
  ERR_JWKS_INVALID: 'token keys unavailable',
  ERR_JOSE_GENERIC: 'token rejected',
};

export function unauthenticated(message: string, cause?: unknown): GovgateError {
  return new GovgateError('UNAUTHENTICATED', message, { cause });
}

/** The key server is away: not the caller's fault, and not an authentication failure. */
const keysUnavailable = (cause: unknown): GovgateError =>
  new GovgateError('AUTH_UNAVAILABLE', 'token keys are unavailable; try again later', { cause });

export function mapJoseError(error: unknown): GovgateError {
  if (error instanceof errors.JWKSTimeout) return keysUnavailable(error);
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) return keysUnavailable(error);
  if (error instanceof errors.JOSEError) {
    return unauthenticated(messages[error.code] ?? 'token rejected', error);
  }
  if (error instanceof GovgateError) return error;
  // jose throws TypeError for inputs it cannot parse at all (e.g. bad base64url); still the caller's fault.
  return unauthenticated('token malformed', error);
}
