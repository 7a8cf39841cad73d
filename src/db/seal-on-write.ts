import type { HydratedDocument, Query, Schema } from 'mongoose';
import { GovgateError } from '../errors.js';
import type { StateSeal } from '../governance/state-seal.js';
import { stateSealOf } from './connection-seal.js';

export interface SealOnWriteOptions<T> {
  /** Top-level paths the seal covers: a write that changes one needs a new seal. */
  readonly paths: readonly string[];
  /** The seal of a record, from its fields. */
  readonly sealOf: (seal: StateSeal, record: T) => string;
}

const unsealedWrite = (collection: string): GovgateError =>
  new GovgateError('INTERNAL_SERVER_ERROR', `sealed fields of ${collection} are written only by create, insertMany or their sealed writer`);

const UPDATES = ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace'] as const;

/** Top-level paths an update (operators or a replacement) writes; null when it cannot be told (a pipeline). */
function writtenPaths(update: unknown): string[] | null {
  if (Array.isArray(update) || typeof update !== 'object' || update === null) return null;
  const paths: string[] = [];
  for (const [key, value] of Object.entries(update)) {
    if (!key.startsWith('$')) paths.push(key);
    else if (typeof value === 'object' && value !== null) {
      paths.push(...Object.keys(value));
      // $rename writes its targets too.
      if (key === '$rename') paths.push(...Object.values(value).map(String));
    }
  }
  return paths.map((p) => p.split('.')[0]!);
}

/**
 * Mongoose plugin: every record created through the model (create, save, insertMany) is sealed
 * with its connection's state seal; an update through the model that changes a sealed path without
 * writing a new seal is refused (the sealed writers read, verify, and seal what they write), as is
 * bulkWrite. Only writes that bypass the models — the raw driver, a database writer, and
 * insertMany with `lean` (which skips validation) — leave records unsealed, and those are then
 * decided as if absent (consents) or most restrictively (users).
 */
export function sealOnWrite<T>(schema: Schema<T>, options: SealOnWriteOptions<T>): void {
  const covered = new Set(options.paths);
  // Sealed at validation (create, save, insertMany) and again before a save that skips validation.
  schema.pre(['validate', 'save'], function sealNew(this: HydratedDocument<T>) {
    if (this.isNew) {
      this.set('seal', options.sealOf(stateSealOf(this.db), this.toObject() as T));
      return;
    }
    if (options.paths.some((p) => this.isModified(p)) && !this.isModified('seal')) {
      throw unsealedWrite(this.collection.name);
    }
  });
  schema.pre([...UPDATES], { document: false, query: true }, function refuseUnsealed(this: Query<unknown, T>) {
    const update = this.getUpdate() as unknown;
    const paths = writtenPaths(update);
    if (paths && !paths.some((p) => covered.has(p))) return;
    if (paths?.includes('seal')) return;
    throw unsealedWrite(this.model.collection.name);
  });
  schema.pre('bulkWrite', function refuseBulk() {
    throw unsealedWrite(this.collection.name);
  });
}
