import { createHmac, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { KeyService } from './key-service.js';
import { subjectKeyModel, type SubjectKeyDoc } from './subject-key.model.js';

/** A subject's unwrapped data key and audit pseudonym. */
export interface SubjectKey {
  readonly key: Buffer;
  readonly ref: string;
}

export interface SubjectKeyStoreOptions {
  /** Unwrapped keys kept in memory, per instance. Default 10 000. */
  readonly cacheSize?: number;
  /**
   * How long an unwrapped key is kept, ms. Another instance's erasure takes effect here within
   * this time (this instance's own at once). Default 60 000.
   */
  readonly cacheTtlMs?: number;
  readonly logger?: Logger;
  /**
   * How long this instance remembers a destroyed key's subject, ms: meanwhile `ensure` gives that
   * subject a throwaway key (never stored) instead of creating a new record, so requests still
   * arriving with an erased subject's token leave no key record naming them. Default 24 h.
   */
  readonly shreddedTtlMs?: number;
}

const DATA_KEY_BYTES = 32;
const DUPLICATE_KEY = 11000;
const wrapContext = (tenant: string, subject: string): string => JSON.stringify([tenant, subject]);
const cacheKey = (tenant: string, subject: string): string => `${tenant}\u0000${subject}`;

/** The audit pseudonym: a MAC under the subject's own key, so it dies with the key. */
export const refOf = (key: Uint8Array, tenant: string, subject: string): string =>
  `sr_${createHmac('sha256', key).update(`ref:v1:${wrapContext(tenant, subject)}`).digest().subarray(0, 16).toString('base64url')}`;

/**
 * Per-subject data keys (envelope encryption): created on first use, wrapped by the key service,
 * stored in `subject_keys`, destroyed on erasure. A key record a database writer altered (wrapped
 * key swapped from another subject, ref rewritten) does not unwrap or does not match its ref, and
 * is then treated as absent (its ciphertexts read as nothing), never as another subject's key.
 */
export class SubjectKeyStore {
  private readonly cache: LRUCache<string, SubjectKey>;
  private readonly shredded: LRUCache<string, true>;

  constructor(
    private readonly connection: Connection,
    readonly keyService: KeyService,
    private readonly options: SubjectKeyStoreOptions = {},
  ) {
    this.cache = new LRUCache({ max: options.cacheSize ?? 10_000, ttl: options.cacheTtlMs ?? 60_000 });
    this.shredded = new LRUCache({ max: 100_000, ttl: options.shreddedTtlMs ?? 86_400_000 });
  }

  /** Existing keys of these subjects; absent ones (never created, or destroyed) are missing from the map. */
  async existing(tenant: string, subjects: readonly string[]): Promise<Map<string, SubjectKey>> {
    const found = new Map<string, SubjectKey>();
    const missing: string[] = [];
    for (const subject of new Set(subjects)) {
      const hit = this.cache.get(cacheKey(tenant, subject));
      if (hit) found.set(subject, hit);
      else missing.push(subject);
    }
    if (missing.length === 0) return found;
    const rows = await subjectKeyModel(this.connection).find({ tenant, subject: { $in: missing } }).lean<SubjectKeyDoc[]>().exec();
    await Promise.all(rows.map(async (row) => {
      const key = await this.open(row);
      if (key) found.set(row.subject, key);
    }));
    return found;
  }

  /** The keys of these subjects, created for those that have none. */
  async ensure(tenant: string, subjects: readonly string[]): Promise<Map<string, SubjectKey>> {
    const found = await this.existing(tenant, subjects);
    for (const subject of subjects) {
      // Erased here lately: a throwaway key (its ciphertexts and pseudonym die with this call).
      if (!found.has(subject) && this.shredded.has(cacheKey(tenant, subject))) {
        const key = randomBytes(DATA_KEY_BYTES);
        found.set(subject, { key, ref: refOf(key, tenant, subject) });
      }
    }
    const missing = [...new Set(subjects)].filter((s) => !found.has(s));
    if (missing.length === 0) return found;
    const created = await Promise.all(missing.map(async (subject) => {
      const key = randomBytes(DATA_KEY_BYTES);
      const wrapped = await this.keyService.wrap(key, wrapContext(tenant, subject));
      return { doc: { tenant, subject, ref: refOf(key, tenant, subject), wrapped, masterKeyId: this.keyService.keyId }, key };
    }));
    try {
      await subjectKeyModel(this.connection).insertMany(created.map((c) => c.doc), { ordered: false });
    } catch (error) {
      // Another request created some of them first: theirs stand, read below.
      if (!isDuplicateOnly(error)) throw error;
    }
    const stored = await this.existing(tenant, missing);
    for (const subject of missing) {
      const key = stored.get(subject);
      if (!key) throw new Error('a subject key could not be created');
      found.set(subject, key);
    }
    return found;
  }

  async keyFor(tenant: string, subject: string): Promise<SubjectKey> {
    return (await this.ensure(tenant, [subject])).get(subject)!;
  }

  /** Subjects behind audit pseudonyms, for those whose key still exists. */
  async subjectsOf(tenant: string, refs: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(refs)];
    if (unique.length === 0) return new Map();
    const rows = await subjectKeyModel(this.connection).find({ tenant, ref: { $in: unique } }).lean<SubjectKeyDoc[]>().exec();
    const out = new Map<string, string>();
    await Promise.all(rows.map(async (row) => {
      const key = await this.open(row);
      if (key) out.set(key.ref, row.subject);
    }));
    return out;
  }

  /** Crypto-shredding: the key record is deleted and forgotten here. True when there was one. */
  async destroy(tenant: string, subject: string): Promise<boolean> {
    this.cache.delete(cacheKey(tenant, subject));
    this.shredded.set(cacheKey(tenant, subject), true);
    const { deletedCount } = await subjectKeyModel(this.connection).deleteMany({ tenant, subject }).exec();
    return deletedCount > 0;
  }

  /**
   * A new account under a subject erased here lately: its content gets a real key again (else it
   * would be written under a throwaway key and never read back).
   */
  readmit(tenant: string, subject: string): void {
    this.shredded.delete(cacheKey(tenant, subject));
  }

  /**
   * Every key of a tenant (end of contract), each forgotten here like `destroy`'s, so requests this
   * instance still serves with their tokens get throwaway keys rather than new key records.
   */
  async destroyTenant(tenant: string): Promise<number> {
    const subjects = await subjectKeyModel(this.connection).distinct('subject', { tenant }).exec();
    for (const subject of subjects) this.shredded.set(cacheKey(tenant, subject), true);
    this.cache.clear();
    const { deletedCount } = await subjectKeyModel(this.connection).deleteMany({ tenant }).exec();
    return deletedCount;
  }

  private async open(row: SubjectKeyDoc): Promise<SubjectKey | null> {
    try {
      const key = await this.keyService.unwrap(row.wrapped, wrapContext(row.tenant, row.subject));
      const ref = refOf(key, row.tenant, row.subject);
      if (ref !== row.ref) throw new Error('ref does not match');
      const opened = { key, ref };
      this.cache.set(cacheKey(row.tenant, row.subject), opened);
      return opened;
    } catch {
      this.options.logger?.warn({ tenant: row.tenant, subject: row.subject }, 'subject key record does not unwrap or match: treated as absent');
      return null;
    }
  }
}

function isDuplicateOnly(error: unknown): boolean {
  const e = error as { code?: number; writeErrors?: { code?: number; err?: { code?: number } }[] };
  if (e.code === DUPLICATE_KEY && !e.writeErrors) return true;
  return Array.isArray(e.writeErrors) && e.writeErrors.length > 0 && e.writeErrors.every((w) => (w.code ?? w.err?.code) === DUPLICATE_KEY);
}
