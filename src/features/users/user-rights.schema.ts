import { requireAuthenticated } from '../../auth/index.js';
import { builder } from '../../builder.js';
import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { isPurpose } from '../../governance/taxonomy/index.js';
import type { UserDoc } from './user.model.js';
import { UserRef } from './user.schema.js';
import { changeUserState, type UserStateChange } from './user-state-writer.js';

/** Updates the caller's own record; the decision engine honours the change from the next request. */
async function updateOwn(ctx: GatewayContext, change: (current: UserDoc) => UserStateChange): Promise<UserDoc> {
  const { tenant, subject } = requireAuthenticated(ctx.caller);
  const updated = await changeUserState(ctx, tenant, subject, change);
  if (!updated) throw new GovgateError('BAD_USER_INPUT', 'register an account first');
  return updated;
}

builder.mutationFields((t) => ({
  restrictProcessing: t.field({
    type: UserRef,
    description: 'Art. 18: restrict (or lift the restriction of) processing of the caller\'s data by others.',
    args: { restricted: t.arg.boolean({ required: true }) },
    resolve: (_root, { restricted }, ctx) => updateOwn(ctx, () => ({ restricted })),
  }),
  objectToProcessing: t.field({
    type: UserRef,
    description: 'Art. 21: object to processing of the caller\'s data for a purpose (and its children); only purposes the active pack lists in `policy.objectablePurposes`.',
    args: { purpose: t.arg.string({ required: true }) },
    resolve: (_root, { purpose }, ctx) => {
      if (!isPurpose(purpose)) throw new GovgateError('BAD_USER_INPUT', 'purpose: unknown purpose');
      // Art. 21 reaches legitimate interests, marketing and profiling, never what the service or the law needs.
      if (!ctx.pack.isObjectable(purpose)) throw new GovgateError('BAD_USER_INPUT', 'purpose: not open to objection under the active policy (see policy.objectablePurposes)');
      return updateOwn(ctx, (current) => ({ objections: current.objections.includes(purpose) ? current.objections : [...current.objections, purpose] }));
    },
  }),
  withdrawObjection: t.field({
    type: UserRef,
    description: 'Withdraw an earlier objection to a purpose (exactly as objected); processing for it resumes from the next request. Withdrawing one not on record changes nothing.',
    args: { purpose: t.arg.string({ required: true }) },
    resolve: (_root, { purpose }, ctx) => {
      if (!isPurpose(purpose)) throw new GovgateError('BAD_USER_INPUT', 'purpose: unknown purpose');
      // Any objection on record may be withdrawn, also one the pack no longer lists as objectable.
      return updateOwn(ctx, (current) => ({ objections: current.objections.filter((o) => o !== purpose) }));
    },
  }),
}));
