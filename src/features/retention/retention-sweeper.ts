import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { AuditEffect, AuditServices } from '../../audit/index.js';
import { acquireLease, releaseLease } from '../../db/lease.js';
import { sweepRuleFor, type PolicyPack, type RetentionRule, type SweepableCollection } from '../../governance/packs/index.js';
import { appendSystemEvent, systemEvent } from '../../jobs/system-event.js';
import { conversationModel, messageModel } from '../conversations/index.js';
import { RETENTION_TARGETS, type RetentionTarget } from './retention-targets.js';

export interface RetentionDeps {
  readonly connection: Connection;
  readonly audit: AuditServices;
  readonly pack: PolicyPack;
  readonly logger: Logger;
  /** This instance's id: the holder of the sweep's lease. */
  readonly holder: string;
}

/** One run: whether this instance ran it (false: another holds the lease, or nothing is swept) and what went, per tenant. */
export interface RetentionSweepResult {
  readonly ran: boolean;
  readonly tenants: readonly { readonly tenant: string; readonly effects: readonly AuditEffect[] }[];
  /** Tenants whose sweep did not complete (audit unavailable, a failed delete): retried next run. */
  readonly failed: number;
}

export const RETENTION_LEASE = 'retention-sweep';
export const RETENTION_SWEEPER_CLIENT = 'govgate-retention-sweeper';
/** Renewed before each tenant; a holder that dies frees it after this. */
const LEASE_MS = 10 * 60_000;
/** Records per collection and tenant deleted in one run at most (the rest go next run): bounds the INTENT's subject list. */
const PER_RUN = 5000;
/** Ids per delete: `_id $in` batches, which mongo-java-server handles (no multikey index involved). */
const CHUNK = 500;
const DAY_MS = 86_400_000;
const OPERATION = 'retentionSweep';

interface Plan {
  readonly collection: SweepableCollection;
  readonly model: ReturnType<RetentionTarget['model']>;
  readonly rule: RetentionRule;
  /** Records created before this are past the rule's period (strictly older, as decide.ts redacts). */
  readonly cutoff: Date;
}

/** What the pack sweeps, at `now`. */
function plansOf(deps: RetentionDeps, now: Date): Plan[] {
  return RETENTION_TARGETS.flatMap(({ collection, model }) => {
    const rule = sweepRuleFor(deps.pack.retentionFor, collection);
    return rule ? [{ collection, model: model(deps.connection), rule, cutoff: new Date(now.getTime() - rule.days * DAY_MS) }] : [];
  });
}

type Row = { _id: string; owner: string; conversationId?: string };

const keptConversations = async (connection: Connection, tenant: string): Promise<string[]> =>
  (await conversationModel(connection).find({ tenant, keep: true }, { _id: 1 }).lean<{ _id: string }[]>().exec()).map((c) => c._id);

/** Records of one tenant due for deletion, per collection: kept conversations and their messages are spared where the rule is keepable. */
async function candidatesOf(connection: Connection, tenant: string, plans: readonly Plan[]): Promise<Map<SweepableCollection, Row[]>> {
  const found = new Map<SweepableCollection, Row[]>();
  const keptIds = plans.some((p) => p.rule.keepable) ? await keptConversations(connection, tenant) : [];
  for (const plan of plans) {
    const filter: Record<string, unknown> = { tenant, createdAt: { $lt: plan.cutoff } };
    if (plan.rule.keepable && plan.collection === 'conversations') filter.keep = { $ne: true };
    if (plan.rule.keepable && plan.collection === 'messages' && keptIds.length > 0) filter.conversationId = { $nin: keptIds };
    let rows = await plan.model.find(filter, { _id: 1, owner: 1, conversationId: 1 }).sort({ _id: 1 }).limit(PER_RUN).lean<Row[]>().exec();
    if (plan.collection === 'conversations' && rows.length > 0) {
      // A conversation goes once no message remains in it: none but those this run deletes.
      const going = (found.get('messages') ?? []).map((m) => m._id);
      const remaining = new Set(await messageModel(connection).distinct('conversationId', { tenant, conversationId: { $in: rows.map((r) => r._id) }, _id: { $nin: going } }).exec());
      rows = rows.filter((r) => !remaining.has(r._id));
    }
    if (rows.length > 0) found.set(plan.collection, rows);
  }
  return found;
}

/** Deletes the planned records by id, rechecking age (and keep, and for conversations that no message remains): how many went. */
async function deleteRows(connection: Connection, tenant: string, plan: Plan, rows: readonly Row[]): Promise<number> {
  let ids = rows.map((r) => r._id);
  if (plan.collection === 'conversations') {
    // A message added since the plan keeps its conversation.
    const remaining = new Set(await messageModel(connection).distinct('conversationId', { tenant, conversationId: { $in: ids } }).exec());
    ids = ids.filter((id) => !remaining.has(id));
  }
  const guard: Record<string, unknown> = { tenant, createdAt: { $lt: plan.cutoff } };
  if (plan.rule.keepable && plan.collection === 'conversations') guard.keep = { $ne: true };
  // A conversation kept since the plan keeps its messages too.
  if (plan.rule.keepable && plan.collection === 'messages') guard.conversationId = { $nin: await keptConversations(connection, tenant) };
  let count = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const { deletedCount } = await plan.model.deleteMany({ ...guard, _id: { $in: ids.slice(i, i + CHUNK) } }).exec();
    count += deletedCount;
  }
  return count;
}

const effectOf = (plan: Plan, count: number): AuditEffect => ({
  collection: plan.collection,
  action: 'DELETED',
  count,
  category: plan.rule.category,
  days: plan.rule.days,
  source: plan.rule.sweep!.source,
});

/** One tenant: INTENT naming the owners whose records go, the deletes, then the outcome naming the INTENT with what went per rule. */
async function sweepTenant(deps: RetentionDeps, tenant: string, plans: readonly Plan[]): Promise<AuditEffect[] | null> {
  const candidates = await candidatesOf(deps.connection, tenant, plans);
  if (candidates.size === 0) return null;
  const owners = [...new Set([...candidates.values()].flat().map((r) => r.owner))].sort();
  const event = (parts: Parameters<typeof systemEvent>[2]) => systemEvent(deps.pack, tenant, parts);
  const accesses = plans.filter((p) => candidates.has(p.collection)).map((p) => `retention:${p.collection}`);
  // Fail closed: when the INTENT cannot be written this throws before anything is deleted.
  const intent = await appendSystemEvent(deps, event({ client: RETENTION_SWEEPER_CLIENT, operationName: OPERATION, accesses, outcome: 'INTENT', code: null, intent: null, subjects: owners }));
  const effects: AuditEffect[] = [];
  try {
    for (const plan of plans) {
      const rows = candidates.get(plan.collection);
      if (rows) effects.push(effectOf(plan, await deleteRows(deps.connection, tenant, plan, rows)));
    }
  } catch (error) {
    // What did go is still on record; the rest is retried next run.
    await appendSystemEvent(deps, event({ client: RETENTION_SWEEPER_CLIENT, operationName: OPERATION, accesses, outcome: 'FAILED', code: 'INTERNAL_SERVER_ERROR', intent, subjects: [], effects })).catch(() => undefined);
    throw error;
  }
  await appendSystemEvent(deps, event({ client: RETENTION_SWEEPER_CLIENT, operationName: OPERATION, accesses, outcome: 'SERVED', code: null, intent, subjects: [], effects }));
  return effects;
}

/**
 * Deletes what the pack's `sweep` rules say is past its period at `now`: records created strictly
 * before `now − days` (the boundary day is kept, as read-time RETENTION redacts only after it), per
 * tenant, audited as the gateway (client `govgate-retention-sweeper`): an INTENT naming the owners
 * whose records go (pseudonymised), then the outcome naming it with the count per rule and the
 * clause it cites. A tenant with nothing due gets no event. One instance runs it at a time (the
 * `retention-sweep` lease). Conversations the owner keeps (where the rule is `keepable`) and their
 * messages stay; legal-hold floors are never swept (refused at pack load).
 */
export async function sweepRetention(deps: RetentionDeps, now: Date = new Date()): Promise<RetentionSweepResult> {
  const plans = plansOf(deps, now);
  if (plans.length === 0) return { ran: false, tenants: [], failed: 0 };
  if (!(await acquireLease(deps.connection, RETENTION_LEASE, deps.holder, LEASE_MS, now))) return { ran: false, tenants: [], failed: 0 };
  const tenants: { tenant: string; effects: AuditEffect[] }[] = [];
  let failed = 0;
  try {
    const names = new Set<string>();
    for (const plan of plans) for (const t of await plan.model.distinct('tenant', { createdAt: { $lt: plan.cutoff } }).exec()) names.add(String(t));
    for (const tenant of [...names].sort()) {
      // Renewed per tenant, so a long run keeps it; lost (expired and taken): the other instance carries on.
      if (!(await acquireLease(deps.connection, RETENTION_LEASE, deps.holder, LEASE_MS, now))) break;
      try {
        const effects = await sweepTenant(deps, tenant, plans);
        if (effects) {
          tenants.push({ tenant, effects });
          deps.logger.info({ tenant, deleted: Object.fromEntries(effects.map((e) => [e.collection, e.count])) }, 'retention sweep');
        }
      } catch (error) {
        failed += 1;
        deps.logger.error({ tenant, err: { message: (error as Error).message } }, 'retention sweep: a tenant failed, retried next run');
      }
    }
  } finally {
    await releaseLease(deps.connection, RETENTION_LEASE, deps.holder).catch(() => undefined);
  }
  return { ran: true, tenants, failed };
}
