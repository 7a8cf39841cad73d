import { anyCovers, covers } from '../taxonomy/index.js';
import type { Grant, PackFile } from './pack-schema.js';

/** A purpose whose consent must be asked again, with why (each reason names the rule and its clause). */
export interface ReConsent {
  readonly purpose: string;
  /** The version of its consent rule in the new pack: what a new consent is recorded under. */
  readonly version: string;
  readonly reasons: readonly string[];
}

/** The grant purpose, narrowed to the consented purpose when the grant's is broader. */
const overlap = (grantPurpose: string, consented: string): string | null =>
  covers(grantPurpose, consented) ? consented : covers(consented, grantPurpose) ? grantPurpose : null;

/** Some grant of `old` already released this category to this role and scope for this purpose. */
const releasedBefore = (old: readonly Grant[], g: Grant, category: string, purpose: string): boolean =>
  old.some((o) => o.role === g.role && (o.scope === 'tenant' || g.scope === 'own') && anyCovers(o.categories, category) && anyCovers(o.purposes, purpose));

/**
 * The purposes that need re-consent going from `old` to `next`. A purpose P is listed when `next`
 * has a consent rule for P (consent rules are matched by purpose) and at least one of:
 * 1. **version**: `old` has a rule for P too, with another `version` — consents recorded under the
 *    old version no longer count;
 * 2. **new rule**: `old` has no rule for P — no subject consented under it;
 * 3. **widened grant**: a grant of `next` without a `legalBasis` (a grant citing one does not rest
 *    on consent) releases a category, to a role and scope, for a purpose overlapping P (P, a child
 *    of P, or a parent of P narrowed to P), that no grant of `old` released to that role for that
 *    purpose: a new role, category, purpose or `own` → `tenant` — subjects did not consent to it;
 * 4. **widened field**: a `fieldPurposes` rule of `next` adds to a coordinate a purpose overlapping
 *    P that `old` did not add there.
 * Removing a rule, or narrowing one, never needs re-consent; a purpose without a consent rule in
 * `next` is never listed. Listed in the order of `next`'s consent rules.
 */
export function reConsentPurposes(old: PackFile, next: PackFile): ReConsent[] {
  const out: ReConsent[] = [];
  for (const rule of next.consent) {
    const P = rule.purpose;
    const reasons: string[] = [];
    const before = old.consent.find((c) => c.purpose === P);
    if (!before) reasons.push(`new consent rule for ${P} ("${rule.source}"): no subject has consented under it`);
    else if (before.version !== rule.version) reasons.push(`consent version changed ${before.version} → ${rule.version} ("${rule.source}")`);
    for (const g of next.grants) {
      if (g.legalBasis) continue;
      for (const gp of g.purposes) {
        const purpose = overlap(gp, P);
        if (purpose === null) continue;
        const opened = g.categories.filter((c) => !releasedBefore(old.grants, g, c, purpose));
        if (opened.length) reasons.push(`grant ${g.role} (${g.scope}) now releases ${opened.join(', ')} for ${purpose} ("${g.source}")`);
      }
    }
    for (const f of next.fieldPurposes ?? []) {
      const oldAdds = old.fieldPurposes?.find((o) => o.coordinate === f.coordinate)?.add ?? [];
      for (const added of f.add ?? []) {
        const purpose = overlap(added, P);
        if (purpose !== null && !anyCovers(oldAdds, purpose)) reasons.push(`fieldPurposes ${f.coordinate} now adds ${added} ("${f.source}")`);
      }
    }
    if (reasons.length) out.push({ purpose: P, version: rule.version, reasons });
  }
  return out;
}
