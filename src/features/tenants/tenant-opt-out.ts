import { canonicalJson } from '../../canonical-json.js';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { stateSealOf } from '../../db/connection-seal.js';
import { GovgateError } from '../../errors.js';
import { changeOptOut, NO_OPT_OUT, sealableOptOut, type OptOutPeriod } from '../../governance/opt-out.js';
import { tenantModel, type TenantDoc, type TenantModel } from './tenant.model.js';

const KIND = 'tenant_opt_out';

/** Everything of a tenant's opt-outs goes into one sealed string field (the record seal takes flat fields). */
const sealedFields = (tenant: string, periods: readonly OptOutPeriod[] | null | undefined) => ({ tenant, mipOptOutPeriods: canonicalJson(sealableOptOut(periods)) });

/** Opted out since the epoch: how an opt-out record that does not verify is decided (fails closed). */
const ALWAYS: readonly OptOutPeriod[] = Object.freeze([Object.freeze({ from: new Date(0), until: null })]);

/**
 * Idempotent: make sure the tenant named by a token has a record. It is sealed from its creation
 * (no opt-outs), so a record whose opt-outs and seal were both removed is told from one that
 * never had any.
 */
export async function ensureTenant(model: TenantModel, tenant: string): Promise<void> {
  const seal = stateSealOf(model.db).record(KIND, sealedFields(tenant, []));
  await model.updateOne({ _id: tenant }, { $setOnInsert: { name: tenant, mipOptOutPeriods: [], seal } }, { upsert: true });
}

/** The periods of a stored tenant record if its seal verifies, else null. */
function verified(connection: Connection, record: TenantDoc): readonly OptOutPeriod[] | null {
  try {
    if (stateSealOf(connection).verifyRecord(KIND, sealedFields(record._id, record.mipOptOutPeriods), record.seal)) {
      return (record.mipOptOutPeriods ?? []).map((p) => ({ from: p.from, until: p.until ?? null }));
    }
  } catch {
    // malformed: does not verify
  }
  return null;
}

/**
 * The tenant's opt-out periods as sealed. No tenant record: none (deleting a whole record is not
 * detected by seals; SECURITY.md). A record whose seal does not verify — opt-outs edited or removed,
 * with or without the seal — is decided as opted out all along for training, and logged with
 * identifiers only.
 */
export async function tenantOptOutPeriods(connection: Connection, tenant: string, logger: Logger): Promise<readonly OptOutPeriod[]> {
  const record = await tenantModel(connection).findOne({ _id: tenant }, { mipOptOutPeriods: 1, seal: 1 }).lean<TenantDoc>().exec();
  if (!record) return NO_OPT_OUT;
  const periods = verified(connection, record);
  if (periods) return periods;
  logger.warn({ tenant }, 'tenant opt-out record does not verify: decided as opted out for training');
  return ALWAYS;
}

/**
 * Opts the tenant out of (or back into) model improvement from `now`: a compare-and-set on the
 * record as read, so a write never re-seals what a database writer changed. A record that does not
 * verify is read as it is decided — opted out since always — so opting back in releases only what
 * is created from now on. True when it changed.
 */
export async function setTenantOptOut(connection: Connection, tenant: string, optOut: boolean, now: Date, logger: Logger): Promise<boolean> {
  const Tenant = tenantModel(connection);
  const seal = stateSealOf(connection);
  const record = await Tenant.findOne({ _id: tenant }).lean<TenantDoc>().exec();
  let periods: readonly OptOutPeriod[] = NO_OPT_OUT;
  if (record) {
    periods = verified(connection, record) ?? ALWAYS;
    if (periods === ALWAYS) logger.warn({ tenant }, 'tenant opt-out record does not verify: changed from opted out since always');
  }
  const next = changeOptOut(periods, optOut, now);
  if (!next) return false;
  const update = { $set: { mipOptOutPeriods: next, seal: seal.record(KIND, sealedFields(tenant, next)) }, $setOnInsert: { name: tenant } };
  const asRead = record ? { _id: tenant, seal: record.seal ?? null } : { _id: tenant };
  const written = await Tenant.updateOne(asRead, update, { upsert: !record }).exec();
  if (written.matchedCount === 0 && written.upsertedCount === 0) throw new GovgateError('INTERNAL_SERVER_ERROR', "the tenant's settings changed concurrently; try again");
  return true;
}
