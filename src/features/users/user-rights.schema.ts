import { requireAuthenticated } from '../../auth/index.js';
import { builder } from '../../builder.js';
import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { isPurpose } from '../../governance/taxonomy/index.js';
import { userModel, type UserDoc } from './user.model.js';
import { UserRef } from './user.schema.js';

/** Updates the caller's own record; the decision engine honours the change from the next request. */
async function updateOwn(ctx: GatewayContext, update: Record<string, unknown>): Promise<UserDoc> {
  const { tenant, subject } = requireAuthenticated(ctx.caller);
  const updated = await userModel(ctx.connection)
    .findOneAndUpdate({ tenant, subject }, update, { returnDocument: 'after' })
    .lean<UserDoc>()
    .exec();
  if (!updated) throw new GovgateError('BAD_USER_INPUT', 'register an account first');
  return updated;
}

builder.mutationFields((t) => ({
  restrictProcessing: t.field({
    type: UserRef,
    description: 'Art. 18: restrict (or lift the restriction of) processing of the caller\'s data by others.',
    args: { restricted: t.arg.boolean({ required: true }) },
    resolve: (_root, { restricted }, ctx) => updateOwn(ctx, { $set: { restricted } }),
  }),
  objectToProcessing: t.field({
    type: UserRef,
    description: 'Art. 21: object to processing of the caller\'s data for a purpose (and its children).',
    args: { purpose: t.arg.string({ required: true }) },
    resolve: (_root, { purpose }, ctx) => {
      if (!isPurpose(purpose)) throw new GovgateError('BAD_USER_INPUT', 'purpose: unknown purpose');
      return updateOwn(ctx, { $addToSet: { objections: purpose } });
    },
  }),
}));
