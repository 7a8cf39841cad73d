import type { FieldGovernance } from '../types.js';
import { ageBand, generalizeToCountry, generalizeToYear } from './generalize.js';
import { maskEmail, maskGeneric, maskPhone } from './mask.js';
import type { Pseudonymizer } from './pseudonym.js';

export interface RedactContext {
  readonly tenant: string;
  readonly pseudonymizer: Pseudonymizer;
  readonly now: Date;
}

/** Whether the strategy transforms the value (so it must be resolved) or replaces it outright. */
export const needsValue = (governance: FieldGovernance): boolean => governance.strategy !== 'null' && governance.strategy !== 'drop';

function maskStyle(governance: FieldGovernance): 'email' | 'phone' | 'generic' {
  if (governance.mask) return governance.mask;
  if (governance.category.startsWith('user.contact.email')) return 'email';
  if (governance.category.startsWith('user.contact.phone_number')) return 'phone';
  return 'generic';
}

/**
 * The redacted form of a resolved value. Anything the strategy cannot transform safely becomes
 * null: a redaction never lets the original through.
 */
export function applyStrategy(governance: FieldGovernance, value: unknown, context: RedactContext): unknown {
  if (value === null || value === undefined) return value ?? null;
  switch (governance.strategy) {
    case 'null':
      return null;
    case 'drop':
      return [];
    case 'mask': {
      if (typeof value !== 'string') return null;
      const style = maskStyle(governance);
      return style === 'email' ? maskEmail(value) : style === 'phone' ? maskPhone(value) : maskGeneric(value);
    }
    case 'hash':
      return typeof value === 'string' || typeof value === 'number' ? context.pseudonymizer.pseudonym(context.tenant, String(value)) : null;
    case 'generalize':
      if (value instanceof Date) return governance.generalize === 'age_band' ? ageBand(value, context.now) : generalizeToYear(value);
      if (typeof value === 'string') return generalizeToCountry(value);
      return null;
    case 'truncate': {
      if (typeof value !== 'string') return null;
      const keep = governance.truncate ?? 1;
      return value.length <= keep ? value : `${value.slice(0, keep)}…`;
    }
  }
}
