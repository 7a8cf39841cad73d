import type { GraphQLSchema } from 'graphql';
import { requireAuthenticated } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { governedFieldsOf, type GovernedField } from '../../governance/index.js';
import { apiUsageModel } from '../usage/index.js';
import { userLoaders, type UserDoc } from '../users/index.js';
import { GroupCounter, type Aggregate } from './aggregate.js';
import { DIMENSION_TABLE, USAGE_COORDINATE, type DimensionName } from './dimensions.js';

const DAY_MS = 86_400_000;

interface RecordGroup {
  readonly values: readonly string[];
  count: number;
}

function fieldsRead(schema: GraphQLSchema, groupBy: readonly DimensionName[]): GovernedField[] {
  const governed = governedFieldsOf(schema);
  const coordinates = [USAGE_COORDINATE, ...groupBy.flatMap((name) => DIMENSION_TABLE[name].coordinate ?? [])];
  return coordinates.map((coordinate) => {
    const field = governed.get(coordinate);
    if (!field) throw new GovgateError('INTERNAL_SERVER_ERROR', `statistics read ${coordinate}, which is not governed`);
    return field;
  });
}

/**
 * Calls per group over the caller's tenant. A subject's calls count only if the caller may read,
 * for its purpose, every field the grouping reads of that subject — decided by the engine per
 * subject (tenant, role, purpose, restriction, objection, consent, erasure, minors, pack rules)
 * and recorded for the audit event — and only calls inside the pack's retention window for usage
 * data are read. Groups of fewer than k subjects are then suppressed (aggregate.ts).
 */
export async function usageStatistics(ctx: GatewayContext, schema: GraphQLSchema, groupBy: readonly DimensionName[]): Promise<Aggregate> {
  const { tenant } = requireAuthenticated(ctx.caller);
  const gov = ctx.governance;
  const dimensions = groupBy.map((name) => DIMENSION_TABLE[name]);
  const fields = fieldsRead(schema, groupBy);
  // A legal-hold floor is no limit here: only a maximum takes calls out of the window.
  const days = ctx.pack.retentionFor(fields[0]!.governance.category).max?.days ?? null;
  const filter = { tenant, ...(days === null ? {} : { createdAt: { $gte: new Date(gov.now.getTime() - days * DAY_MS) } }) };

  // Each subject's calls, grouped by the per-call dimensions (the per-subject ones come later).
  const perSubject = new Map<string, Map<string, RecordGroup>>();
  const cursor = apiUsageModel(ctx.connection).find(filter, { owner: 1, createdAt: 1, model: 1 }).lean<{ owner: string; createdAt: Date; model?: string | null }>().cursor();
  for await (const call of cursor) {
    const values = dimensions.map((d) => (d.record ? d.record({ createdAt: call.createdAt, model: call.model ?? null }) : ''));
    const key = JSON.stringify(values);
    let groups = perSubject.get(call.owner);
    if (!groups) perSubject.set(call.owner, (groups = new Map()));
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { values, count: 1 });
  }

  const subjects = [...perSubject.keys()];
  const users = await userLoaders(ctx).bySubject.loadMany(subjects);
  const eligible = async (subject: string): Promise<boolean> => {
    let allowed = true;
    for (const field of fields) {
      const outcome = await gov.decideAggregate(field, subject, tenant);
      if (outcome.decision !== 'ALLOW') allowed = false;
    }
    return allowed;
  };
  const decisions = await Promise.all(subjects.map(eligible));

  const counter = new GroupCounter();
  subjects.forEach((subject, i) => {
    const user = users[i];
    if (!decisions[i] || !user || user instanceof Error) return;
    const facts = { country: (user as UserDoc).country ?? null, birthDate: (user as UserDoc).birthDate ?? null };
    for (const group of perSubject.get(subject)!.values()) {
      counter.add(subject, dimensions.map((d, j) => (d.subject ? d.subject(facts, gov.now) : group.values[j]!)), group.count);
    }
  });
  return counter.result();
}
