import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPrivateKey, sign as cryptoSign, type JsonWebKey } from 'node:crypto';
import { compactVerify, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import type { GatewayConfig } from '../config.js';

/** Algorithms accepted for audit signatures: asymmetric only. */
export const AUDIT_ALGORITHMS = ['EdDSA', 'ES256', 'RS256'] as const;

/** The key that signs tree heads and evidence. Its private half never leaves configuration. */
export interface AuditSigner {
  readonly kid: string;
  readonly alg: string;
  readonly publicJwk: JWK;
  sign(payload: unknown, typ: string): Promise<string>;
}

/**
 * The audit trust root: the signing key and every public key that may verify an audit signature.
 * Both come from configuration (files), never from the database, so a database writer can neither
 * add a key nor make the gateway publish one.
 */
export interface AuditKeys {
  readonly signer: AuditSigner;
  /** What /.well-known/jwks.json publishes: the signing key and the configured earlier keys. */
  readonly jwks: JSONWebKeySet;
  /** Resolves a `kid` to one of those keys only. */
  readonly keySet: JWTVerifyGetKey;
}

const DEFAULT_ALG = 'EdDSA';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

export class AuditKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditKeyError';
  }
}

const isAlgorithm = (alg: string): boolean => (AUDIT_ALGORITHMS as readonly string[]).includes(alg);

function publicOf(jwk: JWK, alg: string, kid: string): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  return { ...(copy as JWK), use: 'sig', alg, kid };
}

async function signerFromJwk(privateJwk: JWK, origin: string): Promise<AuditSigner> {
  const alg = privateJwk.alg ?? DEFAULT_ALG;
  const kid = privateJwk.kid;
  if (!kid) throw new AuditKeyError(`${origin}: the JWK needs a kid`);
  if (!privateJwk.d) throw new AuditKeyError(`${origin}: the JWK must be a private key`);
  if (!isAlgorithm(alg)) throw new AuditKeyError(`${origin}: alg must be one of ${AUDIT_ALGORITHMS.join(', ')}`);
  // jose checks the key is usable for the algorithm (and refuses what is not)...
  await importJWK(privateJwk, alg);
  // ...but signs through WebCrypto, a thread-pool hop per signature, and every audit write signs a
  // tree head: node:crypto signs synchronously, about three times cheaper. The output is an
  // ordinary compact JWS (RFC 7515) that jose verifies (test/audit/signing-algorithms.test.ts).
  const key = createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' });
  const dsaEncoding = alg === 'ES256' ? 'ieee-p1363' : undefined;
  const digest = alg === 'EdDSA' ? null : 'sha256';
  const publicJwk = publicOf(privateJwk, alg, kid);
  const signer: AuditSigner = Object.freeze({
    kid,
    alg,
    publicJwk,
    sign: async (payload: unknown, typ: string) => {
      const signingInput = `${Buffer.from(JSON.stringify({ alg, kid, typ })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      const signature = cryptoSign(digest, Buffer.from(signingInput), dsaEncoding ? { key, dsaEncoding } : key);
      return `${signingInput}.${signature.toString('base64url')}`;
    },
  });
  // node:crypto signs with keys jose refuses to verify (RSA below 2048 bits) and does not check
  // that the private half matches the published one: a signer whose own output its verifiers reject
  // would write an audit nobody can check, so it does not start.
  try {
    await compactVerify(await signer.sign({ probe: kid }, 'govgate-key-probe'), await importJWK(publicJwk, alg), { algorithms: [alg] });
  } catch (error) {
    throw new AuditKeyError(`${origin}: what the key signs does not verify with its public key (${(error as Error).message})`);
  }
  return signer;
}

async function generate(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(DEFAULT_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg: DEFAULT_ALG, kid: `audit-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 8)}` };
}

async function readJson(file: string, what: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    throw new AuditKeyError(`${what}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'invalid JSON'})`);
  }
}

/** AUDIT_VERIFY_KEYS: public keys of earlier signing keys, kept so what they signed still verifies. */
async function earlierKeys(file: string | undefined): Promise<JWK[]> {
  if (!file) return [];
  const set = (await readJson(file, 'AUDIT_VERIFY_KEYS')) as Partial<JSONWebKeySet>;
  if (!Array.isArray(set.keys)) throw new AuditKeyError('AUDIT_VERIFY_KEYS: expected a JWKS ({ "keys": [...] })');
  return set.keys.map((key, i) => {
    const alg = key.alg ?? '';
    if (!key.kid) throw new AuditKeyError(`AUDIT_VERIFY_KEYS: key ${i} has no kid`);
    if (!isAlgorithm(alg)) throw new AuditKeyError(`AUDIT_VERIFY_KEYS: key ${key.kid} needs alg ${AUDIT_ALGORITHMS.join(', ')}`);
    if (PRIVATE_MEMBERS.some((m) => m in key)) throw new AuditKeyError(`AUDIT_VERIFY_KEYS: key ${key.kid} is a private key; publish public keys only`);
    return publicOf(key, alg, key.kid);
  });
}

/** The development key, kept in the state directory so evidence verifies across restarts. */
async function developmentKey(stateDir: string): Promise<JWK> {
  const file = join(stateDir, 'audit-signing-key.json');
  try {
    return ((await readJson(file, 'development audit key')) as { privateJwk: JWK }).privateJwk;
  } catch (error) {
    if (!(error instanceof AuditKeyError) || !error.message.includes('ENOENT')) throw error;
  }
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const privateJwk = await generate();
  try {
    await writeFile(file, JSON.stringify({ privateJwk }), { mode: 0o600, flag: 'wx' });
    return privateJwk;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return ((await readJson(file, 'development audit key')) as { privateJwk: JWK }).privateJwk;
  }
}

/**
 * AUDIT_SIGNING_KEY (a private JWK file) and AUDIT_VERIFY_KEYS (a JWKS file of earlier public keys)
 * when configured; in development a key kept in the state directory; in tests a fresh key per gateway.
 */
export async function loadAuditKeys(config: GatewayConfig): Promise<AuditKeys> {
  const { signingKeyFile, verifyKeysFile } = config.audit;
  const privateJwk = signingKeyFile
    ? ((await readJson(signingKeyFile, 'AUDIT_SIGNING_KEY')) as JWK)
    : config.env === 'test'
      ? await generate()
      : await developmentKey(config.stateDir);
  const signer = await signerFromJwk(privateJwk, signingKeyFile ? 'AUDIT_SIGNING_KEY' : 'audit key');
  const earlier = (await earlierKeys(verifyKeysFile)).filter((k) => k.kid !== signer.kid);
  const jwks: JSONWebKeySet = Object.freeze({ keys: [signer.publicJwk, ...earlier] });
  return Object.freeze({ signer, jwks, keySet: createLocalJWKSet(jwks) });
}
