import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { accessLogPage, type AccessLogEntry } from './access-log.js';
import { ACCESS_LOG_KEY, EXPORT_KEYS, EXPORT_SOURCES } from './export-sources.js';
import { requireAccount } from './rights-guard.js';
import { exportPageSize, readSource, shapeRecords, plain, type Collected, type ExportContinuation } from './export-records.js';

export { EXPORT_PAGE_SIZE, type ExportContinuation } from './export-records.js';

/** The access log's entries in one export (newest first), as myAccessLog would page them. */
export const EXPORT_ACCESS_LOG_SIZE = 1_000;

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

/**
 * Art. 15 / 20: every record about the caller, in every collection of EXPORT_SOURCES, scoped to the
 * caller's tenant and subject, plus the access log. A collection with more than `first` records
 * (default and most EXPORT_PAGE_SIZE) is cut there and named in `next`; with `collection` (and
 * `after`) only that collection's next page is exported.
 */
export async function exportMyData(ctx: GatewayContext, args: ExportArgs): Promise<DataExport> {
  const { caller } = await requireAccount(ctx, 'Mutation.exportMyData');
  const { tenant, subject } = caller;
  const first = exportPageSize(args.first);
  if (args.collection !== null && args.collection !== undefined && !EXPORT_KEYS.includes(args.collection)) {
    throw new GovgateError('BAD_USER_INPUT', `collection must be one of ${EXPORT_KEYS.join(', ')}`);
  }
  if (args.after && !args.collection) throw new GovgateError('BAD_USER_INPUT', 'after needs the collection it continues');
  const only = args.collection ?? null;
  const after = args.after ?? null;

  const collected: Collected[] = [];
  const next: ExportContinuation[] = [];
  const pages = await Promise.all(
    EXPORT_SOURCES.filter((source) => only === null || only === source.key).map(async (source) => ({ source, ...(await readSource(ctx, source, { tenant, [source.subjectPath]: subject }, after, first)) })),
  );
  for (const { source, rows, next: more } of pages) {
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
  for (const page of exported.collected) {
    const records = await shapeRecords(ctx, page);
    data[page.source.key] = page.source.single ? (records[0] ?? null) : records;
  }
  if (exported.accessLog) data[ACCESS_LOG_KEY] = exported.accessLog.map(({ tenant: _t, subject: _s, ...entry }) => plain(entry));
  return data;
}
