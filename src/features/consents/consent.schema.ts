import { requireAuthenticated } from '../../auth/index.js';
import { builder } from '../../builder.js';
import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { isPurpose } from '../../governance/taxonomy/index.js';
import { userLoaders } from '../users/index.js';
import { consentModel, type ConsentDoc, type ConsentStatus } from './consent.model.js';

const ConsentStatusEnum = builder.enumType('ConsentStatus', { values: ['GRANTED', 'WITHDRAWN'] as const });
const PREFERENCE = { category: 'user.privacy_preferences', purposes: ['essential', 'essential.legal_obligation'], strategy: 'null' } as const;

const ConsentRef = builder.objectRef<ConsentDoc>('Consent').implement({
  description: 'One entry of a subject\'s append-only consent history.',
  governance: { subjectOf: (c) => c.subject, tenantOf: (c) => c.tenant, timestampOf: (c) => c.at },
  fields: (t) => ({
    // The id training samples name as their consentId (lineage).
    id: t.exposeID('_id', { governance: { category: 'system.operations', purposes: ['essential'], strategy: 'null' } }),
    purpose: t.exposeString('purpose', { nullable: true, governance: PREFERENCE }),
    status: t.expose('status', { type: ConsentStatusEnum, nullable: true, governance: PREFERENCE }),
    policyVersion: t.exposeString('policyVersion', { nullable: true, governance: PREFERENCE }),
    at: t.expose('at', { type: 'DateTime', governance: { category: 'system.operations', purposes: ['essential'], strategy: 'null' } }),
  }),
});

function checkedPurpose(purpose: string): string {
  if (!isPurpose(purpose)) throw new GovgateError('BAD_USER_INPUT', 'purpose: unknown purpose');
  return purpose;
}

builder.queryFields((t) => ({
  myConsents: t.field({
    type: [ConsentRef],
    description: 'The caller\'s full consent history, oldest first: a withdrawal is appended, never overwrites.',
    resolve: (_root, _args, ctx) => {
      const { tenant, subject } = requireAuthenticated(ctx.caller);
      return consentModel(ctx.connection).find({ tenant, subject }).sort({ _id: 1 }).lean<ConsentDoc[]>().exec();
    },
  }),
}));

builder.mutationFields((t) => {
  const append = async (ctx: GatewayContext, purpose: string, status: ConsentStatus, policyVersion: string) => {
    const { tenant, subject } = requireAuthenticated(ctx.caller);
    if (!(await userLoaders(ctx).bySubject.load(subject))) throw new GovgateError('BAD_USER_INPUT', 'register an account first');
    const created = await consentModel(ctx.connection).create({ tenant, subject, purpose, status, policyVersion, at: new Date() });
    return created.toObject();
  };
  return {
    grantConsent: t.field({
      type: ConsentRef,
      description: 'Grant consent to a purpose under the version of its terms the subject was shown; a consent counts only under the purpose\'s current version (`policy.consentPurposes`).',
      args: {
        purpose: t.arg.string({ required: true }),
        policyVersion: t.arg.string({ description: 'The version of the purpose\'s terms. Defaults to its current version (else the active pack\'s).' }),
      },
      resolve: (_root, args, ctx) => {
        const purpose = checkedPurpose(args.purpose);
        return append(ctx, purpose, 'GRANTED', args.policyVersion ?? ctx.pack.consentVersionFor(purpose));
      },
    }),
    withdrawConsent: t.field({
      type: ConsentRef,
      args: { purpose: t.arg.string({ required: true }) },
      resolve: (_root, args, ctx) => {
        const purpose = checkedPurpose(args.purpose);
        return append(ctx, purpose, 'WITHDRAWN', ctx.pack.consentVersionFor(purpose));
      },
    }),
  };
});
