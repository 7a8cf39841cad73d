import { covers, lineage } from '../taxonomy/index.js';

/** A pack's retention rule: `max` redacts after `days`; `floor` is a legal hold, kept at least `days`. */
export interface RetentionRule {
  readonly category: string;
  readonly days: number;
  readonly kind: 'max' | 'floor';
  readonly source: string;
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
  return issues;
}
