import type { Role } from '../auth/index.js';
import type { PolicyPack } from './packs/index.js';
import { REASONS, type Reason } from './types.js';

/**
 * Reasons that tell something about the data subject, and the category that something belongs
 * to: "no consent", "restricted", "objected" and "opted out" are the subject's privacy choices,
 * "minor" is their age, "erased" their account. A caller who may not read that category must not
 * learn it from a redaction entry either (API.md "Governance in responses").
 */
export const STATE_REASON_CATEGORIES: Readonly<Partial<Record<Reason, string>>> = Object.freeze({
  CONSENT: 'user.privacy_preferences',
  RESTRICTED: 'user.privacy_preferences',
  OBJECTED: 'user.privacy_preferences',
  OPTED_OUT: 'user.privacy_preferences',
  MINOR: 'user.demographic.date_of_birth',
  ERASED: 'user.account',
});

/** What each reason is shown as in `extensions.governance` to one role set under one purpose. */
export type ReasonView = Readonly<Record<Reason, Reason>>;

/**
 * Computed once per plan (roles × purpose): a state reason stays precise where one of the roles
 * is granted its category tenant-wide for the purpose, else it becomes `WITHHELD`. The data
 * subject always sees the precise reason (the caller of this view checks that per value).
 */
export function reasonView(roles: readonly Role[], purpose: string, pack: PolicyPack): ReasonView {
  const view = {} as Record<Reason, Reason>;
  for (const reason of REASONS) {
    const category = STATE_REASON_CATEGORIES[reason];
    view[reason] = category === undefined || pack.grantsTenantWide(roles, category, purpose) ? reason : 'WITHHELD';
  }
  return Object.freeze(view);
}
