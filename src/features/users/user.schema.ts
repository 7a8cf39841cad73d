import { subjectKeysOf } from '../../keys/index.js';
import { requireAuthenticated } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { paginateById } from '../../db/paginate.js';
import { GovgateError } from '../../errors.js';
import { ageOn } from '../../governance/age.js';
import { parseInput } from '../../validate.js';
import { ensureTenant, tenantModel } from '../tenants/index.js';
import { issueGuardianConfirmation } from './guardian-confirmation.js';
import { registerInputSchema } from './user.inputs.js';
import { userLoaders } from './user.loaders.js';
import { recordStateChange } from './state-history.js';
import { userModel, type UserDoc } from './user.model.js';

export const UserRef = builder.objectRef<UserDoc>('User');

UserRef.implement({
  description: 'A registered user of the tenant (the data subject).',
  governance: { subjectOf: (u) => u.subject, tenantOf: (u) => u.tenant, timestampOf: (u) => u.createdAt },
  fields: (t) => ({
    id: t.exposeID('subject', {
      description: "The `sub` of this user's tokens.",
      governance: { category: 'user.unique_id', purposes: ['essential', 'analytics.reporting', 'train_ai_system', 'functional.service.improve'], strategy: 'hash' },
    }),
    displayName: t.exposeString('displayName', {
      nullable: true,
      governance: { category: 'user.name', purposes: ['essential', 'personalize', 'marketing.communications'], strategy: 'truncate' },
    }),
    email: t.exposeString('email', {
      nullable: true,
      governance: { category: 'user.contact.email', purposes: ['essential', 'marketing.communications'], strategy: 'mask' },
    }),
    phone: t.exposeString('phone', {
      nullable: true,
      governance: { category: 'user.contact.phone_number', purposes: ['essential.service', 'essential.legal_obligation'], strategy: 'mask' },
    }),
    birthDate: t.field({
      type: 'Date',
      nullable: true,
      governance: { category: 'user.demographic.date_of_birth', purposes: ['essential.service', 'essential.legal_obligation', 'analytics.reporting'], strategy: 'generalize' },
      resolve: (u) => u.birthDate ?? null,
    }),
    country: t.exposeString('country', {
      nullable: true,
      governance: { category: 'user.location.coarse', purposes: ['essential', 'analytics.reporting', 'personalize'], strategy: 'null' },
    }),
    objections: t.exposeStringList('objections', {
      nullable: true,
      description: 'Art. 21: the purposes this user objected to (objectToProcessing / withdrawObjection).',
      governance: { category: 'user.privacy_preferences', purposes: ['essential', 'essential.legal_obligation'], strategy: 'null' },
    }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      governance: { category: 'system.operations', purposes: ['essential', 'analytics.reporting'], strategy: 'null' },
    }),
  }),
});

const UserConnection = builder.connectionObject({ type: UserRef, name: 'UserConnection' });

const GuardianInput = builder.inputType('GuardianInput', {
  description:
    'How a minor registers where the active pack has a guardian route: the guardian is sent a one-time token and confirms with an account of their own. `consent` is the child\'s statement and never counts.',
  fields: (t) => ({
    name: t.string({ required: true }),
    email: t.string({ required: true }),
    consent: t.boolean({ required: true }),
  }),
});

const RegisterInput = builder.inputType('RegisterInput', {
  fields: (t) => ({
    displayName: t.string({ required: true }),
    email: t.string({ required: true }),
    phone: t.string(),
    birthDate: t.field({ type: 'Date', required: true }),
    country: t.string({ required: true, description: 'ISO 3166-1 alpha-2' }),
    policyVersion: t.string({ description: 'Defaults to the active pack\'s version.' }),
    guardian: t.field({ type: GuardianInput }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({
    type: UserRef,
    nullable: true,
    description: 'The caller\'s own account, or null before registerAccount.',
    resolve: (_root, _args, ctx) => userLoaders(ctx).bySubject.load(requireAuthenticated(ctx.caller).subject),
  }),
  user: t.field({
    type: UserRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => {
      requireAuthenticated(ctx.caller);
      return userLoaders(ctx).bySubject.load(String(id));
    },
  }),
  users: t.field({
    type: UserConnection,
    description: 'Users of the caller\'s tenant, oldest first.',
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const { tenant } = requireAuthenticated(ctx.caller);
      const page = await paginateById(userModel(ctx.connection), { tenant }, args);
      // Prime the loader so nested lookups of these users cost nothing.
      const loader = userLoaders(ctx).bySubject;
      for (const { node } of page.edges) loader.prime(node.subject, node);
      return page;
    },
  }),
}));

builder.mutationFields((t) => ({
  registerAccount: t.field({
    type: UserRef,
    description: 'Create the caller\'s account; its id is the token subject.',
    args: { input: t.arg({ type: RegisterInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const caller = requireAuthenticated(ctx.caller);
      const data = parseInput(registerInputSchema, input);
      const { minimumAge, guardian: route } = ctx.pack.file;
      const admission = ctx.pack.ageAdmission(ageOn(data.birthDate, new Date()));
      if (admission === 'refused') {
        throw new GovgateError('AGE_RESTRICTED', `users under ${minimumAge.age} cannot register, whatever a guardian says (${minimumAge.source})`);
      }
      // The child names the guardian; only the guardian's own confirmation counts (the child's `consent` flag never does).
      if (admission === 'guardian' && !data.guardian) {
        throw new GovgateError('AGE_RESTRICTED', `users of this age register with their guardian's name and e-mail, and the guardian confirms (${route.source})`);
      }
      const guardian = admission === 'guardian' && data.guardian ? { name: data.guardian.name, email: data.guardian.email, consent: false, at: new Date() } : null;
      const User = userModel(ctx.connection);
      await ensureTenant(tenantModel(ctx.connection), caller.tenant);
      subjectKeysOf(ctx.connection).readmit(caller.tenant, caller.subject);
      try {
        const created = await User.create({
          tenant: caller.tenant,
          subject: caller.subject,
          displayName: data.displayName,
          email: data.email,
          phone: data.phone ?? null,
          birthDate: data.birthDate,
          country: data.country,
          policyVersion: data.policyVersion ?? ctx.pack.version,
          guardian,
        });
        const user = created.toObject();
        await recordStateChange(ctx.connection, user, user.createdAt);
        // The account exists from here, decided as a minor without consent until the guardian confirms.
        if (guardian) await issueGuardianConfirmation(ctx, user);
        return user;
      } catch (error) {
        if ((error as { code?: number }).code === 11000) {
          throw new GovgateError('BAD_USER_INPUT', 'this subject already has an account in this tenant');
        }
        throw error;
      }
    },
  }),
}));
