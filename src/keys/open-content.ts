import DataLoader from 'dataloader';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { perRequest } from '../per-request.js';
import { subjectKeysOf } from './connection-keys.js';
import { decryptField, isCiphertext } from './field-cipher.js';
import type { SubjectKey } from './subject-key-store.js';

/** What opening content needs of the request. */
export interface ContentContext {
  readonly connection: Connection;
  readonly logger: Logger;
  readonly requestId: string;
}

/** A stored record with encrypted content: who owns it, and where it is. */
export interface EncryptedRecord {
  readonly _id: string;
  readonly tenant: string;
  readonly owner: string;
}

const keyLoader = perRequest<ContentContext, DataLoader<string, SubjectKey | null>>((ctx) =>
  new DataLoader(async (ids) => {
    // Keys are per (tenant, owner); one query per tenant, usually one per request.
    const byTenant = new Map<string, string[]>();
    for (const id of ids) {
      const [tenant, owner] = JSON.parse(id) as [string, string];
      byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), owner]);
    }
    const store = subjectKeysOf(ctx.connection);
    const found = new Map<string, SubjectKey>();
    await Promise.all([...byTenant].map(async ([tenant, owners]) => {
      for (const [owner, key] of await store.existing(tenant, owners)) found.set(JSON.stringify([tenant, owner]), key);
    }));
    return ids.map((id) => found.get(id) ?? null);
  }),
);

/**
 * The plaintext of one encrypted field. Called from the field's resolver, which the governance
 * plugin runs only once the decision allowed the value (or a redaction needs it), so nothing is
 * decrypted that may not leave. Null when the value is missing, is not a ciphertext of this record,
 * or its key was destroyed (erasure): logged with identifiers only.
 */
export async function openContent(ctx: ContentContext, collection: string, path: string, record: EncryptedRecord, stored: string | null | undefined): Promise<string | null> {
  if (stored === null || stored === undefined) return null;
  const place = { tenant: record.tenant, owner: record.owner, field: `${collection}.${path}`, recordId: String(record._id) };
  const key = isCiphertext(stored) ? await keyLoader(ctx).load(JSON.stringify([record.tenant, record.owner])) : null;
  const plain = key ? decryptField(key.key, place, stored) : null;
  if (plain === null) ctx.logger.warn({ tenant: record.tenant, subject: record.owner, field: place.field, record: place.recordId, requestId: ctx.requestId }, 'content does not decrypt: read as null');
  return plain;
}
