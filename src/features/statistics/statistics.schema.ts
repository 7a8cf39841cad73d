import { requireRole } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { parseInput } from '../../validate.js';
import { DIMENSIONS, groupBySchema } from './dimensions.js';
import { usageStatistics } from './usage-statistics.js';

interface DimensionValue {
  tenant: string;
  name: string;
  value: string;
}

interface StatisticsRowShape {
  tenant: string;
  dimensions: DimensionValue[];
  count: number | null;
  subjects: number | null;
  suppressed: boolean;
  suppressedGroups: number;
}

// Counts over at least k subjects, with no identifier: not personal data (GDPR Recital 26), so never
// wrapped. Who may ask is checked by the root field; what is counted is decided per subject.
const AGGREGATE = { category: 'system.operations', purposes: ['analytics.reporting', 'essential.legal_obligation'], strategy: 'null' } as const;
const NO_SUBJECT = (): null => null;

const StatisticsDimension = builder.objectRef<DimensionValue>('StatisticsDimension').implement({
  governance: { subjectOf: NO_SUBJECT, tenantOf: (d) => d.tenant },
  fields: (t) => ({
    name: t.exposeString('name', { governance: AGGREGATE }),
    value: t.exposeString('value', { governance: AGGREGATE }),
  }),
});

const StatisticsRow = builder.objectRef<StatisticsRowShape>('StatisticsRow').implement({
  description: 'API calls of one group of at least 5 subjects; or, last and only when some group had fewer, the row that says how many groups were left out.',
  governance: { subjectOf: NO_SUBJECT, tenantOf: (r) => r.tenant },
  fields: (t) => ({
    dimensions: t.expose('dimensions', { type: [StatisticsDimension], description: 'One per `groupBy` entry, in its order; empty on the suppressed row.', governance: AGGREGATE }),
    count: t.exposeInt('count', { nullable: true, description: 'API calls in the group; null on the suppressed row.', governance: AGGREGATE }),
    subjects: t.exposeInt('subjects', { nullable: true, description: 'Distinct subjects in the group (at least 5); null on the suppressed row.', governance: AGGREGATE }),
    suppressed: t.exposeBoolean('suppressed', { governance: AGGREGATE }),
    suppressedGroups: t.exposeInt('suppressedGroups', { description: 'On the suppressed row: how many groups had fewer than 5 subjects (nothing else about them); 0 elsewhere.', governance: AGGREGATE }),
  }),
});

builder.queryFields((t) => ({
  usageStatistics: t.field({
    type: [StatisticsRow],
    description: `API calls per group for analysts and compliance officers: aggregates only, groups of fewer than 5 subjects suppressed. \`groupBy\`: any of ${DIMENSIONS.join(', ')}.`,
    args: { groupBy: t.arg.stringList({ required: true }) },
    resolve: async (_root, args, ctx, info) => {
      ctx.governance.noteAccess('Query.usageStatistics');
      const caller = requireRole(ctx.caller, ['analyst', 'compliance_officer'], 'usage statistics');
      const { groupBy } = parseInput(groupBySchema, args);
      const { rows, suppressedGroups } = await usageStatistics(ctx, info.schema, groupBy);
      const shown: StatisticsRowShape[] = rows.map((row) => ({
        tenant: caller.tenant,
        dimensions: groupBy.map((name, i) => ({ tenant: caller.tenant, name, value: row.values[i]! })),
        count: row.count,
        subjects: row.subjects,
        suppressed: false,
        suppressedGroups: 0,
      }));
      if (suppressedGroups === 0) return shown;
      return [...shown, { tenant: caller.tenant, dimensions: [], count: null, subjects: null, suppressed: true, suppressedGroups }];
    },
  }),
}));
