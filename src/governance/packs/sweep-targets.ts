import type { GovernedField } from '../types.js';
import type { SweepableCollection } from './pack-schema.js';
import type { Retention, RetentionRule } from './retention.js';

/**
 * The field whose category decides when a sweepable collection's records expire: the same field
 * read-time retention redacts by (its type's `timestampOf` is the record's `createdAt`). The
 * categories are checked against the served schema whenever a pack is loaded with it (the gateway
 * always does), and by test/governance/retention-sweep.test.ts.
 */
export const SWEEP_TARGETS: Readonly<Record<SweepableCollection, { readonly coordinate: string; readonly category: string }>> = Object.freeze({
  messages: { coordinate: 'Message.content', category: 'user.content.private' },
  conversations: { coordinate: 'Conversation.title', category: 'user.content.private.ai_prompt' },
  api_usage: { coordinate: 'ApiUsageRecord.operation', category: 'user.behavior.api_usage' },
});

/**
 * Where the table and the schema disagree (a reclassified field): the sweep would follow the wrong
 * rule. A schema that does not serve a target at all (the bench's synthetic schema) has nothing to
 * disagree with; the shipped schema serves every target (test/governance/retention-sweep.test.ts).
 */
export function sweepTargetSchemaViolations(fields: ReadonlyMap<string, GovernedField>): string[] {
  const issues: string[] = [];
  for (const [collection, target] of Object.entries(SWEEP_TARGETS)) {
    const field = fields.get(target.coordinate);
    if (field && field.governance.category !== target.category) {
      issues.push(`[retention-sweep-schema] collection ${collection}: ${target.coordinate} is classified ${field.governance.category} in the schema, ${target.category} in SWEEP_TARGETS`);
    }
  }
  return issues;
}

/**
 * The rule that sweeps a collection under a pack: the maximum read-time retention applies to its
 * category (retentionFor, so redaction and deletion follow one rule), when that rule lists the
 * collection in its `sweep`; else null (the collection is never swept).
 */
export function sweepRuleFor(retentionFor: (category: string) => Retention, collection: SweepableCollection): RetentionRule | null {
  const rule = retentionFor(SWEEP_TARGETS[collection].category).max;
  return rule?.sweep?.collections.includes(collection) ? rule : null;
}
