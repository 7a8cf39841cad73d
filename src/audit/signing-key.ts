import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompactSign, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { GatewayConfig } from '../config.js';

/** The key that signs checkpoints and evidence; its public half is published at /.well-known/jwks.json. */
export interface AuditSigner {
  readonly kid: string;
  readonly alg: string;
  readonly publicJwk: JWK;
  sign(payload: unknown, typ: string): Promise<string>;
}

interface StoredKey {
  privateJwk: JWK;
}

const DEFAULT_ALG = 'EdDSA';

async function signerFromJwk(privateJwk: JWK): Promise<AuditSigner> {
  const alg = privateJwk.alg ?? DEFAULT_ALG;
  const kid = privateJwk.kid;
  if (!kid) throw new Error('AUDIT_SIGNING_KEY: the JWK needs a kid');
  if (!privateJwk.d) throw new Error('AUDIT_SIGNING_KEY: the JWK must be a private key');
  const key = (await importJWK(privateJwk, alg)) as CryptoKey;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
  const encoder = new TextEncoder();
  return Object.freeze({
    kid,
    alg,
    publicJwk: { ...publicJwk, use: 'sig', alg, kid },
    sign: (payload: unknown, typ: string) =>
      new CompactSign(encoder.encode(JSON.stringify(payload))).setProtectedHeader({ alg, kid, typ }).sign(key),
  });
}

async function generate(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(DEFAULT_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg: DEFAULT_ALG, kid: `audit-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 8)}` };
}

/**
 * AUDIT_SIGNING_KEY (a private JWK file) when configured; in development a key kept in the state
 * directory; in tests a fresh key per gateway.
 */
export async function loadAuditSigner(config: GatewayConfig): Promise<AuditSigner> {
  if (config.audit.signingKeyFile) {
    return signerFromJwk(JSON.parse(await readFile(config.audit.signingKeyFile, 'utf8')) as JWK);
  }
  if (config.env === 'test') return signerFromJwk(await generate());
  const file = join(config.stateDir, 'audit-signing-key.json');
  try {
    return signerFromJwk((JSON.parse(await readFile(file, 'utf8')) as StoredKey).privateJwk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(config.stateDir, { recursive: true, mode: 0o700 });
  const privateJwk = await generate();
  try {
    await writeFile(file, JSON.stringify({ privateJwk } satisfies StoredKey), { mode: 0o600, flag: 'wx' });
    return signerFromJwk(privateJwk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return signerFromJwk((JSON.parse(await readFile(file, 'utf8')) as StoredKey).privateJwk);
  }
}
