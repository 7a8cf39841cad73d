import { covers, lineage } from '../taxonomy/index.js';
import type { SweepableCollection } from './pack-schema.js';
import { SWEEP_TARGETS } from './sweep-targets.js';

/**
 * A pack's retention rule: `max` redacts after `days` (and with `sweep`, deletes the listed
 * collections' records after them; with `keepable`, a user may keep a conversation from deletion);
 * `floor` is a legal hold, kept at least `days`.
 */
export interface RetentionRule {
  readonly category: string;
  readonly days: number;
  readonly kind: 'max' | 'floor';
  readonly source: string;
  readonly sweep?: { readonly collections: readonly SweepableCollection[]; readonly source: string } | undefined;
  readonly keepable?: { readonly source: string } | undefined;
}

/** What applies to one category: at most `max`, at least `floor` (either may be absent). */
export interface Retention {
  readonly max: RetentionRule | null;
  readonly floor: RetentionRule | null;
}

export const NO_RETENTION: Retention = Object.freeze({ max: null, floor: null });

/**
 * The one retention lookup (decisions, the data map, the record of processing): the nearest
 * category in the key's lineage that has any rule decides both bounds, as the most specific rule
 * wins everywhere else. So a floor on `user.financial` is not cut short by a maximum on `user`,
 * and a floor is never read as a maximum.
 */
export function createRetentionLookup(rules: readonly RetentionRule[]): (category: string) => Retention {
  const byCategory = new Map<string, Retention>();
  for (const rule of rules) {
    const current = byCategory.get(rule.category) ?? NO_RETENTION;
    byCategory.set(rule.category, Object.freeze({ ...current, [rule.kind]: rule }));
  }
  const cache = new Map<string, Retention>();
  return (category) => {
    let found = cache.get(category);
    if (found) return found;
    found = NO_RETENTION;
    for (const key of lineage(category)) {
      const at = byCategory.get(key);
      if (at) {
        found = at;
        break;
      }
    }
    cache.set(category, found);
    return found;
  };
}

/** ISO 8601 duration of a rule, as the data map and the record of processing print it. */
export const isoDays = (rule: RetentionRule | null): string | null => (rule ? `P${rule.days}D` : null);

const cite = (rule: RetentionRule): string => `${rule.kind} ${rule.days} days on ${rule.category} ("${rule.source}")`;

/**
 * Retention rules that contradict each other:
 * - `retention-duplicate`: two rules of one kind on one category (which one holds?);
 * - `retention-floor-above-max`: on one category, a floor longer than the maximum;
 * - `retention-floor-shadowed`: a maximum on a narrower category than a floor — the narrower rule
 *   wins, so the data it covers would be redacted before the legal hold ends (unless the narrower
 *   category has a floor of its own: then the shorter hold is what the pack says).
 */
export function retentionViolations(rules: readonly RetentionRule[]): string[] {
  const issues: string[] = [];
  const seen = new Map<string, RetentionRule>();
  for (const rule of rules) {
    const key = `${rule.category}\u0000${rule.kind}`;
    const earlier = seen.get(key);
    if (earlier) issues.push(`[retention-duplicate] category ${rule.category}: two ${rule.kind} rules (${cite(earlier)}; ${cite(rule)})`);
    else seen.set(key, rule);
  }
  const floors = rules.filter((r) => r.kind === 'floor');
  for (const max of rules.filter((r) => r.kind === 'max')) {
    // A floor of its own on the max's category says the narrower hold is meant.
    const ownFloor = floors.some((f) => f.category === max.category);
    for (const floor of floors) {
      if (floor.category === max.category && floor.days > max.days) {
        issues.push(`[retention-floor-above-max] category ${max.category}: the floor is longer than the maximum (${cite(floor)}; ${cite(max)})`);
      } else if (!ownFloor && floor.category !== max.category && covers(floor.category, max.category) && max.days < floor.days) {
        issues.push(
          `[retention-floor-shadowed] category ${max.category}: this maximum overrides the legal hold on ${floor.category} and redacts before it ends (${cite(max)}; ${cite(floor)}); add a floor on ${max.category} or lengthen the maximum`,
        );
      }
    }
  }
  issues.push(...sweepViolations(rules));
  return issues;
}

/**
 * Sweep rules that would delete what the pack does not say may go:
 * - `retention-sweep-floor`: a sweep on a legal-hold floor (a floor is a minimum, never a deadline);
 * - `retention-keepable-without-sweep`: a keep choice on a rule that deletes nothing (what is kept?);
 * - `retention-keepable-target`: a keep choice on a rule that does not sweep conversations (the
 *   choice is a conversation's);
 * - `retention-sweep-category`: a target whose category the rule's category does not cover;
 * - `retention-sweep-rule`: a target whose category a narrower rule decides (retentionFor), so that
 *   read-time redaction and deletion follow one rule, and a legal-hold floor on a narrower category
 *   (e.g. user.financial) can never be swept by a broader maximum.
 */
function sweepViolations(rules: readonly RetentionRule[]): string[] {
  const issues: string[] = [];
  const retentionFor = createRetentionLookup(rules);
  for (const rule of rules) {
    if (rule.sweep && rule.kind === 'floor') issues.push(`[retention-sweep-floor] ${cite(rule)}: a legal-hold floor is never swept ("${rule.sweep.source}")`);
    if (rule.keepable && !rule.sweep) issues.push(`[retention-keepable-without-sweep] ${cite(rule)}: keepable ("${rule.keepable.source}") needs a sweep to suspend`);
    if (rule.keepable && rule.sweep && !rule.sweep.collections.includes('conversations')) {
      issues.push(`[retention-keepable-target] ${cite(rule)}: keepable ("${rule.keepable.source}") is a conversation's choice; the sweep does not list conversations`);
    }
    if (!rule.sweep || rule.kind === 'floor') continue;
    for (const collection of rule.sweep.collections) {
      const target = SWEEP_TARGETS[collection];
      if (!covers(rule.category, target.category)) {
        issues.push(`[retention-sweep-category] ${cite(rule)}: sweep target ${collection} is ${target.category} (${target.coordinate}), which ${rule.category} does not cover`);
      } else if (retentionFor(target.category).max !== rule) {
        const decided = retentionFor(target.category);
        const by = decided.max ?? decided.floor;
        issues.push(
          `[retention-sweep-rule] ${cite(rule)}: sweep target ${collection} (${target.category}) is decided by ${by ? cite(by) : 'no maximum'}, not by this rule; ` +
            `move the sweep to that rule or drop the target`,
        );
      }
    }
  }
  return issues;
}
