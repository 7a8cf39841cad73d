import { decisionsOf, evidenceBundle, identifyEvents, PROBLEM_KINDS, refOfSubject, type AuditEventDoc, type AuditProblem, type AuditVerification, type ChainVerification } from '../../audit/index.js';
import { builder } from '../../builder.js';
import { paginateCollectionById } from '../../db/paginate.js';
import { GovgateError } from '../../errors.js';
import { REASONS } from '../../governance/index.js';
import { subjectKeysOf } from '../../keys/index.js';
import { requireComplianceOfficer } from './compliance-guard.js';

export const DecisionEnum = builder.enumType('Decision', { values: ['ALLOW', 'REDACT', 'DENY'] as const });
export const ReasonEnum = builder.enumType('ReasonCode', {
  description:
    'Why a value was redacted. Audit decisions hold the precise reason; in a response, a reason revealing the subject\'s own state ' +
    '(CONSENT, RESTRICTED, OBJECTED, OPTED_OUT, MINOR, ERASED) shows as WITHHELD unless the caller is the subject or one of its roles ' +
    'is granted that state\'s category (user.privacy_preferences, user.demographic.date_of_birth, user.account) for the purpose.',
  values: REASONS,
});

/** The API shows one decision per (subject, coordinate); storage groups them by outcome. */
type Decision = Omit<AuditEventDoc['decisions'][number], 'subjects'> & { subject: string | null; tenant: string };
type Actor = AuditEventDoc['actor'];

// Audit records hold identifiers, never values: the subject ids are classified, the rest is
// operational. Reading them at all is limited to compliance officers by the root fields.
const RECORD = { category: 'system.operations', purposes: ['essential.legal_obligation'], strategy: 'null' } as const;
const SUBJECT_ID = { category: 'user.unique_id', purposes: ['essential.legal_obligation', 'essential.service.security'], strategy: 'hash' } as const;
const NO_SUBJECT = (): null => null;
/** Matches no stored pseudonym (they all start `sr_`). */
const NO_MATCH = 'none:no-such-subject';

const AuditActor = builder.objectRef<Actor>('AuditActor').implement({
  governance: { subjectOf: NO_SUBJECT, tenantOf: (a) => a.tenant ?? '' },
  fields: (t) => ({
    subject: t.exposeID('subject', { nullable: true, governance: SUBJECT_ID }),
    tenant: t.exposeString('tenant', { nullable: true, governance: RECORD }),
    roles: t.exposeStringList('roles', { governance: RECORD }),
    client: t.exposeString('client', { nullable: true, governance: RECORD }),
  }),
});

const AuditDecision = builder.objectRef<Decision>('AuditDecision').implement({
  description: 'One (subject, field coordinate) decision of a request. Never a value.',
  governance: { subjectOf: NO_SUBJECT, tenantOf: (d) => d.tenant },
  fields: (t) => ({
    subject: t.exposeID('subject', { nullable: true, governance: SUBJECT_ID }),
    coordinate: t.exposeString('coordinate', { description: '`Type.field`', governance: RECORD }),
    category: t.exposeString('category', { governance: RECORD }),
    purpose: t.exposeString('purpose', { governance: RECORD }),
    decision: t.expose('decision', { type: DecisionEnum, governance: RECORD }),
    reason: t.expose('reason', { type: ReasonEnum, nullable: true, governance: RECORD }),
  }),
});

type Effect = NonNullable<AuditEventDoc['effects']>[number] & { tenant: string };

const AuditEffectRef = builder.objectRef<Effect>('AuditEffect').implement({
  description: 'Records of one collection a system job (the retention sweeper) deleted or anonymised under one pack rule. Counts, never values.',
  governance: { subjectOf: NO_SUBJECT, tenantOf: (e) => e.tenant },
  fields: (t) => ({
    collection: t.exposeString('collection', { governance: RECORD }),
    action: t.exposeString('action', { description: '`DELETED` or `ANONYMISED`.', governance: RECORD }),
    count: t.exposeInt('count', { governance: RECORD }),
    category: t.exposeString('category', { description: 'The category of the rule that applied.', governance: RECORD }),
    days: t.exposeInt('days', { description: 'The rule\'s period.', governance: RECORD }),
    source: t.exposeString('source', { description: 'The clause the rule cites.', governance: RECORD }),
  }),
});

const AuditEvent = builder.objectRef<AuditEventDoc>('AuditEvent').implement({
  description: 'An append-only, hash-chained record of one request that touched governed data.',
  governance: { subjectOf: NO_SUBJECT, tenantOf: (e) => e.tenant },
  fields: (t) => ({
    id: t.exposeID('_id', { governance: RECORD }),
    seq: t.exposeInt('seq', { governance: RECORD }),
    chainId: t.exposeString('chainId', { governance: RECORD }),
    at: t.expose('at', { type: 'DateTime', governance: RECORD }),
    requestId: t.exposeString('requestId', { governance: RECORD }),
    actor: t.expose('actor', { type: AuditActor, governance: RECORD }),
    purpose: t.exposeString('purpose', { nullable: true, governance: RECORD }),
    legalBasis: t.exposeString('legalBasis', { nullable: true, governance: RECORD }),
    operationName: t.exposeString('operationName', { nullable: true, governance: RECORD }),
    operationType: t.exposeString('operationType', { nullable: true, governance: RECORD }),
    documentHash: t.exposeString('documentHash', { nullable: true, governance: RECORD }),
    outcome: t.exposeString('outcome', { governance: RECORD }),
    code: t.exposeString('code', { nullable: true, governance: RECORD }),
    intent: t.exposeID('intent', { nullable: true, description: 'For a mutation\'s outcome: the INTENT event written before it took effect.', governance: RECORD }),
    subjects: t.exposeIDList('subjects', { governance: { ...SUBJECT_ID, strategy: 'drop' } }),
    accesses: t.exposeStringList('accesses', { governance: RECORD }),
    decisions: t.field({
      type: [AuditDecision],
      governance: RECORD,
      resolve: (e) => decisionsOf(e).flatMap(({ subjects, ...d }) => subjects.map((subject) => ({ ...d, subject, tenant: e.tenant }))),
    }),
    effects: t.field({
      type: [AuditEffectRef],
      description: 'What a system job did to stored records, per rule (empty for requests).',
      governance: RECORD,
      resolve: (e) => (e.effects ?? []).map((effect) => ({ ...effect, tenant: e.tenant })),
    }),
    hash: t.exposeString('hash', { governance: RECORD }),
    prevHash: t.exposeString('prevHash', { governance: RECORD }),
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

const ChainStatusEnum = builder.enumType('ChainStatus', {
  values: {
    OPEN: { description: 'Being written by a running gateway instance.' },
    CLOSED: { description: 'Its instance stopped cleanly (the chain ends with a CLOSED event).' },
    ENDED_ABRUPTLY: { description: 'Its writer died (crash, kill, failed write): anything after lastSeq was never acknowledged to a client.' },
  } as const,
});

const ProblemKindEnum = builder.enumType('AuditProblemKind', {
  values: Object.fromEntries(Object.entries(PROBLEM_KINDS).map(([kind, description]) => [kind, { description }])) as Record<keyof typeof PROBLEM_KINDS, { description: string }>,
});

const AuditProblemRef = builder.objectRef<AuditProblem>('AuditProblem').implement({
  description: 'One thing verification found wrong with the stored audit log.',
  fields: (t) => ({
    kind: t.expose('kind', { type: ProblemKindEnum }),
    chainId: t.exposeString('chainId', { nullable: true }),
    seq: t.exposeInt('seq', { nullable: true, description: 'The first seq affected, where one can be named.' }),
    detail: t.exposeString('detail'),
  }),
});

const ChainVerificationRef = builder.objectRef<ChainVerification>('ChainVerification').implement({
  fields: (t) => ({
    chainId: t.exposeString('chainId'),
    ok: t.exposeBoolean('ok'),
    status: t.expose('status', { type: ChainStatusEnum }),
    lastCheckpointSeq: t.exposeInt('lastCheckpointSeq', { description: 'Highest seq covered by a valid signed tree head.' }),
    witnessedSize: t.exposeInt('witnessedSize', { description: 'The largest size a head kept outside the database (witness, this instance) vouches for.' }),
    pendingEvents: t.exposeInt('pendingEvents', { description: 'Events after the last signed head that another instance is still writing; checked again next time.' }),
    checkedEvents: t.exposeInt('checkedEvents'),
    checkedCheckpoints: t.exposeInt('checkedCheckpoints', { description: 'Signed tree heads checked.' }),
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
    problems: t.expose('problems', { type: [AuditProblemRef] }),
    head: t.exposeString('head', {
      nullable: true,
      description: 'When ok: a tenant head (JWS) signed and witnessed for this verification. Keep it: `evidenceBundle(since:)` and `npm run evidence:verify -- --head` prove later logs extend it.',
    }),
  }),
});

builder.queryFields((t) => ({
  auditEvents: t.field({
    type: AuditEventConnection,
    description: 'The tenant\'s audit events, oldest first (compliance_officer only).',
    args: { filter: t.arg({ type: AuditFilter }), first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const { tenant } = requireComplianceOfficer(ctx, 'Query.auditEvents');
      const keys = subjectKeysOf(ctx.connection);
      const f = args.filter ?? {};
      const query: Record<string, unknown> = { tenant };
      // Events name subjects by pseudonym; a subject without a key (erased, or never seen) has none
      // it can be found by, and an `sr_…` pseudonym is accepted as it is.
      const refFor = async (id: string): Promise<string> => (id.startsWith('sr_') ? id : ((await refOfSubject(keys, tenant, id)) ?? NO_MATCH));
      if (f.subject) query.subjects = await refFor(String(f.subject));
      if (f.actor) query['actor.subject'] = await refFor(String(f.actor));
      if (f.operationName) query.operationName = f.operationName;
      if (f.decision) query['decisions.decision'] = f.decision;
      if (f.from || f.to) query.at = { ...(f.from ? { $gte: f.from } : {}), ...(f.to ? { $lte: f.to } : {}) };
      const page = await paginateCollectionById(ctx.audit.store.events, query, args, { maxSize: 100 });
      const events = await identifyEvents(keys, tenant, page.edges.map((e) => e.node));
      return { ...page, edges: page.edges.map((e, i) => ({ ...e, node: events[i]! })) };
    },
  }),
  verifyAuditLog: t.field({
    type: AuditVerificationRef,
    description:
      "Witnesses this instance's current tree heads, then recomputes every chain of the tenant: hashes, links, signed tree heads (configured keys only) and the heads the witness holds outside the database.",
    resolve: (_root, _args, ctx) => {
      const { tenant } = requireComplianceOfficer(ctx, 'Query.verifyAuditLog');
      return ctx.audit.verify(tenant);
    },
  }),
  evidenceBundle: t.field({
    type: 'String',
    description:
      'A compact JWS over the range: event hashes and coordinates, signed tree heads (checkpoints) with range proofs, consistency proofs from an earlier tenant head, verification, pack, Art. 28(3) map.',
    args: {
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({ type: 'DateTime', required: true }),
      since: t.arg.string({ description: 'A tenant head saved earlier (`verifyAuditLog.head` or a bundle\'s `head`): the bundle proves today\'s log extends it. Default: the last head the witness holds.' }),
    },
    resolve: (_root, { from, to, since }, ctx) => {
      const { tenant } = requireComplianceOfficer(ctx, 'Query.evidenceBundle');
      if (from.getTime() > to.getTime()) throw new GovgateError('BAD_USER_INPUT', 'from must not be after to');
      if (since && since.length > 65_536) throw new GovgateError('BAD_USER_INPUT', 'since: too long');
      return evidenceBundle(ctx.audit, ctx.pack, { tenant, from, to, since: since ?? null });
    },
  }),
}));
