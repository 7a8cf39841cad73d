import { requireAuthenticated } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { GovgateError } from '../../errors.js';
import { ageOn } from '../../governance/age.js';
import { parseInput } from '../../validate.js';
import { issueGuardianConfirmation, redeemGuardianToken, type GuardianConfirmationResult } from './guardian-confirmation.js';
import { guardianContactSchema } from './user.inputs.js';
import type { UserDoc } from './user.model.js';
import { UserRef } from './user.schema.js';
import { changeUserState } from './user-state-writer.js';

const GuardianStatusEnum = builder.enumType('GuardianStatus', {
  values: {
    NOT_REQUIRED: { description: 'The active pack needs no guardian for this user\'s age.' },
    PENDING: { description: 'A guardian\'s confirmed consent is needed and not given yet: the account is decided as a minor without consent.' },
    CONFIRMED: { description: 'The guardian confirmed, with an account of their own.' },
  } as const,
});

const GuardianConfirmationRef = builder.objectRef<GuardianConfirmationResult>('GuardianConfirmation').implement({
  description: 'The outcome of a guardian\'s confirmation (no personal data).',
  fields: (t) => ({
    status: t.exposeString('status'),
    confirmedAt: t.expose('confirmedAt', { type: 'DateTime' }),
  }),
});

const GuardianContactInput = builder.inputType('GuardianContactInput', {
  description: 'Where a guardian\'s confirmation request is sent.',
  fields: (t) => ({ name: t.string({ required: true }), email: t.string({ required: true }) }),
});

builder.objectField(UserRef, 'guardianStatus', (t) =>
  t.field({
    type: GuardianStatusEnum,
    nullable: true,
    description: 'Whether this user needs (and has) their guardian\'s confirmed consent under the active pack.',
    governance: { category: 'user.children', purposes: ['essential', 'essential.legal_obligation'], strategy: 'null' },
    resolve: (u: UserDoc, _args, ctx) => {
      if (u.guardian?.consent) return 'CONFIRMED';
      const age = u.birthDate ? ageOn(u.birthDate, new Date()) : null;
      return ctx.pack.ageAdmission(age) === 'alone' ? 'NOT_REQUIRED' : 'PENDING';
    },
  }),
);

builder.mutationFields((t) => ({
  confirmGuardianConsent: t.field({
    type: GuardianConfirmationRef,
    description:
      'A guardian confirms their consent for a minor\'s account with the one-time token the gateway sent them, signed in with an account of their own in the same tenant (never the child\'s).',
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, { token }, ctx) => redeemGuardianToken(ctx, token),
  }),
  requestGuardianConfirmation: t.field({
    type: UserRef,
    description: 'A minor whose pack needs a guardian\'s confirmed consent names their guardian (again): a new one-time token goes to the guardian, earlier ones stop working.',
    args: { guardian: t.arg({ type: GuardianContactInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const { tenant, subject } = requireAuthenticated(ctx.caller);
      const contact = parseInput(guardianContactSchema, args.guardian);
      const updated = await changeUserState(ctx, tenant, subject, (current) => {
        if (current.guardian?.consent) throw new GovgateError('BAD_USER_INPUT', 'your guardian has already confirmed');
        // The record's birth date has just been verified by the writer.
        const age = current.birthDate ? ageOn(current.birthDate, new Date()) : null;
        if (ctx.pack.ageAdmission(age) === 'alone') throw new GovgateError('BAD_USER_INPUT', 'this account needs no guardian\'s consent under the active policy');
        return { guardian: { ...contact, consent: false, at: new Date(), confirmedAt: null, confirmedBy: null } };
      });
      if (!updated) throw new GovgateError('BAD_USER_INPUT', 'register an account first');
      await issueGuardianConfirmation(ctx, updated);
      return updated;
    },
  }),
}));
