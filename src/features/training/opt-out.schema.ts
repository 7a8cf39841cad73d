import { requireAuthenticated, requireRole } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { GovgateError } from '../../errors.js';
import { changeOptOut, optedOutNow, type OptOutPeriod } from '../../governance/opt-out.js';
import { setTenantOptOut, tenantOptOutPeriods } from '../tenants/index.js';
import { changeUserState, userLoaders } from '../users/index.js';

interface OptOutStatus {
  optedOut: boolean;
  periods: readonly OptOutPeriod[];
}

const OptOutPeriodRef = builder.objectRef<OptOutPeriod>('OptOutPeriod').implement({
  fields: (t) => ({
    from: t.expose('from', { type: 'DateTime' }),
    until: t.expose('until', { type: 'DateTime', nullable: true }),
  }),
});

const OptOutStatusRef = builder.objectRef<OptOutStatus>('ModelImprovementOptOut').implement({
  description:
    'A model-improvement opt-out (001 §7.4–7.6): content created while opted out is never used for training; content created before stays usable (not retroactive). Opting back in ends the period, it never reopens what was created inside it.',
  fields: (t) => ({
    optedOut: t.exposeBoolean('optedOut'),
    periods: t.field({ type: [OptOutPeriodRef], resolve: (s) => [...s.periods] }),
  }),
});

const statusOf = (periods: readonly OptOutPeriod[] | null | undefined): OptOutStatus => ({ optedOut: optedOutNow(periods ?? []), periods: periods ?? [] });

builder.queryFields((t) => ({
  modelImprovementOptOut: t.field({
    type: OptOutStatusRef,
    description: "The caller's account-level opt-out; with `tenant: true`, their tenant's.",
    args: { tenant: t.arg.boolean() },
    resolve: async (_root, args, ctx) => {
      const caller = requireAuthenticated(ctx.caller);
      if (args.tenant) return statusOf(await tenantOptOutPeriods(ctx.connection, caller.tenant, ctx.logger));
      const user = await userLoaders(ctx).bySubject.load(caller.subject);
      if (!user) throw new GovgateError('BAD_USER_INPUT', 'register an account first');
      return statusOf(user.mipOptOutPeriods);
    },
  }),
}));

builder.mutationFields((t) => ({
  setModelImprovementOptOut: t.field({
    type: OptOutStatusRef,
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
      return statusOf(updated.mipOptOutPeriods);
    },
  }),
  setTenantModelImprovementOptOut: t.field({
    type: OptOutStatusRef,
    description: 'Opts the whole tenant out of (or back into) model improvement from now (tenant_admin).',
    args: { optOut: t.arg.boolean({ required: true }) },
    resolve: async (_root, { optOut }, ctx) => {
      const { tenant } = requireRole(ctx.caller, ['tenant_admin'], 'setTenantModelImprovementOptOut');
      await setTenantOptOut(ctx.connection, tenant, optOut, new Date());
      return statusOf(await tenantOptOutPeriods(ctx.connection, tenant, ctx.logger));
    },
  }),
}));
