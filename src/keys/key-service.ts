import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Wraps and unwraps subject data keys. The master key never leaves it: in production this is where
 * a key-management service plugs in (`wrap`/`unwrap` become its Encrypt/Decrypt calls).
 * `context` is bound into the wrapping (GCM additional data), so a wrapped key copied onto another
 * subject's record does not unwrap.
 */
export interface KeyService {
  /** A non-secret fingerprint of the master key, stored with every wrapped key. */
  readonly keyId: string;
  wrap(dataKey: Uint8Array, context: string): Promise<string>;
  /** Rejects when the wrapped key was altered, moved to another context, or wrapped under another master key. */
  unwrap(wrapped: string, context: string): Promise<Buffer>;
}

/** AES-256-GCM: 12-byte nonce, 16-byte tag. */
const NONCE = 12;
const TAG = 16;
export const MASTER_KEY_BYTES = 32;

/** A key service over a local 256-bit master key (MASTER_KEY_FILE, or the development key). */
export function localKeyService(masterKey: Uint8Array): KeyService {
  if (masterKey.byteLength !== MASTER_KEY_BYTES) throw new Error(`a master key is exactly ${MASTER_KEY_BYTES} bytes`);
  const key = Buffer.from(masterKey);
  return {
    keyId: createHash('sha256').update('govgate master key id').update(key).digest('hex').slice(0, 16),
    async wrap(dataKey, context) {
      const nonce = randomBytes(NONCE);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(`wrap:v1:${context}`, 'utf8'));
      const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
      return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
    },
    async unwrap(wrapped, context) {
      const bytes = Buffer.from(wrapped, 'base64url');
      if (bytes.length <= NONCE + TAG) throw new Error('wrapped key is malformed');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE));
      decipher.setAAD(Buffer.from(`wrap:v1:${context}`, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG));
      return Buffer.concat([decipher.update(bytes.subarray(NONCE, bytes.length - TAG)), decipher.final()]);
    },
  };
}
