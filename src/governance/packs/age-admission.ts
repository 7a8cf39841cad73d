import type { PackFile } from './pack-schema.js';

/**
 * How a person of an age is admitted under a pack: `refused` (below the minimum age, whatever a
 * guardian says), `guardian` (admitted only with their guardian's confirmed consent), `alone`.
 * Registration and the decisions' minors rule both ask this, so they cannot disagree.
 */
export type AgeAdmission = 'refused' | 'guardian' | 'alone';

type AgeRules = Pick<PackFile, 'minimumAge' | 'guardian' | 'admittedBand'>;

/** `age` null (no birth date that verifies): a guardian route applies if the pack has one — fail closed. */
export function ageAdmission(rules: AgeRules, age: number | null): AgeAdmission {
  if (age !== null && age < rules.minimumAge.age) return 'refused';
  if (rules.guardian.mode === 'none') return 'alone';
  if (age === null) return 'guardian';
  if (age >= rules.guardian.belowAge) return 'alone';
  const band = rules.admittedBand;
  return band && age >= band.fromAge && age < band.belowAge ? 'alone' : 'guardian';
}

/**
 * Age rules that cannot mean what they say:
 * - `guardian-unreachable`: a guardian route that ends at or below the minimum age admits no one;
 * - `guardian-not-minor`: someone who needs a guardian must be decided as a minor (minors.age);
 * - `band-below-minimum` / `band-empty`: an admitted band below the minimum age, or of no ages.
 */
export function ageViolations(rules: AgeRules & Pick<PackFile, 'minors'>): string[] {
  const issues: string[] = [];
  const { minimumAge, guardian, admittedBand: band, minors } = rules;
  if (guardian.mode === 'confirmed') {
    if (guardian.belowAge <= minimumAge.age) {
      issues.push(`[guardian-unreachable] guardian below ${guardian.belowAge}, minimum age ${minimumAge.age}: the guardian route admits no one ("${guardian.source}")`);
    }
    if (guardian.belowAge > minors.age) {
      issues.push(`[guardian-not-minor] guardian below ${guardian.belowAge}, minors below ${minors.age}: a user who needs a guardian would not be decided as a minor ("${guardian.source}")`);
    }
  }
  if (band) {
    if (band.fromAge < minimumAge.age) issues.push(`[band-below-minimum] admitted band from ${band.fromAge}, minimum age ${minimumAge.age}: those ages are refused ("${band.source}")`);
    if (band.belowAge <= band.fromAge) issues.push(`[band-empty] admitted band ${band.fromAge}–${band.belowAge - 1} holds no age ("${band.source}")`);
  }
  return issues;
}
