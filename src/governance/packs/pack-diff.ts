import { canonicalJson } from '../../canonical-json.js';
import type { PackFile } from './pack-schema.js';
import { RULE_KIND_SPECS, type RuleKind, type RuleKindSpec } from './pack-rule-kinds.js';
import { reConsentPurposes, type ReConsent } from './re-consent.js';

/** One rule added, removed or changed between two packs, with the clauses each side cites. */
export interface RuleChange {
  readonly kind: RuleKind;
  /** The rule's identity within its kind (pack-rule-kinds.ts): e.g. a consent rule's purpose, a retention rule's `category kind`. */
  readonly key: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** The rule as written in the old pack (null when added) and in the new one (null when removed). */
  readonly before: unknown;
  readonly after: unknown;
  readonly clauses: { readonly before: readonly string[]; readonly after: readonly string[] };
  /** The change weakens protection; `loosening` says how. */
  readonly loosens: boolean;
  readonly loosening: readonly string[];
}

export interface PackDiff {
  readonly old: { readonly name: string; readonly version: string };
  readonly next: { readonly name: string; readonly version: string };
  /** In RULE_KINDS order, then removed, changed, added; empty when the packs decide alike. */
  readonly changes: readonly RuleChange[];
  /** Purposes whose consent must be asked again under `next` (re-consent.ts states the rule). */
  readonly reConsent: readonly ReConsent[];
  readonly loosens: boolean;
}

type Rule = Record<string, unknown>;

/** String arrays are sets in a pack (categories, purposes, roles, collections): their order is no change. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? [...(value as string[])].sort() : value.map(normalise);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}
/** Equal as rules: same content, string sets in any order. */
export const sameRule = (a: unknown, b: unknown): boolean => canonicalJson(normalise(a)) === canonicalJson(normalise(b));

function sourcesOf(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => sourcesOf(v, into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'source' && typeof v === 'string') into.push(v);
      else sourcesOf(v, into);
    }
  }
  return [...new Set(into)];
}

function change(spec: RuleKindSpec, key: string, before: Rule | null, after: Rule | null): RuleChange {
  const clausesOf = (r: Rule | null) => (r ? (spec.clauses ?? sourcesOf)(r) : []);
  const loosening = spec.loosening(before, after);
  return {
    kind: spec.kind,
    key,
    change: before && after ? 'changed' : before ? 'removed' : 'added',
    before,
    after,
    clauses: { before: clausesOf(before), after: clausesOf(after) },
    loosens: loosening.length > 0,
    loosening,
  };
}

function diffKind(spec: RuleKindSpec, old: PackFile, next: PackFile): RuleChange[] {
  const index = (rules: readonly Rule[]) => new Map(rules.map((r) => [spec.key(r), r]));
  const before = index(spec.rules(old));
  const after = index(spec.rules(next));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const added = [...after.keys()].filter((k) => !before.has(k));
  const changed: RuleChange[] = [];
  for (const [key, rule] of before) if (after.has(key) && !sameRule(rule, after.get(key))) changed.push(change(spec, key, rule, after.get(key)!));
  // Pair what the key left unmatched (a grant whose categories changed is still that role's grant), in file order.
  if (spec.pair) {
    for (const oldKey of [...removed]) {
      const pairKey = spec.pair(before.get(oldKey)!);
      const match = added.find((k) => spec.pair!(after.get(k)!) === pairKey);
      if (match === undefined) continue;
      removed.splice(removed.indexOf(oldKey), 1);
      added.splice(added.indexOf(match), 1);
      changed.push(change(spec, match, before.get(oldKey)!, after.get(match)!));
    }
  }
  return [...removed.map((k) => change(spec, k, before.get(k)!, null)), ...changed, ...added.map((k) => change(spec, k, null, after.get(k)!))];
}

/**
 * Every rule added, removed or changed from `old` to `next`, two resolved pack files (after
 * `extends` merging: readPackFile), and the purposes that need re-consent. Pure: reads nothing.
 */
export function diffPacks(old: PackFile, next: PackFile): PackDiff {
  const changes = RULE_KIND_SPECS.flatMap((spec) => diffKind(spec, old, next));
  return {
    old: { name: old.name, version: old.version },
    next: { name: next.name, version: next.version },
    changes,
    reConsent: reConsentPurposes(old, next),
    loosens: changes.some((c) => c.loosens),
  };
}
