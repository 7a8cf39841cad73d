/**
 * Real signed tokens for tests: an issuer with its own key pair, published as a JWKS file the
 * gateway is configured with (the production path, not development keys).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { signToken, type TokenClaims } from '../../src/auth/index.js';

export const TEST_ISSUER = 'https://issuer.govgate.test';
export const TEST_AUDIENCE = 'govgate-test';

export interface TestIssuer {
  readonly jwksFile: string;
  readonly publicJwk: JWK;
  readonly privateKey: CryptoKey;
  readonly kid: string;
  token(claims: TokenClaims, options?: { expiresIn?: string | number; issuer?: string; audience?: string }): Promise<string>;
}

export async function createTestIssuer(alg: 'EdDSA' | 'ES256' | 'RS256' = 'ES256'): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `test-${alg}-${Math.random().toString(36).slice(2, 8)}`;
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const dir = await mkdtemp(join(tmpdir(), 'govgate-jwks-'));
  const jwksFile = join(dir, 'jwks.json');
  await writeFile(jwksFile, JSON.stringify({ keys: [publicJwk] }));
  return {
    jwksFile,
    publicJwk,
    privateKey,
    kid,
    token: (claims, options = {}) =>
      signToken(claims, {
        key: privateKey,
        kid,
        alg,
        issuer: options.issuer ?? TEST_ISSUER,
        audience: options.audience ?? TEST_AUDIENCE,
        expiresIn: options.expiresIn ?? '10m',
      }),
  };
}
