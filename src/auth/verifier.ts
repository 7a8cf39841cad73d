import { LRUCache } from 'lru-cache';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config.js';
import { readJsonFile } from '../read-json-file.js';
import { ANONYMOUS, isRole, type AuthenticatedCaller, type Caller } from './caller.js';
import type { DevKeys } from './dev-keys.js';
import { mapJoseError, unauthenticated } from './jose-errors.js';

/** Asymmetric algorithms only (RFC 8725 §3.1): no `none`, no HMAC with a public key. */
export const ALLOWED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
/** Tokens longer than this are rejected before any parsing (header bombs, oversized claims). */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * The claims govgate reads from a verified token, besides the registered ones jose checks (`exp`,
 * `nbf`, `iss`, `aud`). docs/contract.md lists each; reading another one means adding it here.
 */
export const TOKEN_CLAIMS = ['sub', 'tenant', 'roles', 'purposes'] as const;
type TokenClaim = (typeof TOKEN_CLAIMS)[number];

export const idPattern = /^[A-Za-z0-9._:@-]{1,128}$/;

export interface Verifier {
  /** Resolve the Authorization header value (or null) to a Caller; throws UNAUTHENTICATED. */
  authenticate(authorization: string | null): Promise<Caller>;
}

export interface VerifierOptions {
  auth: AuthConfig;
  /** Required in development mode: the generated key pair. */
  devKeys?: DevKeys;
  /** Verified tokens remembered (by their exact text) to skip repeated signature checks. Default 10 000; 0 disables. */
  cacheSize?: number;
  /** Longest a verified token is trusted without re-verifying (a removed key stops working after this), ms. Default 60 000. */
  cacheTtlMs?: number;
}

async function keySetFor({ auth, devKeys }: VerifierOptions): Promise<JWTVerifyGetKey> {
  switch (auth.mode) {
    case 'development':
      if (!devKeys) throw new Error('development auth needs generated dev keys');
      return createLocalJWKSet({ keys: [devKeys.publicJwk] });
    case 'jwks-file': {
      return createLocalJWKSet(readJsonFile('AUTH_JWKS_FILE', auth.jwksFile) as JSONWebKeySet);
    }
    case 'jwks-url':
      // jose caches the set and refetches on an unknown kid (rotation), at most once per cooldown.
      return createRemoteJWKSet(new URL(auth.jwksUrl), { cooldownDuration: auth.cooldownS * 1000, cacheMaxAge: 600_000, timeoutDuration: 5_000 });
  }
}

function toCaller(payload: JWTPayload): AuthenticatedCaller {
  const { sub, tenant, roles, purposes }: Partial<Record<TokenClaim, unknown>> = payload;
  if (typeof sub !== 'string' || !idPattern.test(sub)) throw unauthenticated('token subject missing or invalid');
  // Tenant names starting with "_" are reserved for the gateway's own use.
  if (typeof tenant !== 'string' || !idPattern.test(tenant) || tenant.startsWith('_')) throw unauthenticated('token tenant missing or invalid');
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === 'string'))) {
    throw unauthenticated('token roles must be a string array');
  }
  if (purposes !== undefined && !(Array.isArray(purposes) && purposes.every((p) => typeof p === 'string'))) {
    throw unauthenticated('token purposes must be a string array');
  }
  return Object.freeze({
    authenticated: true as const,
    subject: sub,
    tenant,
    roles: Object.freeze(((roles as string[] | undefined) ?? []).filter(isRole)),
    purposes: purposes ? Object.freeze([...(purposes as string[])]) : null,
  });
}

export async function createVerifier(options: VerifierOptions): Promise<Verifier> {
  const { auth } = options;
  const keys = await keySetFor(options);
  const { issuer, audience } = auth;
  const cacheSize = options.cacheSize ?? 10_000;
  const cacheTtlMs = options.cacheTtlMs ?? 60_000;
  // Only successful verifications are cached, each until min(exp, TTL): a signature is checked
  // once per token and minute instead of once per request.
  const verified = cacheSize > 0 ? new LRUCache<string, { caller: AuthenticatedCaller; until: number }>({ max: cacheSize }) : null;
  return {
    async authenticate(authorization) {
      if (authorization === null || authorization === '') return ANONYMOUS;
      const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization);
      if (!match?.[1]) throw unauthenticated('Authorization must be "Bearer <JWT>"');
      const token = match[1];
      if (token.length > MAX_TOKEN_LENGTH) throw unauthenticated('token too large');
      const hit = verified?.get(token);
      if (hit) {
        if (Date.now() < hit.until) return hit.caller;
        verified?.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, keys, {
          algorithms: [...ALLOWED_ALGORITHMS],
          ...(issuer ? { issuer } : {}),
          ...(audience ? { audience } : {}),
          clockTolerance: auth.clockToleranceS,
          requiredClaims: ['exp', 'sub'],
        });
        const caller = toCaller(payload);
        verified?.set(token, { caller, until: Math.min(Date.now() + cacheTtlMs, (payload.exp ?? 0) * 1000) });
        return caller;
      } catch (error) {
        throw mapJoseError(error);
      }
    },
  };
}
