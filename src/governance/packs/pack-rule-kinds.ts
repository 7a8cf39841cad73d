import { anyCovers } from '../taxonomy/index.js';
import type { PackFile } from './pack-schema.js';

/** The kinds of rule a pack diff compares: each top-level key of a pack file, and `pack` for its name, version and source. */
export const RULE_KINDS = [
  'pack', 'minimumAge', 'guardian', 'admittedBand', 'minors', 'consent', 'objectable', 'retention', 'grants', 'fieldPurposes',
  'trainingPurposes', 'consentOnlyCategories', 'aggregateOnly', 'developerData', 'privateContent', 'erasure', 'endOfContract', 'facts', 'coverage',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

type Rule = Record<string, unknown>;

/**
 * How one kind of rule is told apart and judged: `key` is its identity (the same rule in both packs
 * has the same key, so an edit shows as "changed"); `pair`, where given, pairs rules left unmatched
 * by key (a grant whose categories changed is still that role's grant); `loosening` says how a
 * change weakens protection (empty: it does not).
 */
export interface RuleKindSpec {
  readonly kind: RuleKind;
  rules(file: PackFile): readonly Rule[];
  key(rule: Rule): string;
  pair?(rule: Rule): string;
  /** The clauses the rule cites; default: every `source` in it. */
  clauses?(rule: Rule): string[];
  loosening(before: Rule | null, after: Rule | null): string[];
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : []);
const sorted = (value: unknown): string => [...strings(value)].sort().join(', ');
const num = (rule: Rule | null, key: string): number | undefined => (rule && typeof rule[key] === 'number' ? (rule[key] as number) : undefined);
/** Keys of `after` no key of `before` covers (a parent covers its children). */
const uncovered = (before: unknown, after: unknown): string[] => strings(after).filter((k) => !anyCovers(strings(before), k));
const dropped = (before: unknown, after: unknown): string[] => uncovered(after, before);
const one = (value: unknown): Rule[] => (value ? [value as Rule] : []);
const list = (value: unknown): Rule[] => (Array.isArray(value) ? (value as Rule[]) : []);
const removedLoosens = (what: string) => (before: Rule | null, after: Rule | null): string[] => (before && !after ? [what] : []);
const singleton = (kind: RuleKind, loosening: RuleKindSpec['loosening']): RuleKindSpec => ({ kind, rules: (f) => one(f[kind as keyof PackFile]), key: () => kind, loosening });

function grantLoosening(before: Rule | null, after: Rule | null): string[] {
  if (!after) return [];
  if (!before) return [`grant added: ${String(after.role)} (${String(after.scope)}) reads ${sorted(after.categories)} for ${sorted(after.purposes)}`];
  const reasons: string[] = [];
  if (before.scope === 'own' && after.scope === 'tenant') reasons.push('scope widened from own to tenant');
  const categories = uncovered(before.categories, after.categories);
  if (categories.length) reasons.push(`categories added: ${categories.join(', ')}`);
  const purposes = uncovered(before.purposes, after.purposes);
  if (purposes.length) reasons.push(`purposes added: ${purposes.join(', ')}`);
  if (!before.legalBasis && after.legalBasis) reasons.push('legal basis added: releases consent-only data without consent');
  return reasons;
}

function retentionLoosening(before: Rule | null, after: Rule | null): string[] {
  // A floor is a legal hold (keeps data longer), not a protection of the subject: only maximums count.
  if ((before ?? after)!.kind !== 'max') return [];
  if (before && !after) return ['retention maximum removed: values are no longer redacted for age'];
  if (!before || !after) return [];
  const reasons: string[] = [];
  if (num(after, 'days')! > num(before, 'days')!) reasons.push(`retention maximum lengthened from ${num(before, 'days')} to ${num(after, 'days')} days`);
  const sweepBefore = strings((before.sweep as Rule | undefined)?.collections);
  const sweepAfter = strings((after.sweep as Rule | undefined)?.collections);
  const unswept = sweepBefore.filter((c) => !sweepAfter.includes(c));
  if (unswept.length) reasons.push(`no longer swept (deleted): ${unswept.join(', ')}`);
  return reasons;
}

function minorsLoosening(before: Rule | null, after: Rule | null): string[] {
  if (!before || !after) return [];
  const reasons: string[] = [];
  if (num(after, 'age')! < num(before, 'age')!) reasons.push(`minors age lowered from ${num(before, 'age')} to ${num(after, 'age')}`);
  const opened = dropped(before.restrictedPurposes, after.restrictedPurposes);
  if (opened.length) reasons.push(`no longer restricted for minors: ${opened.join(', ')}`);
  return reasons;
}

function guardianLoosening(before: Rule | null, after: Rule | null): string[] {
  if (!before || !after || before.mode !== 'confirmed') return [];
  if (after.mode === 'none') return ['guardian route removed: no guardian confirms below the age it named'];
  return num(after, 'belowAge')! < num(before, 'belowAge')! ? [`guardian needed only below ${num(after, 'belowAge')} (was ${num(before, 'belowAge')})`] : [];
}

function bandLoosening(before: Rule | null, after: Rule | null): string[] {
  if (!after) return [];
  if (!before) return [`ages ${num(after, 'fromAge')}–${num(after, 'belowAge')! - 1} now admitted without a guardian`];
  return num(after, 'fromAge')! < num(before, 'fromAge')! || num(after, 'belowAge')! > num(before, 'belowAge')! ? ['admitted band widened'] : [];
}

function fieldPurposesLoosening(before: Rule | null, after: Rule | null): string[] {
  const added = uncovered(before?.add, after?.add);
  const unremoved = dropped(before?.remove, after?.remove);
  return [...(added.length ? [`field now serves ${added.join(', ')}`] : []), ...(unremoved.length ? [`field serves ${unremoved.join(', ')} again`] : [])];
}

function developerDataLoosening(before: Rule | null, after: Rule | null): string[] {
  if (!before) return [];
  if (!after) return ['developer-only data rule removed'];
  const reasons: string[] = [];
  const opened = dropped(before.categories, after.categories);
  if (opened.length) reasons.push(`no longer developer-only: ${opened.join(', ')}`);
  const support = uncovered((before.support as Rule | undefined)?.purposes, (after.support as Rule | undefined)?.purposes);
  if (support.length) reasons.push(`support may now read it for ${support.join(', ')}`);
  return reasons;
}

function privateContentLoosening(before: Rule | null, after: Rule | null): string[] {
  if (!before) return [];
  if (!after) return ['private-content rule removed'];
  const opened = dropped(before.categories, after.categories);
  return opened.length ? [`no longer owner-only when private: ${opened.join(', ')}`] : [];
}

function erasureLoosening(before: Rule | null, after: Rule | null): string[] {
  if (!before || !after) return [];
  const reasons: string[] = [];
  if (num(after, 'graceDays')! > num(before, 'graceDays')!) reasons.push(`erasure grace lengthened from ${num(before, 'graceDays')} to ${num(after, 'graceDays')} days`);
  const held = (r: Rule) => list(r.legalHold).map((h) => String(h.collection));
  const newHolds = held(after).filter((c) => !held(before).includes(c));
  if (newHolds.length) reasons.push(`kept under a legal hold after erasure: ${newHolds.join(', ')}`);
  return reasons;
}

function endOfContractLoosening(before: Rule | null, after: Rule | null): string[] {
  const roles = strings(after?.roles).filter((r) => !strings(before?.roles).includes(r));
  return roles.length ? [`may export the whole tenant: ${roles.join(', ')}`] : [];
}

const never = (): string[] => [];

/** Every kind, in report order. */
export const RULE_KIND_SPECS: readonly RuleKindSpec[] = [
  { kind: 'pack', rules: (f) => [{ name: f.name, version: f.version, source: f.source }], key: () => 'pack', loosening: never },
  singleton('minimumAge', (b, a) => (b && a && num(a, 'age')! < num(b, 'age')! ? [`minimum age lowered from ${num(b, 'age')} to ${num(a, 'age')}`] : [])),
  singleton('guardian', guardianLoosening),
  singleton('admittedBand', bandLoosening),
  singleton('minors', minorsLoosening),
  { kind: 'consent', rules: (f) => f.consent, key: (r) => String(r.purpose), loosening: removedLoosens('consent rule removed: the purpose no longer needs consent') },
  { kind: 'objectable', rules: (f) => f.objectable, key: (r) => String(r.purpose), loosening: removedLoosens('no longer objectable: subjects cannot object to this purpose') },
  { kind: 'retention', rules: (f) => f.retention, key: (r) => `${String(r.category)} ${String(r.kind)}`, loosening: retentionLoosening },
  {
    kind: 'grants',
    rules: (f) => f.grants,
    key: (r) => `${String(r.role)} ${String(r.scope)} [${sorted(r.categories)}]`,
    pair: (r) => `${String(r.role)} ${String(r.scope)}`,
    loosening: grantLoosening,
  },
  { kind: 'fieldPurposes', rules: (f) => list(f.fieldPurposes), key: (r) => String(r.coordinate), loosening: fieldPurposesLoosening },
  { kind: 'trainingPurposes', rules: (f) => list(f.trainingPurposes), key: (r) => String(r.purpose), loosening: removedLoosens('no longer treated as training (its consent, minors and objection invariants no longer apply)') },
  { kind: 'consentOnlyCategories', rules: (f) => list(f.consentOnlyCategories), key: (r) => String(r.category), loosening: removedLoosens('no longer consent-only: tenant grants release it without consent') },
  { kind: 'aggregateOnly', rules: (f) => list(f.aggregateOnly), key: (r) => String(r.role), loosening: removedLoosens('no longer aggregate-only: the role reads single records') },
  singleton('developerData', developerDataLoosening),
  singleton('privateContent', privateContentLoosening),
  singleton('erasure', erasureLoosening),
  singleton('endOfContract', endOfContractLoosening),
  { kind: 'facts', rules: (f) => Object.entries(f.facts ?? {}).map(([key, value]) => ({ key, value })), key: (r) => String(r.key), loosening: never },
  { kind: 'coverage', rules: (f) => list(f.coverage), key: (r) => String(r.clause), clauses: (r) => [String(r.clause)], loosening: never },
];
