import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseMasterKey } from '../../src/keys/master-key.js';
import { decryptField, encryptField, encryptedMaxLength, localKeyService } from '../../src/keys/index.js';

const place = { tenant: 't', owner: 'alice', field: 'messages.content', recordId: 'r1' };

describe('envelope encryption', () => {
  it('unwraps a data key only in the context it was wrapped for, under the same master key', async () => {
    const service = localKeyService(randomBytes(32));
    const dataKey = randomBytes(32);
    const wrapped = await service.wrap(dataKey, 'alice');
    expect(await service.unwrap(wrapped, 'alice')).toEqual(dataKey);
    await expect(service.unwrap(wrapped, 'bob')).rejects.toThrow();
    await expect(localKeyService(randomBytes(32)).unwrap(wrapped, 'alice')).rejects.toThrow();
    const flipped = Buffer.from(wrapped, 'base64url');
    flipped[20]! ^= 1;
    await expect(service.unwrap(flipped.toString('base64url'), 'alice')).rejects.toThrow();
  });

  it('decrypts a field only at its own place under its own key, and fits the model limits', () => {
    const key = randomBytes(32);
    const text = 'é'.repeat(1000);
    const stored = encryptField(key, place, text);
    expect(decryptField(key, place, stored)).toBe(text);
    expect(stored.length).toBeLessThanOrEqual(encryptedMaxLength(1000));
    expect(decryptField(key, { ...place, recordId: 'r2' }, stored)).toBeNull();
    expect(decryptField(key, { ...place, field: 'conversations.title' }, stored)).toBeNull();
    expect(decryptField(randomBytes(32), place, stored)).toBeNull();
    expect(decryptField(key, place, 'plain text')).toBeNull();
    // Two encryptions of one text differ (fresh nonce): equal contents cannot be spotted in the database.
    expect(encryptField(key, place, text)).not.toBe(stored);
  });

  it('reads a master key file as hex or base64 and refuses anything else', () => {
    const key = randomBytes(32);
    expect(parseMasterKey(key.toString('hex'))).toEqual(key);
    expect(parseMasterKey(`${key.toString('base64')}\n`)).toEqual(key);
    expect(parseMasterKey(key.toString('base64url'))).toEqual(key);
    expect(() => parseMasterKey('too short')).toThrow(/MASTER_KEY_FILE/);
  });
});
