import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { openContent } from '../../keys/index.js';
import { accessLogPage, type AccessLogEntry } from './access-log.js';
import { ACCESS_LOG_KEY, EXPORT_KEYS, EXPORT_SOURCES, type ExportSource } from './export-sources.js';
import { requireAccount } from './rights-guard.js';

/** Records per collection in one export; a larger collection continues with `exportMyData(collection:, after:)`. */
export const EXPORT_PAGE_SIZE = 10_000;
/** The access log's entries in one export (newest first), as myAccessLog would page them. */
export const EXPORT_ACCESS_LOG_SIZE = 1_000;

export interface ExportContinuation {
  readonly tenant: string;
  /** The export key (`messages`, `accessLog`, ...) that has more records. */
  readonly collection: string;
  /** Pass as `exportMyData(collection:, after:)` for the next page of that collection. */
  readonly after: string;
}

/** Records as stored, read for the export: nothing decrypted yet. */
interface Collected {
  readonly source: ExportSource;
  readonly rows: readonly Stored[];
}

/**
 * The export as the mutation returns it. Counting and paging need no plaintext, so they are known
 * here; `data` (a governed field) decrypts and shapes the records only once the decision let it leave.
 */
export interface DataExport {
  readonly tenant: string;
  readonly subject: string;
  readonly generatedAt: Date;
  readonly format: 'json';
  readonly complete: boolean;
  readonly next: readonly ExportContinuation[];
  readonly collected: readonly Collected[];
  readonly accessLog: readonly AccessLogEntry[] | null;
}

export interface ExportArgs {
  collection?: string | null;
  after?: string | null;
  first?: number | null;
}

type Stored = Record<string, unknown> & { _id: string; tenant: string };

const encode = (id: string): string => Buffer.from(`x:${id}`, 'utf8').toString('base64url');
const decode = (cursor: string): string => {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!raw.startsWith('x:') || raw.length > 130) throw new GovgateError('BAD_USER_INPUT', 'after: invalid cursor');
  return raw.slice(2);
};

/** JSON as it will be sent: dates as ISO 8601 strings. */
function plain(value: unknown): unknown {
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

/** The subject's own content goes to the subject: decrypted with their key (null once erased). */
async function opened(ctx: GatewayContext, source: ExportSource, record: Stored): Promise<Stored> {
  if (source.encrypted.length === 0) return record;
  const owner = String(record[source.subjectPath]);
  const open = { _id: record._id, tenant: record.tenant, owner };
  const out: Stored = { ...record };
  for (const path of source.encrypted) out[path] = await openContent(ctx, source.collection, path, open, record[path] as string | null | undefined);
  return out;
}

async function readSource(ctx: GatewayContext, source: ExportSource, tenant: string, subject: string, after: string | null, first: number) {
  const filter = { tenant, [source.subjectPath]: subject, ...(after ? { _id: { $gt: decode(after) } } : {}) };
  const rows = (await source.model(ctx.connection).find(filter).sort({ _id: 1 }).limit(first + 1).lean().exec()) as Stored[];
  const page = rows.slice(0, first);
  return { rows: page, next: rows.length > first && page.length > 0 ? encode(page.at(-1)!._id) : null };
}

/**
 * Art. 15 / 20: every record about the caller, in every collection of EXPORT_SOURCES, scoped to the
 * caller's tenant and subject, plus the access log. A collection with more than `first` records
 * (default and most EXPORT_PAGE_SIZE) is cut there and named in `next`; with `collection` (and
 * `after`) only that collection's next page is exported.
 */
export async function exportMyData(ctx: GatewayContext, args: ExportArgs): Promise<DataExport> {
  const { caller } = await requireAccount(ctx, 'Mutation.exportMyData');
  const { tenant, subject } = caller;
  const first = args.first ?? EXPORT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > EXPORT_PAGE_SIZE) throw new GovgateError('BAD_USER_INPUT', `first must be between 1 and ${EXPORT_PAGE_SIZE}`);
  if (args.collection !== null && args.collection !== undefined && !EXPORT_KEYS.includes(args.collection)) {
    throw new GovgateError('BAD_USER_INPUT', `collection must be one of ${EXPORT_KEYS.join(', ')}`);
  }
  if (args.after && !args.collection) throw new GovgateError('BAD_USER_INPUT', 'after needs the collection it continues');
  const only = args.collection ?? null;
  const after = args.after ?? null;

  const collected: Collected[] = [];
  const next: ExportContinuation[] = [];
  for (const source of EXPORT_SOURCES) {
    if (only !== null && only !== source.key) continue;
    const { rows, next: more } = await readSource(ctx, source, tenant, subject, after, first);
    collected.push({ source, rows });
    if (more) next.push({ tenant, collection: source.key, after: more });
  }
  let accessLog: AccessLogEntry[] | null = null;
  if (only === null || only === ACCESS_LOG_KEY) {
    const page = await accessLogPage(ctx, tenant, subject, { first: Math.min(first, EXPORT_ACCESS_LOG_SIZE), after }, EXPORT_ACCESS_LOG_SIZE);
    accessLog = page.edges.map((e) => e.node);
    if (page.pageInfo.hasNextPage && page.pageInfo.endCursor) next.push({ tenant, collection: ACCESS_LOG_KEY, after: page.pageInfo.endCursor });
  }
  return { tenant, subject, generatedAt: new Date(), format: 'json', complete: next.length === 0, next, collected, accessLog };
}

/** `DataExport.data`: the records decrypted (the subject's own content, to the subject) and shaped; run only once the decision allowed it. */
export async function exportedData(ctx: GatewayContext, exported: DataExport): Promise<Record<string, unknown>> {
  const data: Record<string, unknown> = { tenant: exported.tenant, subject: exported.subject };
  for (const { source, rows } of exported.collected) {
    const records = await Promise.all(rows.map(async (r) => plain(pick(await opened(ctx, source, r), source.fields))));
    data[source.key] = source.single ? (records[0] ?? null) : records;
  }
  if (exported.accessLog) data[ACCESS_LOG_KEY] = exported.accessLog.map(({ tenant: _t, subject: _s, ...entry }) => plain(entry));
  return data;
}
