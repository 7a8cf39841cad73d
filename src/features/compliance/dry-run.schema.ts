import { builder } from '../../builder.js';
import { GovgateError } from '../../errors.js';
import { DEFAULT_POLICY_DIR, PackError } from '../../governance/packs/index.js';
import { draftPack } from '../../governance/packs/draft-pack.js';
import { governedFieldsOf } from '../../governance/registry.js';
import { subjectKeysOf } from '../../keys/index.js';
import { requireComplianceOfficer } from './compliance-guard.js';
import { policyDryRun, type DryRunChange, type DryRunReport } from './policy-dry-run.js';

/** Events replayed by one dry-run at most (about 8 ms each on this machine's test data). */
const MAX_EVENTS = 10_000;

// Counts, coordinates, roles, purposes and audit ids: no personal data (allow-listed as Policy*).
const ReasonCountRef = builder.objectRef<DryRunChange['reasons'][number]>('PolicyDryRunReason').implement({
  fields: (t) => ({ reason: t.exposeString('reason'), count: t.exposeInt('count') }),
});

const ChangeRef = builder.objectRef<DryRunChange>('PolicyDryRunChange').implement({
  description: 'What one field, for one set of roles and one purpose, would see change under the draft.',
  fields: (t) => ({
    coordinate: t.exposeString('coordinate'),
    roles: t.exposeStringList('roles'),
    purpose: t.exposeString('purpose'),
    newlyReleased: t.exposeInt('newlyReleased'),
    newlyWithheld: t.exposeInt('newlyWithheld'),
    reasons: t.field({ type: [ReasonCountRef], resolve: (c) => [...c.reasons] }),
    examples: t.exposeStringList('examples', { description: 'Audit ids of requests that would change (at most five).' }),
    forbidden: t.exposeBoolean('forbidden', { description: 'The draft would newly release what the pack invariants forbid (consent-only data of others, or training data, without consent or a cited legal basis).' }),
  }),
});

type Report = DryRunReport & { draft: string; violations: readonly string[] };

const ReportRef = builder.objectRef<Report>('PolicyDryRun').implement({
  description: 'The recorded decisions of a period replayed under a draft pack (nothing is changed).',
  fields: (t) => ({
    draft: t.exposeString('draft', { description: '`name@version` of the draft.' }),
    violations: t.exposeStringList('violations', { description: 'Invariants the draft breaks: a gateway would refuse to start with it.' }),
    from: t.expose('from', { type: 'DateTime' }),
    to: t.expose('to', { type: 'DateTime' }),
    truncated: t.exposeBoolean('truncated', { description: 'The period held more events than `limit`: the replay ends at `to`, the time of the last event replayed.' }),
    events: t.exposeInt('events'),
    unauthenticated: t.exposeInt('unauthenticated', { description: 'Events no signed chain head vouches for (edited or planted in the database): not replayed.' }),
    decisions: t.exposeInt('decisions'),
    unchanged: t.exposeInt('unchanged'),
    unknown: t.exposeInt('unknown'),
    changes: t.field({ type: [ChangeRef], resolve: (r) => [...r.changes] }),
  }),
});

builder.queryFields((t) => ({
  policyDryRun: t.field({
    type: ReportRef,
    description:
      'Replays the tenant\'s recorded decisions of [from, to) under a draft pack file (its JSON; `extends` names a pack of the policy directory) and reports what would newly be released or withheld. Compliance officers only; reads the audit store and subject histories, changes nothing.',
    args: {
      draft: t.arg({ type: 'JSON', required: true }),
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({ type: 'DateTime', required: true }),
      limit: t.arg.int({ description: 'Events replayed at most, 1 to 10 000 (default). More in the period: `truncated`.' }),
    },
    resolve: async (_root, { draft, from, to, limit }, ctx, info) => {
      const { tenant } = requireComplianceOfficer(ctx, 'Query.policyDryRun');
      if (!(from < to)) throw new GovgateError('BAD_USER_INPUT', 'from must be before to');
      const maxEvents = limit ?? MAX_EVENTS;
      if (!Number.isInteger(maxEvents) || maxEvents < 1 || maxEvents > MAX_EVENTS) throw new GovgateError('BAD_USER_INPUT', `limit must be between 1 and ${MAX_EVENTS}`);
      let built;
      try {
        built = draftPack(draft, ctx.config.policyDir ?? DEFAULT_POLICY_DIR);
      } catch (error) {
        // The issues name paths and rules of the pack schema, never the submitted values.
        if (error instanceof PackError) throw new GovgateError('BAD_USER_INPUT', `the draft is not a valid pack: ${error.issues.slice(0, 5).join('; ').slice(0, 240)}`);
        throw error;
      }
      const report = await policyDryRun({ connection: ctx.connection, store: ctx.audit.store, auditKeys: ctx.audit.keySet, keys: subjectKeysOf(ctx.connection), fields: governedFieldsOf(info.schema), current: ctx.pack, draft: built.pack, tenant, from, to, maxEvents });
      return { ...report, draft: `${built.pack.name}@${built.pack.version}`, violations: built.violations };
    },
  }),
}));
