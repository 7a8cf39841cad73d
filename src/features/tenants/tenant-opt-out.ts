import canonicalize from 'canonicalize';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { stateSealOf } from '../../db/connection-seal.js';
import { GovgateError } from '../../errors.js';
import { changeOptOut, NO_OPT_OUT, sealableOptOut, type OptOutPeriod } from '../../governance/opt-out.js';
import { tenantModel, type TenantDoc } from './tenant.model.js';

const KIND = 'tenant_opt_out';

/** Everything of a tenant's opt-outs goes into one sealed string field (the record seal takes flat fields). */
const sealedFields = (tenant: string, periods: readonly OptOutPeriod[] | null | undefined) => ({ tenant, mipOptOutPeriods: canonicalize(sealableOptOut(periods)) ?? '[]' });

/** Opted out since the epoch: how an opt-out record that does not verify is decided (fails closed). */
const ALWAYS: readonly OptOutPeriod[] = Object.freeze([Object.freeze({ from: new Date(0), until: null })]);

/**
 * The tenant's opt-out periods as sealed. No tenant record, or one that never had opt-outs nor a
 * seal: none. A record whose opt-outs do not verify (a database writer edited or removed them) is
 * decided as opted out all along for training, and logged with identifiers only.
 */
export async function tenantOptOutPeriods(connection: Connection, tenant: string, logger: Logger): Promise<readonly OptOutPeriod[]> {
  const record = await tenantModel(connection).findOne({ _id: tenant }, { mipOptOutPeriods: 1, seal: 1 }).lean<TenantDoc>().exec();
  if (!record || ((record.mipOptOutPeriods ?? []).length === 0 && !record.seal)) return NO_OPT_OUT;
  try {
    if (stateSealOf(connection).verifyRecord(KIND, sealedFields(tenant, record.mipOptOutPeriods), record.seal)) {
      return (record.mipOptOutPeriods ?? []).map((p) => ({ from: p.from, until: p.until ?? null }));
    }
  } catch {
    // malformed: does not verify
  }
  logger.warn({ tenant }, 'tenant opt-out record does not verify: decided as opted out for training');
  return ALWAYS;
}

/**
 * Opts the tenant out of (or back into) model improvement from `now`: a compare-and-set on the
 * verified periods, so a write never re-seals what a database writer changed. True when it changed.
 */
export async function setTenantOptOut(connection: Connection, tenant: string, optOut: boolean, now: Date): Promise<boolean> {
  const Tenant = tenantModel(connection);
  const seal = stateSealOf(connection);
  const record = await Tenant.findOne({ _id: tenant }).lean<TenantDoc>().exec();
  const periods = record?.mipOptOutPeriods ?? [];
  if (record && (periods.length > 0 || record.seal) && !seal.verifyRecord(KIND, sealedFields(tenant, periods), record.seal)) {
    throw new GovgateError('INTERNAL_SERVER_ERROR', "the tenant's opt-out record failed its integrity check; nothing was changed");
  }
  const next = changeOptOut(periods, optOut, now);
  if (!next) return false;
  const update = { $set: { mipOptOutPeriods: next, seal: seal.record(KIND, sealedFields(tenant, next)) }, $setOnInsert: { name: tenant } };
  const asRead = record ? { _id: tenant, seal: record.seal ?? null } : { _id: tenant };
  const written = await Tenant.updateOne(asRead, update, { upsert: !record }).exec();
  if (written.matchedCount === 0 && written.upsertedCount === 0) throw new GovgateError('INTERNAL_SERVER_ERROR', "the tenant's settings changed concurrently; try again");
  return true;
}
