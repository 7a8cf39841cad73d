import { requireAuthenticated, requireRole } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { GovgateError } from '../../errors.js';
import { changeOptOut, optedOutNow, type OptOutPeriod } from '../../governance/opt-out.js';
import type { FieldGovernance } from '../../governance/types.js';
import { setTenantOptOut, tenantOptOutPeriods } from '../tenants/index.js';
import { changeUserState, userLoaders } from '../users/index.js';

/** An opt-out setting as served: whose (null: the tenant's own), and its periods. */
interface OptOutStatus {
  readonly tenant: string;
  readonly subject: string | null;
  readonly optedOut: boolean;
  readonly periods: readonly (OptOutPeriod & { readonly tenant: string; readonly subject: string | null })[];
}

const DESCRIPTION =
  'content created while opted out is never used for training; content created before stays usable (001 §7.5: not retroactive). Opting back in ends the period; it never reopens what was created inside it.';

/** The two settings differ only in whose they are: an account's is its subject's privacy preference, a tenant's is about no person. */
function optOutType(name: string, what: string, governance: FieldGovernance) {
  const typeGovernance = { subjectOf: (s: { subject: string | null }) => s.subject, tenantOf: (s: { tenant: string }) => s.tenant };
  const Period = builder.objectRef<OptOutStatus['periods'][number]>(`${name}Period`).implement({
    governance: typeGovernance,
    fields: (t) => ({
      from: t.expose('from', { type: 'DateTime', nullable: true, governance }),
      until: t.expose('until', { type: 'DateTime', nullable: true, governance }),
    }),
  });
  return builder.objectRef<OptOutStatus>(name).implement({
    description: `${what}: ${DESCRIPTION}`,
    governance: typeGovernance,
    fields: (t) => ({
      optedOut: t.exposeBoolean('optedOut', { nullable: true, governance }),
      periods: t.field({ type: [Period], governance: { ...governance, strategy: 'drop' }, resolve: (s) => [...s.periods] }),
    }),
  });
}

const AccountOptOutRef = optOutType('ModelImprovementOptOut', "An account's model-improvement opt-out (001 §7.6)", { category: 'user.privacy_preferences', purposes: ['essential.service', 'essential.legal_obligation'], strategy: 'null' });
const TenantOptOutRef = optOutType('TenantModelImprovementOptOut', "A tenant's model-improvement opt-out, set by its tenant_admin (001 §7.6)", { category: 'system.operations', purposes: ['essential'], strategy: 'null' });

function statusOf(tenant: string, subject: string | null, periods: readonly OptOutPeriod[] | null | undefined): OptOutStatus {
  const list = periods ?? [];
  return { tenant, subject, optedOut: optedOutNow(list), periods: list.map((p) => ({ from: p.from, until: p.until ?? null, tenant, subject })) };
}

builder.queryFields((t) => ({
  modelImprovementOptOut: t.field({
    type: AccountOptOutRef,
    description: "The caller's account-level model-improvement opt-out.",
    resolve: async (_root, _args, ctx) => {
      const { tenant, subject } = requireAuthenticated(ctx.caller);
      const user = await userLoaders(ctx).bySubject.load(subject);
      if (!user) throw new GovgateError('BAD_USER_INPUT', 'register an account first');
      return statusOf(tenant, subject, user.mipOptOutPeriods);
    },
  }),
  tenantModelImprovementOptOut: t.field({
    type: TenantOptOutRef,
    description: "The caller's tenant's model-improvement opt-out (any member of the tenant may read it).",
    resolve: async (_root, _args, ctx) => {
      const { tenant } = requireAuthenticated(ctx.caller);
      return statusOf(tenant, null, await tenantOptOutPeriods(ctx.connection, tenant, ctx.logger));
    },
  }),
}));

builder.mutationFields((t) => ({
  setModelImprovementOptOut: t.field({
    type: AccountOptOutRef,
    description: "Opts the caller's account out of (or back into) model improvement from now (001 §7.6 account-level setting).",
    args: { optOut: t.arg.boolean({ required: true }) },
    resolve: async (_root, { optOut }, ctx) => {
      const { tenant, subject } = requireAuthenticated(ctx.caller);
      const now = new Date();
      const updated = await changeUserState(ctx, tenant, subject, (current) => {
        const next = changeOptOut(current.mipOptOutPeriods ?? [], optOut, now);
        return next ? { mipOptOutPeriods: next } : {};
      });
      if (!updated) throw new GovgateError('BAD_USER_INPUT', 'register an account first');
      return statusOf(tenant, subject, updated.mipOptOutPeriods);
    },
  }),
  setTenantModelImprovementOptOut: t.field({
    type: TenantOptOutRef,
    description: 'Opts the whole tenant out of (or back into) model improvement from now (tenant_admin; others FORBIDDEN).',
    args: { optOut: t.arg.boolean({ required: true }) },
    resolve: async (_root, { optOut }, ctx) => {
      const { tenant } = requireRole(ctx.caller, ['tenant_admin'], 'setTenantModelImprovementOptOut');
      await setTenantOptOut(ctx.connection, tenant, optOut, new Date(), ctx.logger);
      return statusOf(tenant, null, await tenantOptOutPeriods(ctx.connection, tenant, ctx.logger));
    },
  }),
}));
