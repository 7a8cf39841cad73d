import { createHmac } from 'node:crypto';

/**
 * Keyed pseudonyms (HMAC-SHA-256): stable within a tenant, so joins and counts still work, but
 * unlinkable across tenants and irreversible without the key.
 */
export interface Pseudonymizer {
  pseudonym(tenant: string, value: string): string;
}

export function createPseudonymizer(secret: Buffer): Pseudonymizer {
  const tenantKeys = new Map<string, Buffer>();
  const keyFor = (tenant: string): Buffer => {
    let key = tenantKeys.get(tenant);
    if (!key) {
      key = createHmac('sha256', secret).update(`govgate/pseudonym/v1/${tenant}`).digest();
      tenantKeys.set(tenant, key);
    }
    return key;
  };
  return {
    pseudonym: (tenant, value) => `h_${createHmac('sha256', keyFor(tenant)).update(value).digest('base64url').slice(0, 22)}`,
  };
}
