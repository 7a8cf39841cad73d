import type { AuthenticatedCaller } from '../../auth/index.js';
import { requireAuthenticated } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { stateSealOf } from '../../db/connection-seal.js';
import { GovgateError } from '../../errors.js';
import { TENANT_EXPORT_COORDINATE, type EndOfContractRule } from '../../governance/packs/end-of-contract.js';
import { userModel, type UserDoc } from '../users/index.js';
import { EXPORT_SOURCES } from './export-sources.js';
import { exportPageSize, readSource, shapeRecords, type Collected, type ExportContinuation } from './export-records.js';

/** A tenant's export, keyed by collection name (`users`, `messages`, ...). */
export const TENANT_EXPORT_KEYS: readonly string[] = EXPORT_SOURCES.map((s) => s.collection);

/**
 * The export as the mutation returns it; `data` (the governed field `TenantExport.data`) decrypts
 * and shapes the records only once the decision let it leave.
 */
export interface TenantExport {
  readonly tenant: string;
  readonly generatedAt: Date;
  readonly format: 'json';
  readonly complete: boolean;
  readonly next: readonly ExportContinuation[];
  readonly collected: readonly Collected[];
  /** Records left out of this page, per collection: their subject's erasure is pending, or their account record is missing or does not verify. */
  readonly withheld: Record<string, number>;
}

export interface TenantExportArgs {
  collection?: string | null;
  after?: string | null;
  first?: number | null;
}

/** The caller may end the tenant's contract (the pack's `endOfContract` names one of their roles), else FORBIDDEN. */
export function requireEndOfContract(ctx: GatewayContext, coordinate: string): { caller: AuthenticatedCaller; rule: EndOfContractRule } {
  const caller = requireAuthenticated(ctx.caller);
  const rule = ctx.pack.endOfContractFor(caller.roles);
  if (!rule) throw new GovgateError('FORBIDDEN', 'the end-of-contract export and deletion are not offered to this caller under the active policy pack');
  ctx.governance.noteAccess(coordinate);
  return { caller, rule };
}

/**
 * Subjects whose records may leave in a tenant's export: those with an account record that is
 * ACTIVE and whose seal verifies. A pending erasure is decided as erased for everyone, and a record
 * a database writer altered or removed cannot vouch for its subject, so both fail closed.
 */
async function releasableSubjects(ctx: GatewayContext, tenant: string): Promise<Set<string>> {
  const seal = stateSealOf(ctx.connection);
  const users = await userModel(ctx.connection).find({ tenant }).lean<(UserDoc & { seal?: string | null })[]>().exec();
  return new Set(users.filter((u) => u.erasure === 'ACTIVE' && seal.verifyUser(u)).map((u) => u.subject));
}

/**
 * 001 §5.3(h): every record of the caller's tenant, in every collection of EXPORT_SOURCES, paged per
 * collection like exportMyData (`first`, `collection`, `after`), content decrypted with each
 * owner's key. Only for the roles of the pack's `endOfContract`.
 */
export async function exportTenantData(ctx: GatewayContext, args: TenantExportArgs): Promise<TenantExport> {
  const { caller } = requireEndOfContract(ctx, 'Mutation.exportTenantData');
  const { tenant } = caller;
  const first = exportPageSize(args.first);
  if (args.collection !== null && args.collection !== undefined && !TENANT_EXPORT_KEYS.includes(args.collection)) {
    throw new GovgateError('BAD_USER_INPUT', `collection must be one of ${TENANT_EXPORT_KEYS.join(', ')}`);
  }
  if (args.after && !args.collection) throw new GovgateError('BAD_USER_INPUT', 'after needs the collection it continues');
  const releasable = await releasableSubjects(ctx, tenant);
  const collected: Collected[] = [];
  const next: ExportContinuation[] = [];
  const withheld: Record<string, number> = {};
  const pages = await Promise.all(
    EXPORT_SOURCES.filter((source) => !args.collection || args.collection === source.collection).map(async (source) => ({ source, ...(await readSource(ctx, source, { tenant }, args.after ?? null, first)) })),
  );
  for (const { source, rows, next: more } of pages) {
    const kept = rows.filter((r) => releasable.has(String(r[source.subjectPath])));
    if (kept.length < rows.length) withheld[source.collection] = rows.length - kept.length;
    collected.push({ source, rows: kept });
    if (more) next.push({ tenant, collection: source.collection, after: more });
  }
  return { tenant, generatedAt: new Date(), format: 'json', complete: next.length === 0, next, collected, withheld };
}

/** `TenantExport.data`: `{ tenant, <collection>: [records, each naming its `subject`] }`. */
export async function tenantExportData(ctx: GatewayContext, exported: TenantExport): Promise<Record<string, unknown>> {
  // Whose records leave: named on the audit decision, so each subject's access log shows the export.
  const subjects = new Set<string>();
  for (const { source, rows } of exported.collected) for (const row of rows) subjects.add(String(row[source.subjectPath]));
  ctx.governance.attributeRelease(TENANT_EXPORT_COORDINATE, subjects);
  const data: Record<string, unknown> = { tenant: exported.tenant };
  for (const page of exported.collected) data[page.source.collection] = await shapeRecords(ctx, page, 'subject');
  return data;
}
