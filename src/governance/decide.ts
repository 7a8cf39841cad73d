import type { Caller } from '../auth/index.js';
import { ageOn } from './age.js';
import type { PolicyPack } from './packs/index.js';
import { anyCovers, covers } from './taxonomy/index.js';
import { ownerOnlyVerdict, supportGrantLive } from './owner-only-rules.js';
import { createdWhileOptedOut } from './opt-out.js';
import { objectionCovers } from './training-purposes.js';
import type { GovernedField, Outcome, StaticVerdict, SubjectState } from './types.js';

export const ALLOW: Outcome = Object.freeze({ decision: 'ALLOW', reason: null });
const redact = (reason: Outcome['reason']): Outcome => Object.freeze({ decision: 'REDACT', reason });
const OUTCOMES = {
  ROLE: redact('ROLE'),
  PURPOSE: redact('PURPOSE'),
  TENANT: Object.freeze({ decision: 'DENY', reason: 'TENANT' }) as Outcome,
  CONSENT: redact('CONSENT'),
  RESTRICTED: redact('RESTRICTED'),
  OBJECTED: redact('OBJECTED'),
  RETENTION: redact('RETENTION'),
  MINOR: redact('MINOR'),
  OPTED_OUT: redact('OPTED_OUT'),
  ERASED: redact('ERASED'),
  DEVELOPER_DATA: redact('DEVELOPER_DATA'),
  PRIVATE: redact('PRIVATE'),
} as const;

const LEGAL_OBLIGATION = 'essential.legal_obligation';
const DAY_MS = 86_400_000;

/**
 * Static verdict for one field under (roles, purpose): the part of the decision order that needs
 * no data — role grants the category for the purpose, then the field allows the purpose.
 * Computed once per plan, never per value.
 */
export function staticVerdict(field: GovernedField, caller: Caller, purpose: string, pack: PolicyPack, use: 'row' | 'aggregate' = 'row'): StaticVerdict {
  const { category } = field.governance;
  // The pack may add or remove purposes of this field (fieldPurposes): its effective purposes decide.
  const purposes = pack.fieldPurposes(field);
  // Grants of aggregate-only roles count for statistics, never for a single record.
  const grants = pack.grantsFor(caller.roles, category, purpose, field.coordinate).filter((g) => use === 'aggregate' || !pack.aggregateOnly(g.role));
  const consent = pack.consentRuleFor(purpose);
  if (grants.length === 0) return { kind: 'deny', reason: 'ROLE', field };
  if (!anyCovers(purposes, purpose)) return { kind: 'deny', reason: 'PURPOSE', field };
  return {
    kind: 'grant',
    scope: grants.some((g) => g.scope === 'tenant') ? 'tenant' : 'own',
    field,
    consentPurpose: consent?.purpose ?? null,
    consentVersion: consent?.version ?? null,
    // Only a maximum redacts: a floor (legal hold) is a minimum, never a reason to withhold.
    retentionDays: pack.retentionFor(category).max?.days ?? null,
    minorRestricted: pack.minorRestricted(purpose),
    guardianGate: pack.file.guardian.mode === 'confirmed' && !covers(LEGAL_OBLIGATION, purpose),
    trainingUse: pack.isTrainingUse(purpose),
    ...ownerOnlyVerdict(category, caller.roles, purpose, pack),
  };
}

/** What a value looks like to the decision: whose, which tenant, how old, opted out, whose agent, private. */
export interface ValueFacts {
  readonly subject: string | null;
  readonly tenant: string;
  readonly timestamp: Date | null;
  readonly optedOut: boolean;
  /** The agent whose developer data the value is (TypeGovernance.developerDataOf); absent: none. */
  readonly agent?: string | null;
  /** The owner keeps the value PRIVATE (TypeGovernance.visibilityOf); absent: not private. */
  readonly private?: boolean;
}

/**
 * The data-free prefix of the decision order: tenant isolation → static verdict → own data.
 * Returns the outcome, or null when the subject's state is needed to go on.
 */
export function decideWithoutState(verdict: StaticVerdict, caller: Caller, facts: ValueFacts): Outcome | null {
  if (!verdict.field.personal) return ALLOW;
  if (facts.tenant !== caller.tenant) return OUTCOMES.TENANT;
  if (verdict.kind === 'deny') return OUTCOMES[verdict.reason];
  // The subject's own data is always theirs to see.
  if (facts.subject !== null && facts.subject === caller.subject) return ALLOW;
  if (verdict.scope === 'own') return OUTCOMES.ROLE;
  // Data that belongs to no subject passes on the grant alone.
  if (facts.subject === null) return ALLOW;
  return null;
}

/**
 * The subject-dependent rest of the decision order: erasure → restriction / objection → consent
 * under the current version of that purpose's terms → retention → pack rules (minors and the
 * guardian route, developer data, private content, opt-out) → allow.
 */
export function decideWithState(
  verdict: Extract<StaticVerdict, { kind: 'grant' }>,
  purpose: string,
  pack: PolicyPack,
  facts: ValueFacts,
  state: SubjectState,
  now: Date,
): Outcome {
  if (!state.exists || state.erased) return OUTCOMES.ERASED;
  const legal = covers(LEGAL_OBLIGATION, purpose);
  if (state.restricted && !legal) return OUTCOMES.RESTRICTED;
  if (!legal && objectionCovers(state.objections, purpose, verdict.trainingUse)) return OUTCOMES.OBJECTED;
  if (verdict.consentPurpose) {
    const consent = state.consents.get(verdict.consentPurpose);
    if (!consent || consent.status !== 'GRANTED' || consent.policyVersion !== verdict.consentVersion) return OUTCOMES.CONSENT;
  }
  if (verdict.retentionDays !== null && facts.timestamp && now.getTime() - facts.timestamp.getTime() > verdict.retentionDays * DAY_MS) {
    return OUTCOMES.RETENTION;
  }
  // An age that cannot be checked (no birth date on record) fails closed: treated as a minor's.
  const age = state.birthDate === null ? null : ageOn(state.birthDate, now);
  if (verdict.minorRestricted && (age === null || age < pack.file.minors.age)) return OUTCOMES.MINOR;
  // Until their guardian confirms, a minor who needs a guardian is processed by others for nothing
  // but a legal obligation (the pack's guardian route; the child's own flag never counts).
  if (verdict.guardianGate && !state.guardianConsent && pack.ageAdmission(age) !== 'alone') return OUTCOMES.MINOR;
  // Developer data is the developer's alone; support reads it only during a grant for that agent.
  if (verdict.developerData && facts.agent) {
    if (!verdict.supportAccess || !supportGrantLive(state, facts.agent, now)) return OUTCOMES.DEVELOPER_DATA;
  }
  if (verdict.ownerOnlyWhenPrivate && facts.private === true) return OUTCOMES.PRIVATE;
  // Opted out on the request that created the value, or by the account or its tenant since before it was created.
  if (verdict.trainingUse && (facts.optedOut || createdWhileOptedOut(state.optOutPeriods, facts.timestamp))) return OUTCOMES.OPTED_OUT;
  return ALLOW;
}
