import type { Connection } from 'mongoose';
import { storedHash, subjectsOfDecision, type AuditEventDoc } from '../../audit/index.js';
import { ageOn, bandOf, REDACTION_AGE_BANDS } from '../../governance/age.js';
import { decideWithoutState, decideWithState, staticVerdict } from '../../governance/decide.js';
import type { PolicyPack } from '../../governance/packs/index.js';
import { covers } from '../../governance/taxonomy/index.js';
import { objectionCovers } from '../../governance/training-purposes.js';
import type { GovernedField, Outcome, Reason } from '../../governance/types.js';
import { recordedCaller, recordedFacts } from './recorded-decision.js';
import { stateThen } from './state-then.js';

/** One check of the decision order, as it applied to the recorded decision. */
export interface ExplanationStep {
  readonly order: number;
  readonly check: string;
  /** PASS: the check let the value go on; STOP: it decided (reason, or null for a release); SKIP: does not apply; UNKNOWN: depends on facts of the value the audit does not keep. */
  readonly outcome: 'PASS' | 'STOP' | 'SKIP' | 'UNKNOWN';
  readonly reason: Reason | null;
  /** The rule checked, in words, and the clause it cites. */
  readonly rule: string | null;
  readonly source: string | null;
  /** The subject-state facts the check used, as they were at the time of the decision. */
  readonly facts: Readonly<Record<string, unknown>>;
}

export interface Explanation {
  readonly auditId: string;
  readonly at: Date;
  readonly tenant: string;
  readonly subject: string | null;
  readonly coordinate: string;
  readonly category: string;
  readonly purpose: string;
  readonly roles: readonly string[];
  readonly decision: string;
  readonly reason: Reason | null;
  readonly decidedBy: string | null;
  readonly explainedWith: string;
  readonly steps: readonly ExplanationStep[];
  /** The engine's decision from the reconstructed facts (null when they cannot be reconstructed). */
  readonly recomputed: Outcome | null;
  /** True: the reconstruction agrees with the record; false: it does not (`mismatch` says how); null: it cannot tell. */
  readonly consistent: boolean | null;
  readonly mismatch: string | null;
  readonly notes: readonly string[];
}

/** Reasons decided by facts of the value itself (its tenant, age, opt-out flag, agent, visibility), which the audit does not keep. */
export const VALUE_REASONS: ReadonlySet<Reason> = new Set<Reason>(['TENANT', 'RETENTION', 'OPTED_OUT', 'DEVELOPER_DATA', 'PRIVATE']);

export interface ExplainInput {
  readonly connection: Connection;
  readonly pack: PolicyPack;
  readonly event: AuditEventDoc;
  readonly field: GovernedField | undefined;
  readonly coordinate: string;
  /** The subject as the event stores it (pseudonym) and as asked (id), or null for a value of no one. */
  readonly subjectRef: string | null;
  readonly subject: string | null;
  /** The event is vouched for by a signed head of its chain (authenticatedEvents). */
  readonly authentic: boolean;
}

/**
 * Explains one recorded decision: the decision order step by step with each rule and its clause,
 * the subject's state as it was at the time (sealed state history and consent history), and the
 * engine's own decision from those facts compared with the record. Facts of the value itself
 * (its age, opt-out flag, agent, visibility) are not in the audit: a decision that rests on them
 * is consistent when every earlier check agrees, and the step says which fact decided.
 */
export async function explainDecision(input: ExplainInput): Promise<Explanation> {
  const { event, pack, field, coordinate, subjectRef, subject, connection, authentic } = input;
  const notes: string[] = [];
  const record = event.decisions.find((d) => d.coordinate === coordinate && subjectsOfDecision(event, d).includes(subjectRef));
  if (!record) throw new Error('no such decision');
  if (storedHash(event) !== event.hash) notes.push('the stored event does not match its hash: it was altered after it was written (verifyAuditLog names it)');
  const decidedBy = event.policy ? `${event.policy.pack}@${event.policy.version}` : null;
  const explainedWith = `${pack.name}@${pack.version}`;
  if (decidedBy === null) notes.push('the event predates recording the deciding pack; explained with the active one');
  else if (decidedBy !== explainedWith) notes.push(`decided under ${decidedBy}; earlier pack versions are not kept, so it is explained with ${explainedWith}`);
  const base = { auditId: event._id, at: event.at, tenant: event.tenant, subject, coordinate, category: record.category, purpose: record.purpose, roles: event.actor.roles, decision: record.decision, reason: record.reason, decidedBy, explainedWith, notes };
  const steps: ExplanationStep[] = [];
  const step = (check: string, outcome: ExplanationStep['outcome'], reason: Reason | null, rule: string | null, source: string | null, facts: Record<string, unknown> = {}) =>
    steps.push({ order: steps.length + 1, check, outcome, reason, rule, source, facts });
  const finish = (recomputed: Outcome | null, valueLevel = false): Explanation => {
    // An event no signed head vouches for was edited or planted: nothing it says can be agreed with.
    if (!authentic) return { ...base, steps, recomputed, consistent: false, mismatch: 'the event is not authenticated by a signed head of its chain (edited or planted in the database; verifyAuditLog names it)' };
    let consistent: boolean | null = null;
    let mismatch: string | null = null;
    if (recomputed) {
      const same = recomputed.decision === record.decision && recomputed.reason === record.reason;
      // The subject-level checks released it, and the record names a fact of the value: consistent as far as the audit can tell.
      const byValue = valueLevel && recomputed.decision === 'ALLOW' && record.reason !== null && VALUE_REASONS.has(record.reason);
      consistent = same || byValue;
      if (!consistent) mismatch = `recorded ${record.decision}${record.reason ? ` (${record.reason})` : ''}, the reconstruction decides ${recomputed.decision}${recomputed.reason ? ` (${recomputed.reason})` : ''}`;
    }
    return { ...base, steps, recomputed, consistent, mismatch };
  };

  if (!field) {
    notes.push('the coordinate is no longer in the schema');
    return finish(null);
  }
  const caller = recordedCaller(event);
  if (!field.personal) {
    step('personal data', 'STOP', null, `${field.governance.category} is not personal data`, null);
    return finish({ decision: 'ALLOW', reason: null });
  }
  if (record.reason === 'TENANT') {
    step('tenant isolation', 'STOP', 'TENANT', "the value belonged to another tenant than the caller's", 'govgate baseline: tenants never see each other\'s data');
    return finish({ decision: 'DENY', reason: 'TENANT' }, true);
  }
  step('tenant isolation', 'PASS', null, "the value is of the caller's tenant", null);
  const verdict = staticVerdict(field, caller, record.purpose, pack);
  const grants = pack.grantsFor(caller.roles, field.governance.category, record.purpose, coordinate);
  if (verdict.kind === 'deny' && verdict.reason === 'ROLE') {
    step('role grant', 'STOP', 'ROLE', `no grant of ${field.governance.category} for ${record.purpose} to ${caller.roles.join(', ') || 'no role'}`, null, { roles: caller.roles });
    return finish({ decision: 'REDACT', reason: 'ROLE' });
  }
  step('role grant', 'PASS', null, grants.map((g) => `${g.role} (${g.scope}): ${g.categories.join(', ')} for ${g.purposes.join(', ')}`).join('; '), grants.map((g) => g.source).join('; '));
  if (verdict.kind === 'deny') {
    step('field purposes', 'STOP', 'PURPOSE', `${coordinate} serves ${pack.fieldPurposes(field).join(', ')}, not ${record.purpose}`, null);
    return finish({ decision: 'REDACT', reason: 'PURPOSE' });
  }
  step('field purposes', 'PASS', null, `${coordinate} serves ${pack.fieldPurposes(field).join(', ')}`, null);
  const own = subjectRef !== null && subjectRef === event.actor.subject;
  const early = decideWithoutState(verdict, caller, recordedFacts(caller, subjectRef));
  if (early) {
    step(own ? 'own data' : subjectRef === null ? 'no subject' : 'grant scope', 'STOP', early.reason, own ? "the subject's own data is always theirs to see" : subjectRef === null ? 'a value of no subject passes on the grant alone' : 'the grant is for the caller\'s own data only', null);
    return finish(early);
  }
  if (subject === null) {
    notes.push("the subject's key is gone (erased): their state at the time can no longer be read");
    return finish(null);
  }
  const { history, consents, state, skipped } = await stateThen(connection, event.tenant, subject, event.at);
  if (skipped > 0) notes.push(`${skipped} state history entr${skipped === 1 ? 'y' : 'ies'} from before the decision did not verify and were not used`);
  if (!history || !state) {
    notes.push('no verified state history from before the decision: the subject\'s state then cannot be reconstructed');
    return finish(null);
  }
  const at = event.at;
  const s = history.state;
  const stateFacts = { stateSince: history.at, historyEntry: history.entryId };
  step('erasure', state.erased ? 'STOP' : 'PASS', state.erased ? 'ERASED' : null, 'an account with an erasure pending or done is decided as erased', 'GDPR Art. 17', { ...stateFacts, erasure: s.erasure });
  if (state.erased) return finish(decideWithState(verdict, record.purpose, pack, { subject, tenant: event.tenant, timestamp: null, optedOut: false }, state, at));
  const legal = covers('essential.legal_obligation', record.purpose);
  step('restriction', state.restricted && !legal ? 'STOP' : 'PASS', state.restricted && !legal ? 'RESTRICTED' : null, 'restricted processing (Art. 18) stops every purpose but a legal obligation', 'GDPR Art. 18', { ...stateFacts, restricted: s.restricted });
  const objected = !legal && objectionCovers(state.objections, record.purpose, verdict.trainingUse);
  step('objection', objected ? 'STOP' : 'PASS', objected ? 'OBJECTED' : null, 'an objection covers its purpose and children; one to train_ai_system covers every training-like purpose', pack.file.objectable.map((o) => o.source).join('; ') || 'GDPR Art. 21', { ...stateFacts, objections: s.objections });
  if (verdict.consentPurpose) {
    const rule = pack.consentRuleFor(record.purpose)!;
    const c = consents.get(verdict.consentPurpose);
    const ok = c !== undefined && c.status === 'GRANTED' && c.policyVersion === verdict.consentVersion;
    step('consent', ok ? 'PASS' : 'STOP', ok ? null : 'CONSENT', `consent to ${rule.purpose} under version ${rule.version}`, rule.source, { consentId: c?.id ?? null, status: c?.status ?? null, policyVersion: c?.policyVersion ?? null, recordedAt: c?.at ?? null });
  } else step('consent', 'SKIP', null, `${record.purpose} needs no consent under this pack`, null);
  const max = pack.retentionFor(field.governance.category).max;
  step('retention', max ? 'UNKNOWN' : 'SKIP', null, max ? `values older than ${max.days} days (created before ${new Date(at.getTime() - max.days * 86_400_000).toISOString()}) are redacted` : 'no maximum retention for this category', max?.source ?? null, { valueCreatedAt: 'not kept in the audit' });
  const age = s.birthDate ? ageOn(s.birthDate, at) : null;
  const minor = verdict.minorRestricted && (age === null || age < pack.file.minors.age);
  // A band, never the age: enough to show the minors threshold, not to narrow down a birthday.
  const ageFacts = verdict.minorRestricted ? { ...stateFacts, ageBand: age === null ? 'unknown' : bandOf(age, REDACTION_AGE_BANDS) } : {};
  step('minors', !verdict.minorRestricted ? 'SKIP' : minor ? 'STOP' : 'PASS', minor ? 'MINOR' : null, `under ${pack.file.minors.age} (or of unknown age), not for ${pack.file.minors.restrictedPurposes.join(', ')}`, pack.file.minors.source, ageFacts);
  if (verdict.guardianGate) {
    const admission = pack.ageAdmission(age);
    const stops = !state.guardianConsent && admission !== 'alone';
    step('guardian', stops ? 'STOP' : 'PASS', stops ? 'MINOR' : null, "until the guardian confirms, a minor who needs one is processed for nothing but a legal obligation", pack.file.guardian.source, { ...stateFacts, guardianConsent: state.guardianConsent, admission });
  }
  if (verdict.developerData) step('developer data', 'UNKNOWN', null, "an agent's developer data is the developer's (support only during a grant)", pack.file.developerData?.source ?? null);
  if (verdict.ownerOnlyWhenPrivate) step('private content', 'UNKNOWN', null, "a PRIVATE value is its owner's alone", pack.file.privateContent?.source ?? null);
  if (verdict.trainingUse) {
    step('opt-out', 'UNKNOWN', null, 'a value created under a request, account or tenant opt-out is not used for training', '001 §7.4–7.6', { ...stateFacts, accountOptOuts: s.mipOptOutPeriods, valueCreatedAt: 'not kept in the audit' });
  }
  return finish(decideWithState(verdict, record.purpose, pack, { subject, tenant: event.tenant, timestamp: null, optedOut: false }, state, at), true);
}
