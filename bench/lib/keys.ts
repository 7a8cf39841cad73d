/**
 * Key material of a bench run, written to a temporary directory: the token issuer's ES256 key
 * (its public half as the JWKS file every variant trusts), the audit signing key (a private JWK
 * with kid, as production's AUDIT_SIGNING_KEY), a pseudonym secret, the state seal key (the
 * data set is sealed with it, and the gateway verifies with it), and the master key file
 * (MASTER_KEY_FILE: it wraps the subject data keys the data set's content is encrypted under, so
 * every variant can open what the loader wrote).
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { signToken, type TokenClaims } from '../../src/auth/index.js';
import { MASTER_KEY_BYTES } from '../../src/keys/index.js';

export const BENCH_ISSUER = 'https://issuer.bench.govgate.test';
export const BENCH_AUDIENCE = 'govgate-bench';

export interface BenchKeys {
  readonly jwksFile: string;
  readonly auditKeyFile: string;
  readonly pseudonymSecret: string;
  readonly stateSealKey: string;
  /** MASTER_KEY_FILE: 32 random bytes as hex, mode 0600. */
  readonly masterKeyFile: string;
  /** The same key as bytes, for the loader's own key store. */
  readonly masterKey: Buffer;
  token(claims: TokenClaims): Promise<string>;
}

export async function createBenchKeys(dir: string): Promise<BenchKeys> {
  const alg = 'ES256';
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `bench-${alg}-${randomBytes(3).toString('hex')}`;
  const jwksFile = join(dir, 'jwks.json');
  await writeFile(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }] }));

  const audit = await generateKeyPair('EdDSA', { extractable: true });
  const auditKeyFile = join(dir, 'audit-signing-key.json');
  await writeFile(auditKeyFile, JSON.stringify({ ...(await exportJWK(audit.privateKey)), alg: 'EdDSA', kid: `bench-audit-${randomBytes(3).toString('hex')}` }), { mode: 0o600 });

  const masterKey = randomBytes(MASTER_KEY_BYTES);
  const masterKeyFile = join(dir, 'master.key');
  await writeFile(masterKeyFile, `${masterKey.toString('hex')}\n`, { mode: 0o600 });

  const key: CryptoKey = privateKey;
  return {
    jwksFile,
    auditKeyFile,
    pseudonymSecret: randomBytes(32).toString('hex'),
    stateSealKey: randomBytes(32).toString('hex'),
    masterKeyFile,
    masterKey,
    // Long enough for the longest run; every variant verifies the same token on every request.
    token: (claims) => signToken(claims, { key, kid, alg, issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE, expiresIn: '12h' }),
  };
}
