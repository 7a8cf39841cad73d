import type { PolicyPack } from '../governance/index.js';
import { covers } from '../governance/taxonomy/index.js';

/**
 * GDPR Art. 6(1) basis recorded with each access: consent where the pack requires it, else by the
 * purpose's nature.
 */
export function legalBasisFor(purpose: string | null, pack: PolicyPack): string | null {
  if (!purpose) return null;
  if (pack.needsConsent(purpose)) return 'consent (Art. 6(1)(a))';
  if (covers('essential.legal_obligation', purpose)) return 'legal obligation (Art. 6(1)(c))';
  if (covers('essential.service.security', purpose) || covers('analytics', purpose) || covers('essential.service.operations', purpose)) {
    return 'legitimate interests (Art. 6(1)(f))';
  }
  if (covers('essential', purpose)) return 'contract (Art. 6(1)(b))';
  return 'legitimate interests (Art. 6(1)(f))';
}
