import { anyCovers, covers } from '../taxonomy/index.js';
import { isTrainingUse, objectionCovers, TRAIN_AI_SYSTEM, trainingPurposesOf } from '../training-purposes.js';
import type { Grant, LegalBasis, PackFile } from './pack-schema.js';
import { ageViolations } from './age-admission.js';
import { retentionViolations } from './retention.js';

const LEGAL_OBLIGATION = 'essential.legal_obligation';

/** What people write to a platform's AI is released to others only on consent or a cited legal basis. */
export const BUILT_IN_CONSENT_ONLY: readonly string[] = Object.freeze(['user.content']);

/** The purposes each legal basis can carry: Art. 6(1)(c) is not a basis for marketing, (b) not for analytics. */
const BASIS_PURPOSES: Readonly<Record<LegalBasis, readonly string[]>> = Object.freeze({
  legal_obligation: ['essential.legal_obligation'],
  contract: ['essential'],
  vital_interests: ['essential'],
  public_task: ['essential'],
});

/** Of two keys where one covers the other, the narrower one (what the overlap is about). */
const narrower = (a: string, b: string): string | null => (covers(a, b) ? b : covers(b, a) ? a : null);

const where = (g: Grant): string => `grant "${g.source}"`;

/**
 * Rules a pack must keep whatever its clauses say, checked when it loads; each violation names
 * the rule, the role, the purpose and the category, so start-up fails with something to fix:
 *
 * - `consent-only-data`: no purpose granted with `scope: tenant` releases another subject's
 *   `user.content.*` (or a category the pack lists in `consentOnlyCategories`) unless a consent
 *   rule covers the purpose or the grant cites a `legalBasis`;
 * - `legal-basis-purpose`: a cited basis covers the grant's purposes (Art. 6(1)(c) only for
 *   `essential.legal_obligation`, the others only for `essential.*`), so a citation cannot open
 *   marketing, analytics or training;
 * - `training-consent`, `training-minors`, `training-objection`: every training-like purpose
 *   needs consent, is closed to minors, and is stopped by an objection to `train_ai_system`;
 * - `objectable-legal-obligation`: no objectable purpose covers `essential.legal_obligation`
 *   (Art. 21 applies to legitimate interests and public tasks, not to a legal obligation);
 * - `consent-duplicate`: one consent rule (one terms version) per purpose;
 * - `retention-*`: retention rules that contradict each other (retention.ts);
 * - `guardian-*`, `band-*`: age rules that cannot mean what they say (age-admission.ts).
 *
 * Returns the violations (empty: the pack holds).
 */
export function packViolations(file: PackFile): string[] {
  const issues: string[] = [];
  const consent = file.consent.map((c) => c.purpose);
  const consentOnly = [...BUILT_IN_CONSENT_ONLY, ...(file.consentOnlyCategories ?? []).map((c) => c.category)];
  const training = trainingPurposesOf(file.trainingPurposes);
  const tenantGrants = file.grants.filter((g) => g.scope === 'tenant');

  for (const g of tenantGrants) {
    for (const purpose of g.purposes) {
      if (g.legalBasis || anyCovers(consent, purpose)) continue;
      for (const granted of g.categories) {
        for (const protectedCategory of consentOnly) {
          const category = narrower(granted, protectedCategory);
          if (category === null) continue;
          issues.push(
            `[consent-only-data] role ${g.role}, purpose ${purpose}, category ${category}: other subjects' data is released without consent; ` +
              `add a consent rule for ${purpose} or cite the grant's legalBasis (${where(g)})`,
          );
        }
      }
    }
  }

  for (const g of file.grants) {
    if (!g.legalBasis) continue;
    const allowed = BASIS_PURPOSES[g.legalBasis.basis];
    for (const purpose of g.purposes.filter((p) => !anyCovers(allowed, p))) {
      issues.push(
        `[legal-basis-purpose] role ${g.role}, purpose ${purpose}, category ${g.categories.join(', ')}: legal basis ${g.legalBasis.basis} does not cover this purpose (${where(g)})`,
      );
    }
  }

  for (const purpose of training) {
    // Grants that reach the training purpose (it, a parent or a child of it) over the tenant.
    const reaching = tenantGrants.filter((g) => g.purposes.some((p) => covers(p, purpose) || covers(purpose, p)));
    const report = (rule: string, why: string): void => {
      if (reaching.length === 0) issues.push(`[${rule}] role (none granted), purpose ${purpose}, category (any): ${why}`);
      for (const g of reaching) issues.push(`[${rule}] role ${g.role}, purpose ${purpose}, category ${g.categories.join(', ')}: ${why} (${where(g)})`);
    };
    if (!anyCovers(consent, purpose)) report('training-consent', 'a training-like purpose needs a consent rule covering it');
    if (!anyCovers(file.minors.restrictedPurposes, purpose)) report('training-minors', 'a training-like purpose must be in minors.restrictedPurposes');
    if (!objectionCovers([TRAIN_AI_SYSTEM], purpose, isTrainingUse(training, purpose))) report('training-objection', `an objection to ${TRAIN_AI_SYSTEM} must stop a training-like purpose`);
  }
  for (const o of file.objectable) {
    if (covers(o.purpose, LEGAL_OBLIGATION)) {
      issues.push(`[objectable-legal-obligation] purpose ${o.purpose}: covers ${LEGAL_OBLIGATION}, which Art. 21 gives no right to object to (and decisions never stop for) ("${o.source}")`);
    }
  }
  const consentSeen = new Set<string>();
  for (const c of file.consent) {
    if (consentSeen.has(c.purpose)) issues.push(`[consent-duplicate] purpose ${c.purpose}: two consent rules (which version counts?) ("${c.source}")`);
    consentSeen.add(c.purpose);
  }
  issues.push(...retentionViolations(file.retention), ...ageViolations(file));
  return issues;
}

/**
 * Whether the release of a value of `category` to `roles` for `purpose` is one the invariants
 * above forbid (`consent-only-data`, `training-consent`): consent-only data of another subject, or
 * any data for a training-like purpose, without a consent rule covering the purpose or a grant
 * citing a legal basis. The dry-run flags such releases of a draft.
 */
export function forbiddenRelease(file: PackFile, roles: readonly string[], category: string, purpose: string): boolean {
  if (anyCovers(file.consent.map((c) => c.purpose), purpose)) return false;
  if (isTrainingUse(trainingPurposesOf(file.trainingPurposes), purpose)) return true;
  const consentOnly = [...BUILT_IN_CONSENT_ONLY, ...(file.consentOnlyCategories ?? []).map((c) => c.category)];
  if (!consentOnly.some((c) => covers(c, category))) return false;
  const cited = file.grants.some((g) => g.legalBasis && roles.includes(g.role) && anyCovers(g.categories, category) && anyCovers(g.purposes, purpose));
  return !cited;
}
