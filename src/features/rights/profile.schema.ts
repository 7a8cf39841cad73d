import { builder } from '../../builder.js';
import { UserRef } from '../users/index.js';
import { updateMyProfile } from './update-profile.js';
import { recordDsr } from './dsr-log.js';

const ProfileInput = builder.inputType('ProfileInput', {
  description:
    'Art. 16 rectification of the caller\'s own profile: only the fields given change (at least one), each under registration\'s rules. ' +
    '`phone: null` removes the phone number; the other fields are corrected, never removed.',
  fields: (t) => ({
    displayName: t.string(),
    email: t.string(),
    phone: t.string(),
    country: t.string({ description: 'ISO 3166-1 alpha-2' }),
    birthDate: t.field({ type: 'Date', description: 'Re-checked against the pack\'s age admission: a date that would make the account inadmissible is AGE_RESTRICTED.' }),
  }),
});

builder.mutationFields((t) => ({
  updateMyProfile: t.field({
    type: UserRef,
    description:
      'Art. 16: correct the caller\'s own profile (the caller needs an account). The audit event names the changed fields (`User.email`, ...), never their values.',
    args: { input: t.arg({ type: ProfileInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const updated = await updateMyProfile(ctx, input);
      await recordDsr(ctx, 'RECTIFICATION', { tenant: updated.tenant, subject: updated.subject, auditId: ctx.governance.intentId });
      return updated;
    },
  }),
}));
