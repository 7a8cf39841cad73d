import { authenticatedEvents, refOfSubject, subjectsOfDecision, type AuditEventDoc } from '../../audit/index.js';
import { requireAuthenticated } from '../../auth/index.js';
import { subjectIdSchema } from '../../auth/subject-arg.js';
import { builder } from '../../builder.js';
import { GovgateError } from '../../errors.js';
import { governedFieldsOf } from '../../governance/registry.js';
import { subjectKeysOf } from '../../keys/index.js';
import { explainDecision, type Explanation, type ExplanationStep } from './explain-decision.js';

// An explanation shows the subject's state as it was (consent record, restriction, age then): the
// subject's privacy preferences, for the subject and for compliance officers under a legal obligation.
const PURPOSES = ['essential.service', 'essential.legal_obligation'];
const STATE = { category: 'user.privacy_preferences', purposes: PURPOSES, strategy: 'null' } as const;
const RECORD = { category: 'system.operations', purposes: PURPOSES, strategy: 'null' } as const;
const OF_SUBJECT = { subjectOf: (x: { subject: string | null }) => x.subject, tenantOf: (x: { tenant: string }) => x.tenant };

type Step = ExplanationStep & { subject: string | null; tenant: string };

const StepOutcomeEnum = builder.enumType('ExplanationOutcome', { values: ['PASS', 'STOP', 'SKIP', 'UNKNOWN'] as const });

const StepRef = builder.objectRef<Step>('ExplanationStep').implement({
  description: 'One check of the decision order as it applied: the rule, the clause it cites, and the facts it used as they were then.',
  governance: OF_SUBJECT,
  fields: (t) => ({
    order: t.exposeInt('order', { nullable: true, governance: RECORD }),
    check: t.exposeString('check', { nullable: true, governance: RECORD }),
    outcome: t.field({ type: StepOutcomeEnum, nullable: true, governance: RECORD, resolve: (s) => s.outcome }),
    reason: t.exposeString('reason', { nullable: true, governance: RECORD }),
    rule: t.exposeString('rule', { nullable: true, governance: RECORD }),
    source: t.exposeString('source', { nullable: true, governance: RECORD }),
    facts: t.field({ type: 'JSON', nullable: true, governance: STATE, resolve: (s) => s.facts }),
  }),
});

const ExplanationRef = builder.objectRef<Explanation>('DecisionExplanation').implement({
  description: 'Why a recorded value was released or withheld, reconstructed from the audit event, the pack and the subject\'s sealed state history.',
  governance: OF_SUBJECT,
  fields: (t) => ({
    auditId: t.exposeID('auditId', { nullable: true, governance: RECORD }),
    at: t.expose('at', { type: 'DateTime', nullable: true, governance: RECORD }),
    coordinate: t.exposeString('coordinate', { nullable: true, governance: RECORD }),
    category: t.exposeString('category', { nullable: true, governance: RECORD }),
    purpose: t.exposeString('purpose', { nullable: true, governance: RECORD }),
    roles: t.exposeStringList('roles', { nullable: true, governance: RECORD }),
    decision: t.exposeString('decision', { nullable: true, governance: RECORD }),
    reason: t.exposeString('reason', { nullable: true, governance: RECORD, description: 'The precise recorded reason (never WITHHELD: an explanation is for the subject or a compliance officer).' }),
    decidedBy: t.exposeString('decidedBy', { nullable: true, governance: RECORD, description: '`pack@version` the event records, if it does.' }),
    explainedWith: t.exposeString('explainedWith', { nullable: true, governance: RECORD }),
    steps: t.field({ type: [StepRef], governance: { ...STATE, strategy: 'drop' }, resolve: (e) => e.steps.map((s) => ({ ...s, subject: e.subject, tenant: e.tenant })) }),
    recomputedDecision: t.string({ nullable: true, governance: RECORD, resolve: (e) => e.recomputed?.decision ?? null }),
    recomputedReason: t.string({ nullable: true, governance: RECORD, resolve: (e) => e.recomputed?.reason ?? null }),
    consistent: t.boolean({ nullable: true, governance: RECORD, description: 'Whether the reconstruction agrees with the record (null: it cannot tell).', resolve: (e) => e.consistent }),
    mismatch: t.exposeString('mismatch', { nullable: true, governance: RECORD }),
    notes: t.exposeStringList('notes', { nullable: true, governance: RECORD }),
  }),
});

builder.queryFields((t) => ({
  explainDecision: t.field({
    type: ExplanationRef,
    description:
      'Explains one decision of an audited request: compliance officers for any subject of their tenant, a data subject for their own data (`subject` defaults to the caller). Audited as an access.',
    args: { auditId: t.arg.id({ required: true }), coordinate: t.arg.string({ required: true }), subject: t.arg.id() },
    resolve: async (_root, args, ctx, info) => {
      const caller = requireAuthenticated(ctx.caller);
      ctx.governance.noteAccess('Query.explainDecision');
      const subject = args.subject === null || args.subject === undefined ? caller.subject : String(args.subject);
      if (!subjectIdSchema.safeParse(subject).success) throw new GovgateError('BAD_USER_INPUT', 'subject: not a user id');
      if (subject !== caller.subject && !caller.roles.includes('compliance_officer')) throw new GovgateError('FORBIDDEN', "explanations of others' data are for compliance officers");
      // Same answer for another tenant's, a missing and a malformed id, and a decision not recorded.
      const notFound = () => new GovgateError('BAD_USER_INPUT', 'no such decision: check auditId, coordinate and subject');
      const id = String(args.auditId);
      if (id.length > 64) throw notFound();
      const event = (await ctx.audit.store.events.findOne({ _id: id, tenant: caller.tenant })) as AuditEventDoc | null;
      if (!event) throw notFound();
      const subjectRef = await refOfSubject(subjectKeysOf(ctx.connection), caller.tenant, subject);
      if (!subjectRef || !event.decisions.some((d) => d.coordinate === args.coordinate && subjectsOfDecision(event, d).includes(subjectRef))) throw notFound();
      const authentic = (await authenticatedEvents(ctx.audit.store, ctx.audit.keySet, [event])).has(event._id);
      return explainDecision({ connection: ctx.connection, pack: ctx.pack, event, field: governedFieldsOf(info.schema).get(args.coordinate), coordinate: args.coordinate, subjectRef, subject, authentic });
    },
  }),
}));
