import type { HydratedDocument, Query, Schema } from 'mongoose';
import { GovgateError } from '../errors.js';
import { subjectKeysOf } from './connection-keys.js';
import { encryptField, isCiphertext } from './field-cipher.js';

export interface EncryptOnWriteOptions {
  /** Top-level string paths stored encrypted. */
  readonly paths: readonly string[];
  /** Whose key encrypts them (default path `owner`). */
  readonly ownerPath?: string;
}

const UPDATES = ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace'] as const;

/**
 * Mongoose plugin: content paths are encrypted when a record is created through the model
 * (create, save, insertMany) with AES-256-GCM under the owner's data key, bound to tenant, owner,
 * field and record id. An update through the model may write them only as ciphertext (the gateway
 * encrypts first), so plaintext content never reaches the database from the gateway. Reads stay
 * ciphertext: resolvers decrypt (src/keys/open-content.ts) only once the decision allowed the value.
 */
export function encryptOnWrite<T>(schema: Schema<T>, options: EncryptOnWriteOptions): void {
  const ownerPath = options.ownerPath ?? 'owner';
  schema.pre('validate', async function encryptNew(this: HydratedDocument<T>) {
    const plain = options.paths.filter((p) => {
      const value = this.get(p) as unknown;
      return typeof value === 'string' && !isCiphertext(value);
    });
    if (plain.length === 0) return;
    if (!this.isNew) throw new GovgateError('INTERNAL_SERVER_ERROR', `encrypted fields of ${this.collection.name} are written as ciphertext only`);
    const tenant = String(this.get('tenant'));
    const owner = String(this.get(ownerPath));
    const { key } = await subjectKeysOf(this.db).keyFor(tenant, owner);
    for (const path of plain) {
      const place = { tenant, owner, field: `${this.collection.name}.${path}`, recordId: String(this._id) };
      this.set(path, encryptField(key, place, this.get(path) as string));
    }
  });
  schema.pre([...UPDATES], { document: false, query: true }, function refusePlaintext(this: Query<unknown, T>) {
    const update = this.getUpdate() as Record<string, unknown> | unknown[] | null;
    if (update === null || Array.isArray(update)) return;
    const sets = [update, update.$set, update.$setOnInsert].filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
    for (const set of sets) {
      for (const path of options.paths) {
        const value = set[path];
        if (typeof value === 'string' && !isCiphertext(value)) throw new GovgateError('INTERNAL_SERVER_ERROR', `encrypted fields of ${this.model.collection.name} are written as ciphertext only`);
      }
    }
  });
}
