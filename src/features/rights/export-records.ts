import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { openContent } from '../../keys/index.js';
import type { ExportSource } from './export-sources.js';

/** Records per collection in one export page; a larger collection continues with `collection:` and `after:`. */
export const EXPORT_PAGE_SIZE = 10_000;

/** A record as stored, read for an export: nothing decrypted yet. */
export type Stored = Record<string, unknown> & { _id: string; tenant: string };

/** One collection's page of an export. */
export interface Collected {
  readonly source: ExportSource;
  readonly rows: readonly Stored[];
}

/** A collection an export cut at its page size, and the cursor of its next page. */
export interface ExportContinuation {
  readonly tenant: string;
  /** The export key (`messages`, `accessLog`, ...) that has more records. */
  readonly collection: string;
  /** Pass as `collection:` / `after:` for the next page of that collection. */
  readonly after: string;
}

export const encodeCursor = (id: string): string => Buffer.from(`x:${id}`, 'utf8').toString('base64url');
export const decodeCursor = (cursor: string): string => {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!raw.startsWith('x:') || raw.length < 3 || raw.length > 130) throw new GovgateError('BAD_USER_INPUT', 'after: invalid cursor');
  return raw.slice(2);
};

/** The page size an export was asked for: 1 to EXPORT_PAGE_SIZE (default the most). */
export function exportPageSize(first: number | null | undefined): number {
  const size = first ?? EXPORT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > EXPORT_PAGE_SIZE) throw new GovgateError('BAD_USER_INPUT', `first must be between 1 and ${EXPORT_PAGE_SIZE}`);
  return size;
}

/** One page of a source's records matching `filter` (always tenant-scoped by the caller), in id order. */
export async function readSource(ctx: GatewayContext, source: ExportSource, filter: Record<string, unknown>, after: string | null, first: number): Promise<{ rows: Stored[]; next: string | null }> {
  const query = { ...filter, ...(after ? { _id: { $gt: decodeCursor(after) } } : {}) };
  const rows = (await source.model(ctx.connection).find(query).sort({ _id: 1 }).limit(first + 1).lean().exec()) as Stored[];
  const page = rows.slice(0, first);
  return { rows: page, next: rows.length > first && page.length > 0 ? encodeCursor(page.at(-1)!._id) : null };
}

/** JSON as it will be sent: dates as ISO 8601 strings. */
export function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** Only the listed paths (dotted for a sub-document), `_id` as `id`: seals, keys and internal fields never leave. */
function pick(record: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const [head, sub] = field.split('.', 2) as [string, string | undefined];
    const name = head === '_id' ? 'id' : head;
    if (sub === undefined) {
      out[name] = record[head] ?? null;
      continue;
    }
    const nested = record[head];
    // A list of sub-documents (e.g. opt-out periods): the same fields of each.
    if (Array.isArray(nested)) {
      const list = (out[name] as Record<string, unknown>[] | undefined) ?? nested.map((): Record<string, unknown> => ({}));
      nested.forEach((item: unknown, i) => {
        list[i]![sub] = item !== null && typeof item === 'object' ? ((item as Record<string, unknown>)[sub] ?? null) : null;
      });
      out[name] = list;
      continue;
    }
    if (nested === null || nested === undefined || typeof nested !== 'object') {
      out[name] ??= null;
      continue;
    }
    const into = (out[name] ?? {}) as Record<string, unknown>;
    into[sub] = (nested as Record<string, unknown>)[sub] ?? null;
    out[name] = into;
  }
  return out;
}

/** Content decrypted with its owner's key (null once erased); called only after the decision let the export leave. */
async function opened(ctx: GatewayContext, source: ExportSource, record: Stored): Promise<Stored> {
  if (source.encrypted.length === 0) return record;
  const open = { _id: record._id, tenant: record.tenant, owner: String(record[source.subjectPath]) };
  const out: Stored = { ...record };
  for (const path of source.encrypted) out[path] = await openContent(ctx, source.collection, path, open, record[path] as string | null | undefined);
  return out;
}

/**
 * A page's records as the export sends them: decrypted, only the source's fields, JSON dates. With
 * `subjectAs`, each record also names its subject under that key (a tenant's export spans subjects).
 */
export async function shapeRecords(ctx: GatewayContext, { source, rows }: Collected, subjectAs?: string): Promise<unknown[]> {
  return Promise.all(rows.map(async (row) => {
    const record = pick(await opened(ctx, source, row), source.fields);
    if (subjectAs) record[subjectAs] = row[source.subjectPath] ?? null;
    return plain(record);
  }));
}
