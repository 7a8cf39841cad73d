import { builder } from '../../builder.js';
import { DecisionEnum, ReasonEnum } from './audit.schema.js';
import { requireComplianceOfficer } from './compliance-guard.js';
import { decisionStats, MAX_BUCKETS, type DecisionStatRow, type StatsBucket } from './decision-stats.js';

const BucketEnum = builder.enumType('StatsBucket', {
  values: {
    HOUR: { description: `UTC hours; a range of at most ${MAX_BUCKETS.HOUR}.` },
    DAY: { description: `UTC days; a range of at most ${MAX_BUCKETS.DAY}.` },
  } satisfies Record<StatsBucket, { description: string }>,
});

const DecisionStatRef = builder.objectRef<DecisionStatRow>('DecisionStat').implement({
  description: 'How many (subject, field coordinate) decisions of one kind and reason the audit log holds in one bucket. A count, never a subject.',
  fields: (t) => ({
    bucketStart: t.expose('bucketStart', { type: 'DateTime' }),
    decision: t.expose('decision', { type: DecisionEnum }),
    reason: t.expose('reason', { type: ReasonEnum, nullable: true, description: 'The precise reason (null for ALLOW).' }),
    count: t.exposeInt('count'),
  }),
});

builder.queryFields((t) => ({
  decisionStats: t.field({
    type: [DecisionStatRef],
    description:
      "The tenant's recorded decisions in [from, to), counted per bucket, decision and reason, oldest bucket first (compliance_officer only; audited like auditEvents).",
    args: {
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({ type: 'DateTime', required: true }),
      bucket: t.arg({ type: BucketEnum, defaultValue: 'DAY' }),
    },
    resolve: (_root, { from, to, bucket }, ctx) => {
      const { tenant } = requireComplianceOfficer(ctx, 'Query.decisionStats');
      return decisionStats(ctx.audit.store.events, tenant, from, to, bucket ?? 'DAY');
    },
  }),
}));
