import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { signToken, type TokenClaims } from './sign-token.js';

/** Algorithm of generated development keys. */
export const DEV_ALG = 'EdDSA';

export interface DevKeys {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

const fileName = 'dev-auth-key.json';

/**
 * Development only: one key pair kept in the state directory, so the gateway and
 * `npm run token` agree without any setup. Created on first use, mode 0600.
 */
export async function loadOrCreateDevKeys(stateDir: string): Promise<DevKeys> {
  const path = join(stateDir, fileName);
  let stored: StoredKey | undefined;
  try {
    stored = JSON.parse(await readFile(path, 'utf8')) as StoredKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!stored) {
    const { privateKey, publicKey } = await generateKeyPair(DEV_ALG, { extractable: true });
    const kid = `dev-${Date.now().toString(36)}`;
    stored = {
      kid,
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: DEV_ALG, use: 'sig' },
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: DEV_ALG, use: 'sig' },
    };
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    // 'wx' so two processes starting at once cannot overwrite each other's key.
    try {
      await writeFile(path, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return loadOrCreateDevKeys(stateDir);
    }
  }
  const privateKey = (await importJWK(stored.privateJwk, DEV_ALG)) as CryptoKey;
  return Object.freeze({ kid: stored.kid, privateKey, publicJwk: stored.publicJwk });
}

/** Signs a caller token with the development keys, for the development issuer and audience (the start-up banner, GraphiQL, `npm run token`). */
export function signDevToken(claims: TokenClaims, keys: DevKeys, auth: { issuer: string; audience: string }, expiresIn: string): Promise<string> {
  return signToken(claims, { key: keys.privateKey, kid: keys.kid, alg: DEV_ALG, issuer: auth.issuer, audience: auth.audience, expiresIn });
}
