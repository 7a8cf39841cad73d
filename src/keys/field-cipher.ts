import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Stored ciphertexts start with this: `gg1.<base64url(nonce | ciphertext | tag)>`. */
export const CIPHERTEXT_PREFIX = 'gg1.';
const NONCE = 12;
const TAG = 16;

export const isCiphertext = (value: unknown): value is string => typeof value === 'string' && value.startsWith(CIPHERTEXT_PREFIX);

/**
 * Where a value belongs: its tenant, owner, field and record, bound into the ciphertext (GCM
 * additional data), so a ciphertext copied onto another record or field does not decrypt.
 */
export interface FieldPlace {
  readonly tenant: string;
  readonly owner: string;
  /** `collection.path`, e.g. `messages.content`. */
  readonly field: string;
  readonly recordId: string;
}

const aadOf = (place: FieldPlace): Buffer => Buffer.from(JSON.stringify(['field:v1', place.tenant, place.owner, place.field, place.recordId]), 'utf8');

/** AES-256-GCM under the owner's data key. */
export function encryptField(dataKey: Uint8Array, place: FieldPlace, plaintext: string): string {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', dataKey, nonce);
  cipher.setAAD(aadOf(place));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return CIPHERTEXT_PREFIX + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
}

/** The plaintext, or null when the value is not a ciphertext of this place under this key. Never throws. */
export function decryptField(dataKey: Uint8Array, place: FieldPlace, stored: string): string | null {
  if (!isCiphertext(stored)) return null;
  try {
    const bytes = Buffer.from(stored.slice(CIPHERTEXT_PREFIX.length), 'base64url');
    if (bytes.length < NONCE + TAG) return null;
    const decipher = createDecipheriv('aes-256-gcm', dataKey, bytes.subarray(0, NONCE));
    decipher.setAAD(aadOf(place));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG));
    return Buffer.concat([decipher.update(bytes.subarray(NONCE, bytes.length - TAG)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** The longest stored ciphertext of a plaintext of at most `chars` characters (UTF-8: up to 4 bytes each). */
export const encryptedMaxLength = (chars: number): number => CIPHERTEXT_PREFIX.length + Math.ceil(((chars * 4 + NONCE + TAG) * 4) / 3);
