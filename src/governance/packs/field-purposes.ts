import { anyCovers, covers } from '../taxonomy/index.js';
import type { GovernedField } from '../types.js';

/** A pack's change to one field's purposes (e.g. 002: SMS marketing on `User.phone`). */
export interface FieldPurposeRule {
  readonly coordinate: string;
  readonly add?: readonly string[] | undefined;
  readonly remove?: readonly string[] | undefined;
  readonly source: string;
}

/**
 * The purposes a field serves under a pack: the schema's, less what the pack removes, plus what it
 * adds. The plan's static verdict, the data map and the record of processing all read this, so the
 * pack's effective purposes are what is enforced and what is shown.
 */
export function createFieldPurposes(rules: readonly FieldPurposeRule[]): (field: GovernedField) => readonly string[] {
  const byCoordinate = new Map(rules.map((r) => [r.coordinate, r]));
  const cache = new WeakMap<GovernedField, readonly string[]>();
  return (field) => {
    const rule = byCoordinate.get(field.coordinate);
    if (!rule) return field.governance.purposes;
    let purposes = cache.get(field);
    if (!purposes) {
      const removed = new Set(rule.remove ?? []);
      purposes = Object.freeze([...field.governance.purposes.filter((p) => !removed.has(p)), ...(rule.add ?? [])]);
      cache.set(field, purposes);
    }
    return purposes;
  };
}

/**
 * What the pack's field rules say about fields that are not there or not so: checked against the
 * schema the gateway serves (createGateway passes its registry), so a misspelt coordinate or purpose
 * stops start-up instead of silently changing nothing. Every issue names the coordinate.
 */
export function fieldPurposeViolations(rules: readonly FieldPurposeRule[], fields: ReadonlyMap<string, GovernedField>): string[] {
  const issues: string[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    const at = `[field-purposes] coordinate ${rule.coordinate}`;
    if (seen.has(rule.coordinate)) issues.push(`${at}: listed twice ("${rule.source}")`);
    seen.add(rule.coordinate);
    const field = fields.get(rule.coordinate);
    if (!field) {
      issues.push(`${at}: no governed field has this coordinate ("${rule.source}")`);
      continue;
    }
    if (!field.personal) issues.push(`${at}: not personal data (${field.governance.category}), its purposes are never checked ("${rule.source}")`);
    const declared = field.governance.purposes;
    for (const purpose of rule.remove ?? []) {
      if (!declared.includes(purpose)) issues.push(`${at}: removes ${purpose}, which the field does not declare (declared: ${declared.join(', ')})`);
    }
    const kept = declared.filter((p) => !(rule.remove ?? []).includes(p));
    for (const purpose of rule.add ?? []) {
      const by = kept.find((p) => covers(p, purpose));
      if (by !== undefined) issues.push(`${at}: adds ${purpose}, already covered by ${by}`);
    }
    if (kept.length + (rule.add ?? []).length === 0) issues.push(`${at}: would serve no purpose at all ("${rule.source}")`);
    if ((rule.add ?? []).length + (rule.remove ?? []).length === 0) issues.push(`${at}: adds and removes nothing ("${rule.source}")`);
    // A removal the field's remaining purposes still cover would change nothing.
    for (const purpose of rule.remove ?? []) {
      if (declared.includes(purpose) && anyCovers(kept, purpose)) issues.push(`${at}: removes ${purpose}, which ${kept.find((p) => covers(p, purpose))} still covers`);
    }
  }
  return issues;
}
