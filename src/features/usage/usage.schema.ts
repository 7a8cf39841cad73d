import { requireAuthenticated, requireRole, subjectOrCaller } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { paginateById } from '../../db/paginate.js';
import { GovgateError } from '../../errors.js';
import { parseInput } from '../../validate.js';
import { UserRef, userLoaders } from '../users/index.js';
import { apiUsageModel, type ApiUsageDoc } from './api-usage.model.js';
import { apiUsageInputSchema } from './usage.inputs.js';
import { usageLoaders } from './usage.loaders.js';

export const ApiUsageRecordRef = builder.objectRef<ApiUsageDoc>('ApiUsageRecord');

const OPERATIONAL = { category: 'system.operations', purposes: ['essential', 'analytics.reporting'], strategy: 'null' } as const;
// 003 §6: log data serves security and analytics; 001 §7.3(iv): limited logs may serve model improvement.
const USAGE = {
  category: 'user.behavior.api_usage',
  purposes: ['essential.service', 'essential.legal_obligation', 'analytics.reporting', 'functional.service.improve'],
  strategy: 'null',
} as const;
const DEVICE_PURPOSES = ['essential.service', 'essential.legal_obligation'];

ApiUsageRecordRef.implement({
  description: 'Metadata of one API call a user made (never its content).',
  governance: { subjectOf: (u) => u.owner, tenantOf: (u) => u.tenant, timestampOf: (u) => u.createdAt, optedOutOf: (u) => u.mipOptOut },
  fields: (t) => ({
    id: t.exposeID('_id', { governance: OPERATIONAL }),
    operation: t.exposeString('operation', { nullable: true, governance: USAGE }),
    model: t.exposeString('model', { nullable: true, description: 'Model or agent kind the call used.', governance: USAGE }),
    statusCode: t.exposeInt('statusCode', { nullable: true, governance: USAGE }),
    latencyMs: t.exposeInt('latencyMs', { nullable: true, governance: USAGE }),
    // A stable pseudonym where the address may not leave: security analysis can still correlate.
    ipAddress: t.exposeString('ipAddress', { nullable: true, governance: { category: 'user.device.ip_address', purposes: DEVICE_PURPOSES, strategy: 'hash' } }),
    userAgent: t.exposeString('userAgent', { nullable: true, description: 'Device type, operating system and browser.', governance: { category: 'user.device', purposes: DEVICE_PURPOSES, strategy: 'null' } }),
    owner: t.field({
      type: UserRef,
      nullable: true,
      governance: { category: 'user.unique_id', purposes: ['essential', 'analytics.reporting', 'functional.service.improve'], strategy: 'null' },
      resolve: (u, _args, ctx) => userLoaders(ctx).bySubject.load(u.owner),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', governance: OPERATIONAL }),
  }),
});

const ApiUsageRecordConnection = builder.connectionObject({ type: ApiUsageRecordRef, name: 'ApiUsageRecordConnection' });

const ApiUsageInput = builder.inputType('ApiUsageInput', {
  fields: (t) => ({
    subject: t.id({ required: true, description: 'The user whose call this was (their token `sub`).' }),
    operation: t.string({ required: true }),
    model: t.string(),
    statusCode: t.int({ required: true }),
    latencyMs: t.int({ required: true }),
    ipAddress: t.string(),
    userAgent: t.string(),
  }),
});

builder.queryFields((t) => ({
  apiUsageRecord: t.field({
    type: ApiUsageRecordRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => {
      requireAuthenticated(ctx.caller);
      return usageLoaders(ctx).byId.load(String(id));
    },
  }),
  apiUsage: t.field({
    type: ApiUsageRecordConnection,
    description: "API calls of one user of the caller's tenant (default: the caller's own), oldest first.",
    args: { subject: t.arg.id(), first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, ctx) => {
      const caller = requireAuthenticated(ctx.caller);
      return paginateById(apiUsageModel(ctx.connection), { tenant: caller.tenant, owner: subjectOrCaller(caller, args.subject) }, args);
    },
  }),
}));

builder.mutationFields((t) => ({
  recordApiUsage: t.field({
    type: ApiUsageRecordRef,
    description: "A platform `service` records one API call of a user (metadata only). `X-MIP-Opt-Out` on this request marks it opted out.",
    args: { input: t.arg({ type: ApiUsageInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const caller = requireRole(ctx.caller, ['service'], 'recording API usage');
      const data = parseInput(apiUsageInputSchema, { ...input, subject: String(input.subject) });
      if (!(await userLoaders(ctx).bySubject.load(data.subject))) throw new GovgateError('BAD_USER_INPUT', 'subject: no such user');
      const created = await apiUsageModel(ctx.connection).create({
        tenant: caller.tenant,
        owner: data.subject,
        operation: data.operation,
        model: data.model ?? null,
        statusCode: data.statusCode,
        latencyMs: data.latencyMs,
        ipAddress: data.ipAddress ?? null,
        userAgent: data.userAgent ?? null,
        mipOptOut: ctx.mipOptOut,
      });
      return created.toObject();
    },
  }),
}));
