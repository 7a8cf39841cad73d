import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { subjectKeysOf } from '../../keys/index.js';
import { tenantModel } from '../tenants/index.js';
import { trainingDeliveryModel } from '../training/training-delivery.model.js';
import { dsrRequestModel } from './dsr-request.model.js';
import { anonymiseHeld, erasureRules, heldModel, type ErasureOutcome } from './erasure.js';
import { EXPORT_SOURCES } from './export-sources.js';
import { requireEndOfContract } from './tenant-export.js';

export interface TenantDeletion extends ErasureOutcome {
  readonly tenant: string;
  /** Data keys destroyed (one per subject that had content or an audit pseudonym). */
  readonly keysDestroyed: number;
}

const AUDIT_KEPT =
  'the audit log holds identifiers, pseudonyms and field coordinates, never values; it is kept so every chain and tree head still verifies, and its pseudonyms map back to nobody once the data keys are destroyed';
const DSR_KEPT =
  'the record of rights requests (kinds, dates, statuses) under pseudonyms that no key maps back to once the data keys are destroyed; pending erasures are completed by this deletion';
const DELIVERIES_KEPT =
  'what was delivered for model training (sample and consent ids) under pseudonyms that no key maps back to once the data keys are destroyed: the samples themselves are deleted';
const ACCOUNTABILITY = 'GDPR Art. 5(2), 30(2): the processor demonstrates what it did';

/**
 * 001 §5.3(h), "delete": every record of the caller's tenant in every collection of EXPORT_SOURCES
 * is deleted, except those under the pack's legal holds, which are kept with their owner replaced
 * by the owner's audit pseudonym and every other field but `keepFields` removed (as erasure keeps
 * them). Then every data key of the tenant is destroyed (crypto-shredding: copies of the
 * tenant's ciphertexts stop decrypting through the gateway; a backup of `subject_keys` from
 * before still opens them while its master key lives) and the tenant record removed. Pending
 * erasures of the tenant are completed by it. The audit log and the rights-request log are kept
 * (they hold no values) and listed in the receipt. The request's INTENT event is written before
 * anything is deleted; a run cut short is finished by running it again.
 */
export async function deleteTenantData(ctx: GatewayContext, confirm: boolean, now: Date): Promise<TenantDeletion> {
  const { caller } = requireEndOfContract(ctx, 'Mutation.deleteTenantData');
  if (!confirm) throw new GovgateError('BAD_USER_INPUT', 'confirm: deleting every record of the tenant is irreversible and must be confirmed with true');
  const { tenant } = caller;
  const { connection } = ctx;
  const store = subjectKeysOf(connection);
  const rules = erasureRules(ctx.pack);
  const held = new Set<string>(rules.legalHold.map((h) => h.collection));
  const anonymised: Record<string, number> = {};
  const kept: ErasureOutcome['kept'] = [];
  // Held records first: their owners' pseudonyms need the keys that are destroyed last.
  for (const hold of rules.legalHold) {
    const model = heldModel(connection, hold.collection);
    const owners = (await model.distinct('owner', { tenant }).exec()) as string[];
    const refs = await store.ensure(tenant, owners.filter((o) => !o.startsWith('sr_')));
    let count = 0;
    for (const [owner, key] of refs) count += await anonymiseHeld(model, tenant, owner, key.ref, hold.keepFields ?? []);
    anonymised[hold.collection] = count;
    kept.push({ collection: hold.collection, count: await model.countDocuments({ tenant }).exec(), reason: hold.reason, source: hold.source });
  }
  const deleted: Record<string, number> = {};
  for (const source of EXPORT_SOURCES) {
    if (held.has(source.collection)) continue;
    const { deletedCount } = await source.model(connection).deleteMany({ tenant }).exec();
    if (deletedCount > 0) deleted[source.collection] = deletedCount;
  }
  const pending = await dsrRequestModel(connection)
    .updateMany({ tenant, kind: 'ERASURE', status: 'PENDING' }, { $set: { status: 'COMPLETED', completedAt: now, subject: null } })
    .exec();
  if (pending.modifiedCount > 0) anonymised.dsr_requests = pending.modifiedCount;
  const keysDestroyed = await store.destroyTenant(tenant);
  if (keysDestroyed > 0) deleted.subject_keys = keysDestroyed;
  if ((await tenantModel(connection).deleteOne({ _id: tenant }).exec()).deletedCount > 0) deleted.tenants = 1;
  kept.push({ collection: 'audit_events', count: await ctx.audit.store.events.countDocuments({ tenant }), reason: AUDIT_KEPT, source: ACCOUNTABILITY });
  kept.push({ collection: 'dsr_requests', count: await dsrRequestModel(connection).countDocuments({ tenant }).exec(), reason: DSR_KEPT, source: ACCOUNTABILITY });
  kept.push({ collection: 'training_deliveries', count: await trainingDeliveryModel(connection).countDocuments({ tenant }).exec(), reason: DELIVERIES_KEPT, source: ACCOUNTABILITY });
  ctx.logger.info({ tenant, requestId: ctx.requestId, keysDestroyed }, 'tenant data deleted at the end of its contract');
  return { tenant, deleted, anonymised, kept, keysDestroyed };
}
