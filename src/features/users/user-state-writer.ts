import { stateSealOf } from '../../db/connection-seal.js';
import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { recordStateChange } from './state-history.js';
import { userModel, type UserDoc } from './user.model.js';

/** What a rights request (restriction, objection, rectification of the birth date, erasure) or a guardian's confirmation may change of the sealed state. */
export type UserStateChange = Partial<Pick<UserDoc, 'restricted' | 'objections' | 'guardian' | 'birthDate' | 'erasure' | 'erasedAt' | 'erasureDueAt' | 'mipOptOutPeriods'>>;

/** Concurrent changes of one account retry this often before giving up. */
const ATTEMPTS = 3;

/**
 * Changes the sealed state of one user record — the caller's own for rights requests, a minor's for
 * their guardian's confirmation: read it, verify its seal, compute the
 * change, and write it with the new seal only if the record is still exactly what was verified (a
 * compare-and-set on every sealed field). So a gateway write never re-seals — launders — what a
 * database writer changed: a record that does not verify is refused, and stays decided as
 * restricted. Null: no such user.
 */
export async function changeUserState(ctx: GatewayContext, tenant: string, subject: string, change: (current: UserDoc) => UserStateChange): Promise<UserDoc | null> {
  const User = userModel(ctx.connection);
  const seal = stateSealOf(ctx.connection);
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const current = await User.findOne({ tenant, subject }).lean<UserDoc>().exec();
    if (!current) return null;
    if (!seal.verifyUser(current)) {
      ctx.logger.warn({ tenant, subject, requestId: ctx.requestId }, 'user record seal does not verify: state change refused');
      throw new GovgateError('INTERNAL_SERVER_ERROR', 'this account record failed its integrity check; nothing was changed');
    }
    const patch = change(current);
    const periods = current.mipOptOutPeriods ?? [];
    const asVerified = {
      _id: current._id,
      seal: current.seal,
      tenant: current.tenant,
      subject: current.subject,
      restricted: current.restricted,
      objections: current.objections,
      erasure: current.erasure,
      erasureDueAt: current.erasureDueAt ?? null,
      birthDate: current.birthDate ?? null,
      'guardian.consent': current.guardian?.consent ?? null,
      // An account without opt-outs may have no such field at all (older records).
      ...(periods.length > 0 ? { mipOptOutPeriods: periods } : { $or: [{ mipOptOutPeriods: { $exists: false } }, { mipOptOutPeriods: { $size: 0 } }, { mipOptOutPeriods: null }] }),
    };
    const updated = await User.findOneAndUpdate(asVerified, { $set: { ...patch, seal: seal.user({ ...current, ...patch }) } }, { returnDocument: 'after' })
      .lean<UserDoc>()
      .exec();
    if (updated) {
      await recordStateChange(ctx.connection, updated, new Date());
      return updated;
    }
  }
  throw new GovgateError('INTERNAL_SERVER_ERROR', 'the account changed concurrently; try again');
}
