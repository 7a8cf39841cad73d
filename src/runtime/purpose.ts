import type { Caller, Role } from '../auth/index.js';
import { GovgateError } from '../errors.js';
import type { PolicyPack } from '../governance/packs/index.js';
import { anyCovers, covers, isPurpose } from '../governance/taxonomy/index.js';

/** Purpose used when a request declares none (API.md); roles not listed default to essential.service. */
export const DEFAULT_PURPOSES: Readonly<Partial<Record<Role, string>>> = Object.freeze({
  user: 'essential.service',
  compliance_officer: 'essential.legal_obligation',
  support: 'essential.service.operations.support',
  ml_engineer: 'train_ai_system',
  analyst: 'analytics.reporting',
});
const FALLBACK_PURPOSE = 'essential.service';

/**
 * The request's purpose, checked before execution: it must exist in the taxonomy (else
 * BAD_USER_INPUT), be granted to one of the caller's roles by the pack, and be among the token's
 * `purposes` when the token names any (else PURPOSE_NOT_ALLOWED).
 */
export function resolvePurpose(declared: string | null, caller: Caller, pack: PolicyPack): string {
  const explicit = declared?.trim();
  const purpose = explicit || caller.roles.map((r) => DEFAULT_PURPOSES[r]).find(Boolean) || FALLBACK_PURPOSE;
  if (!isPurpose(purpose)) throw new GovgateError('BAD_USER_INPUT', 'X-Purpose names an unknown purpose');
  if (!caller.authenticated) return purpose;
  if (!anyCovers(pack.purposesOf(caller.roles), purpose)) {
    throw new GovgateError('PURPOSE_NOT_ALLOWED', `purpose ${purpose} is not granted to the caller's roles`);
  }
  if (caller.purposes && !tokenAllows(caller.purposes, purpose, pack)) {
    throw new GovgateError('PURPOSE_NOT_ALLOWED', `purpose ${purpose} is not among the token's purposes`);
  }
  return purpose;
}

/**
 * A token's purpose covers its children, except a child the pack asks another consent for than
 * the token's purpose itself (e.g. deepailab's `train_ai_system.third_party`, 003 §3): a client
 * allowed first-party training is not thereby allowed third-party training. A token purpose that
 * needs no consent of its own (`marketing`) covers every child.
 */
function tokenAllows(allowed: readonly string[], purpose: string, pack: PolicyPack): boolean {
  const consent = pack.consentPurposeFor(purpose);
  return allowed.some((p) => {
    if (!covers(p, purpose)) return false;
    const own = pack.consentPurposeFor(p);
    return own === null || own === consent;
  });
}
