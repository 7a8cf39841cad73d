import { evidenceBundle, verifyAuditLog, type AuditEventDoc, type AuditVerification, type ChainVerification } from '../../audit/index.js';
import { builder } from '../../builder.js';
import { paginateCollectionById } from '../../db/paginate.js';
import { GovgateError } from '../../errors.js';
import { REASONS } from '../../governance/index.js';
import { requireComplianceOfficer } from './compliance-guard.js';

const DecisionEnum = builder.enumType('Decision', { values: ['ALLOW', 'REDACT', 'DENY'] as const });
const ReasonEnum = builder.enumType('ReasonCode', { values: REASONS });

type Decision = AuditEventDoc['decisions'][number];
type Actor = AuditEventDoc['actor'];

const AuditActor = builder.objectRef<Actor>('AuditActor').implement({
  fields: (t) => ({
    subject: t.exposeID('subject', { nullable: true }),
    tenant: t.exposeString('tenant', { nullable: true }),
    roles: t.exposeStringList('roles'),
    client: t.exposeString('client', { nullable: true }),
  }),
});

const AuditDecision = builder.objectRef<Decision>('AuditDecision').implement({
  description: 'One (subject, field coordinate) decision of a request. Never a value.',
  fields: (t) => ({
    subject: t.exposeID('subject', { nullable: true }),
    coordinate: t.exposeString('coordinate', { description: '`Type.field`' }),
    category: t.exposeString('category'),
    purpose: t.exposeString('purpose'),
    decision: t.expose('decision', { type: DecisionEnum }),
    reason: t.expose('reason', { type: ReasonEnum, nullable: true }),
  }),
});

const AuditEvent = builder.objectRef<AuditEventDoc>('AuditEvent').implement({
  description: 'An append-only, hash-chained record of one request that touched governed data.',
  fields: (t) => ({
    id: t.exposeID('_id'),
    seq: t.exposeInt('seq'),
    chainId: t.exposeString('chainId'),
    at: t.expose('at', { type: 'DateTime' }),
    requestId: t.exposeString('requestId'),
    actor: t.expose('actor', { type: AuditActor }),
    purpose: t.exposeString('purpose', { nullable: true }),
    legalBasis: t.exposeString('legalBasis', { nullable: true }),
    operationName: t.exposeString('operationName', { nullable: true }),
    operationType: t.exposeString('operationType', { nullable: true }),
    documentHash: t.exposeString('documentHash', { nullable: true }),
    outcome: t.exposeString('outcome'),
    code: t.exposeString('code', { nullable: true }),
    subjects: t.exposeIDList('subjects'),
    accesses: t.exposeStringList('accesses'),
    decisions: t.expose('decisions', { type: [AuditDecision] }),
    hash: t.exposeString('hash'),
    prevHash: t.exposeString('prevHash'),
  }),
});

const AuditEventConnection = builder.connectionObject({ type: AuditEvent, name: 'AuditEventConnection' });

const AuditFilter = builder.inputType('AuditFilter', {
  fields: (t) => ({
    subject: t.id({ description: 'Events that touched this data subject.' }),
    actor: t.id({ description: 'Events of requests by this caller.' }),
    operationName: t.string(),
    from: t.field({ type: 'DateTime' }),
    to: t.field({ type: 'DateTime' }),
    decision: t.field({ type: DecisionEnum, description: 'Events with at least one decision of this kind.' }),
  }),
});

const ChainVerificationRef = builder.objectRef<ChainVerification>('ChainVerification').implement({
  fields: (t) => ({
    chainId: t.exposeString('chainId'),
    ok: t.exposeBoolean('ok'),
    checkedEvents: t.exposeInt('checkedEvents'),
    checkedCheckpoints: t.exposeInt('checkedCheckpoints'),
    lastSeq: t.exposeInt('lastSeq'),
    firstBrokenSeq: t.exposeInt('firstBrokenSeq', { nullable: true }),
    reason: t.exposeString('reason', { nullable: true }),
  }),
});

const AuditVerificationRef = builder.objectRef<AuditVerification>('AuditVerification').implement({
  fields: (t) => ({
    ok: t.exposeBoolean('ok'),
    checkedEvents: t.exposeInt('checkedEvents'),
    checkedCheckpoints: t.exposeInt('checkedCheckpoints'),
    firstBrokenSeq: t.exposeInt('firstBrokenSeq', { nullable: true }),
    brokenChainId: t.exposeString('brokenChainId', { nullable: true }),
    reason: t.exposeString('reason', { nullable: true }),
    chains: t.expose('chains', { type: [ChainVerificationRef] }),
  }),
});

builder.queryFields((t) => ({
  auditEvents: t.field({
    type: AuditEventConnection,
    description: 'The tenant\'s audit events, oldest first (compliance_officer only).',
    args: { filter: t.arg({ type: AuditFilter }), first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, ctx) => {
      const { tenant } = requireComplianceOfficer(ctx, 'Query.auditEvents');
      const f = args.filter ?? {};
      const query: Record<string, unknown> = { tenant };
      if (f.subject) query.subjects = String(f.subject);
      if (f.actor) query['actor.subject'] = String(f.actor);
      if (f.operationName) query.operationName = f.operationName;
      if (f.decision) query['decisions.decision'] = f.decision;
      if (f.from || f.to) query.at = { ...(f.from ? { $gte: f.from } : {}), ...(f.to ? { $lte: f.to } : {}) };
      return paginateCollectionById(ctx.audit.store.events, query, args, { maxSize: 500 });
    },
  }),
  verifyAuditLog: t.field({
    type: AuditVerificationRef,
    description: 'Recomputes every chain of the tenant and checks every signed checkpoint.',
    resolve: async (_root, _args, ctx) => {
      const { tenant } = requireComplianceOfficer(ctx, 'Query.verifyAuditLog');
      return verifyAuditLog(ctx.audit.store, tenant, await ctx.audit.jwks());
    },
  }),
  evidenceBundle: t.field({
    type: 'String',
    description: 'A compact JWS over the range: event hashes and coordinates, checkpoints, verification, pack, Art. 28(3) map.',
    args: { from: t.arg({ type: 'DateTime', required: true }), to: t.arg({ type: 'DateTime', required: true }) },
    resolve: (_root, { from, to }, ctx) => {
      const { tenant } = requireComplianceOfficer(ctx, 'Query.evidenceBundle');
      if (from.getTime() > to.getTime()) throw new GovgateError('BAD_USER_INPUT', 'from must not be after to');
      return evidenceBundle(ctx.audit, ctx.pack, { tenant, from, to });
    },
  }),
}));
