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
/** One frozen outcome per reason: the request path compares and keys them by identity. */
export const OUTCOMES = {
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

type Grant = Extract<StaticVerdict, { kind: 'grant' }>;

/** The purpose is a legal obligation: restriction and objections do not stop it (Art. 18(2), 21(1)). */
export const isLegalObligation = (purpose: string): boolean => covers(LEGAL_OBLIGATION, purpose);

/**
 * What the subject's own choices decide, before anything about the value: erasure → restriction /
 * objection → consent under the current version of that purpose's terms. ALLOW when none stops it.
 */
export function choicesGate(verdict: Grant, purpose: string, legal: boolean, state: SubjectState): Outcome {
  if (!state.exists || state.erased) return OUTCOMES.ERASED;
  if (state.restricted && !legal) return OUTCOMES.RESTRICTED;
  if (!legal && objectionCovers(state.objections, purpose, verdict.trainingUse)) return OUTCOMES.OBJECTED;
  if (verdict.consentPurpose) {
    const consent = state.consents.get(verdict.consentPurpose);
    if (!consent || consent.status !== 'GRANTED' || consent.policyVersion !== verdict.consentVersion) return OUTCOMES.CONSENT;
  }
  return ALLOW;
}

/** The value is older than the category's maximum retention (a value of unknown age is not). */
export const pastRetention = (verdict: Grant, timestamp: Date | null, now: Date): boolean =>
  verdict.retentionDays !== null && timestamp !== null && now.getTime() - timestamp.getTime() > verdict.retentionDays * DAY_MS;

/** The subject's age on a day; null when it cannot be checked (no birth date on record). */
export const subjectAge = (state: SubjectState, now: Date): number | null => (state.birthDate === null ? null : ageOn(state.birthDate, now));

/**
 * Minors and the guardian route. An age that cannot be checked fails closed: treated as a minor's.
 * Until their guardian confirms, a minor who needs a guardian is processed by others for nothing but
 * a legal obligation (the pack's guardian route; the child's own flag never counts).
 */
export function ageGate(verdict: Grant, pack: PolicyPack, state: SubjectState, age: number | null): Outcome {
  if (verdict.minorRestricted && (age === null || age < pack.file.minors.age)) return OUTCOMES.MINOR;
  if (verdict.guardianGate && !state.guardianConsent && pack.ageAdmission(age) !== 'alone') return OUTCOMES.MINOR;
  return ALLOW;
}

/** What the value itself decides last: whose agent it is, private, created while opted out. */
export function valueGate(verdict: Grant, state: SubjectState, now: Date, agent: string | null, isPrivate: boolean, optedOut: boolean, timestamp: Date | null): Outcome {
  // Developer data is the developer's alone; support reads it only during a grant for that agent.
  if (verdict.developerData && agent) {
    if (!verdict.supportAccess || !supportGrantLive(state, agent, now)) return OUTCOMES.DEVELOPER_DATA;
  }
  if (verdict.ownerOnlyWhenPrivate && isPrivate) return OUTCOMES.PRIVATE;
  // Opted out on the request that created the value, or by the account or its tenant since before it was created.
  if (verdict.trainingUse && (optedOut || createdWhileOptedOut(state.optOutPeriods, timestamp))) return OUTCOMES.OPTED_OUT;
  return ALLOW;
}

/** Some rule of the verdict reads the value itself (its age, agent, visibility or opt-out), not only its subject. */
export const readsValue = (verdict: Grant): boolean => verdict.retentionDays !== null || verdict.developerData || verdict.ownerOnlyWhenPrivate || verdict.trainingUse;

/**
 * The subject-dependent rest of the decision order: erasure → restriction / objection → consent
 * under the current version of that purpose's terms → retention → pack rules (minors and the
 * guardian route, developer data, private content, opt-out) → allow. The request path runs the
 * same gates, remembering the subject's for the request (runtime/request-governance.ts).
 */
export function decideWithState(verdict: Grant, purpose: string, pack: PolicyPack, facts: ValueFacts, state: SubjectState, now: Date): Outcome {
  const choices = choicesGate(verdict, purpose, isLegalObligation(purpose), state);
  if (choices !== ALLOW) return choices;
  if (pastRetention(verdict, facts.timestamp, now)) return OUTCOMES.RETENTION;
  const age = ageGate(verdict, pack, state, subjectAge(state, now));
  if (age !== ALLOW) return age;
  return valueGate(verdict, state, now, facts.agent ?? null, facts.private === true, facts.optedOut, facts.timestamp);
}
