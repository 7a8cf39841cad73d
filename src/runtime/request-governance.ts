import { compactDecisions, type DecisionSets } from '../audit/index.js';
import type { Caller } from '../auth/index.js';
import { GovgateError } from '../errors.js';
import { ageGate, ALLOW, choicesGate, decideWithState, decideWithoutState, isLegalObligation, OUTCOMES, pastRetention, staticVerdict, subjectAge, valueGate, type ValueFacts } from '../governance/decide.js';
import type { PolicyPack } from '../governance/packs/index.js';
import { compileFieldPlan, type FieldPlan, type Plan } from './plan/index.js';
import type { GovernedRequest } from '../governance/plugin/governed-request.js';
import type { Pseudonymizer } from '../governance/redact/index.js';
import type { DecisionRecord, DecisionTally, GovernedField, Outcome, Reason, Redaction, StaticVerdict, SubjectState } from '../governance/types.js';

/** One subject's loaded state, and what its gates decided in this request (per gate class: choices, age). */
interface SubjectEntry {
  readonly state: SubjectState;
  /** Loaded with consents (a plan whose grants need none skips reading them). */
  readonly withConsents: boolean;
  readonly choices: (Outcome | undefined)[];
  readonly age: (Outcome | undefined)[];
  years: number | null | undefined;
}

/** Every value of one field decided with one outcome in this request. */
interface DecisionEntry {
  readonly record: Omit<DecisionRecord, 'subjects'>;
  readonly subjects: Set<string | null>;
  values: number;
}

export interface RequestGovernanceInit {
  readonly caller: Caller;
  readonly purpose: string;
  readonly pack: PolicyPack;
  readonly pseudonymizer: Pseudonymizer;
  readonly now?: Date;
}

/** Loads subject state (consents only when asked), batched per request. */
export type SubjectStateLoader = (subject: string, withConsents: boolean) => Promise<SubjectState>;

/**
 * Everything governance knows about one request: its plan (from the moment execution starts), the
 * decisions taken (for the audit event) and the redactions (for `extensions.governance`). It lives on
 * the context as `governance`.
 */
export class RequestGovernance implements GovernedRequest {
  readonly caller: Caller;
  readonly purpose: string;
  readonly pack: PolicyPack;
  readonly pseudonymizer: Pseudonymizer;
  readonly now: Date;
  readonly redactions: Redaction[] = [];
  /** Accesses that are not field reads (compliance operations): each makes the request audited. */
  readonly accesses: string[] = [];
  private current: Plan | null = null;
  /** The id of this mutation's INTENT event (written before any effect), once written. */
  intentId: string | null = null;
  private readonly aggregateVerdicts = new Map<GovernedField, StaticVerdict>();
  /** Subject states already loaded: values of these subjects are decided synchronously. */
  private readonly subjects = new Map<string, SubjectEntry>();
  private legal = false;
  /** Fields decided outside the plan (a coordinate it did not see), compiled on first use. */
  private extraFields: Map<GovernedField, FieldPlan> | null = null;
  private readonly gateClasses = new Map<string, number>();
  // By field slot, then by outcome object (outcomes are shared frozen singletons): no string keys
  // on the per-value path.
  private readonly decisions: (Map<Outcome, DecisionEntry> | undefined)[] = [];
  private loadSubjectState: SubjectStateLoader = () => Promise.reject(new GovgateError('INTERNAL_SERVER_ERROR', 'subject state loaded before execution'));

  constructor(init: RequestGovernanceInit) {
    this.caller = init.caller;
    this.purpose = init.purpose;
    this.pack = init.pack;
    this.pseudonymizer = init.pseudonymizer;
    this.now = init.now ?? new Date();
  }

  /** Execution starts under this plan, loading subject state through the execution's own context (once per request). */
  begin(plan: Plan, loadSubjectState: SubjectStateLoader): void {
    if (this.current) throw new GovgateError('INTERNAL_SERVER_ERROR', 'request governance started twice');
    this.current = plan;
    this.loadSubjectState = loadSubjectState;
    this.legal = isLegalObligation(this.purpose);
  }

  /** Fails closed: no value is decided before the plan exists. */
  get plan(): Plan {
    if (!this.current) throw new GovgateError('INTERNAL_SERVER_ERROR', 'governed value decided before its plan');
    return this.current;
  }

  get started(): boolean {
    return this.current !== null;
  }

  get needsState(): boolean {
    return this.current?.needsState ?? false;
  }

  /**
   * Decides one value of a governed field and records the decision: synchronously when no subject
   * state is needed or it is loaded, else after one batched load. The decision order is decide.ts's;
   * here its subject gates run once per subject and gate class per request, and nothing is
   * allocated for a value that is released.
   */
  decideValue(field: GovernedField, parent: unknown): Outcome | Promise<Outcome> {
    const plan = this.fieldPlan(field);
    const type = field.type;
    const subject = type.subjectOf(parent);
    if (type.tenantOf(parent) !== this.caller.tenant) return this.recorded(plan, subject, OUTCOMES.TENANT);
    // Denied for everyone (ROLE, PURPOSE) before anyone's own data is looked at.
    if (plan.grant === null && plan.verdict.kind === 'deny') return this.recorded(plan, subject, plan.others!);
    // The subject's own data is always theirs to see.
    if (subject !== null && subject === this.caller.subject) return this.recorded(plan, subject, ALLOW);
    if (plan.grant === null) return this.recorded(plan, subject, plan.others!);
    // Data that belongs to no subject passes on the grant alone.
    if (subject === null) return this.recorded(plan, subject, ALLOW);
    const entry = this.subjects.get(subject);
    const withConsents = plan.grant.consentPurpose !== null;
    if (entry !== undefined && (entry.withConsents || !withConsents)) return this.recorded(plan, subject, this.decideLoaded(plan, entry, parent));
    return this.loadSubjectState(subject, withConsents).then((state) => {
      const loaded = this.remember(subject, state, withConsents);
      return this.recorded(plan, subject, this.decideLoaded(plan, loaded, parent));
    });
  }

  private decideLoaded(plan: FieldPlan, entry: SubjectEntry, parent: unknown): Outcome {
    const grant = plan.grant!;
    const cls = plan.gateClass;
    const choices = (entry.choices[cls] ??= choicesGate(grant, this.purpose, this.legal, entry.state));
    if (choices !== ALLOW) return choices;
    if (!plan.readsValue) return (entry.age[cls] ??= ageGate(grant, this.pack, entry.state, this.yearsOf(entry)));
    const type = plan.field.type;
    // A list's items carry their own timestamps (and their fields decide retention for
    // themselves): the parent's age says nothing about them.
    const timestamp = plan.field.list ? null : (type.timestampOf?.(parent) ?? null);
    if (pastRetention(grant, timestamp, this.now)) return OUTCOMES.RETENTION;
    const age = (entry.age[cls] ??= ageGate(grant, this.pack, entry.state, this.yearsOf(entry)));
    if (age !== ALLOW) return age;
    const agent = grant.developerData ? (type.developerDataOf?.(parent) ?? null) : null;
    const isPrivate = grant.ownerOnlyWhenPrivate && type.visibilityOf !== undefined && type.visibilityOf(parent) === 'PRIVATE';
    const optedOut = grant.trainingUse && (type.optedOutOf?.(parent) ?? false);
    return valueGate(grant, entry.state, this.now, agent, isPrivate, optedOut, timestamp);
  }

  private yearsOf(entry: SubjectEntry): number | null {
    if (entry.years === undefined) entry.years = subjectAge(entry.state, this.now);
    return entry.years;
  }

  private remember(subject: string, state: SubjectState, withConsents: boolean): SubjectEntry {
    const known = this.subjects.get(subject);
    // Two loads of one subject may race (one without consents): keep the one that has them.
    if (known && (known.withConsents || !withConsents)) return known;
    const entry: SubjectEntry = { state, withConsents, choices: [], age: [], years: undefined };
    this.subjects.set(subject, entry);
    return entry;
  }

  /** The plan's compiled field; a coordinate the plan did not see (should not happen) is compiled now. */
  private fieldPlan(field: GovernedField): FieldPlan {
    const compiled = this.plan.fields.get(field) ?? this.extraFields?.get(field);
    if (compiled) return compiled;
    this.extraFields ??= new Map();
    // Slots after the plan's own; gate classes numbered apart from the plan's (entries are per request).
    const extra = compileFieldPlan(field, this.caller, this.purpose, this.pack, this.plan.fields.size + this.extraFields.size, this.gateClasses);
    const shifted = { ...extra, gateClass: extra.gateClass < 0 ? -1 : this.plan.gateClasses + extra.gateClass };
    this.extraFields.set(field, shifted);
    return shifted;
  }

  /**
   * The verdict for counting a subject in an aggregate (usageStatistics): like a field's, but the
   * grants of aggregate-only roles count. Never used for a value that leaves as a record.
   */
  private aggregateVerdict(field: GovernedField): StaticVerdict {
    let verdict = this.aggregateVerdicts.get(field);
    if (!verdict) this.aggregateVerdicts.set(field, (verdict = staticVerdict(field, this.caller, this.purpose, this.pack, 'aggregate')));
    return verdict;
  }

  /** Decides and records whether a subject may be counted in an aggregate of this field (usageStatistics). */
  async decideAggregate(field: GovernedField, subject: string, tenant: string): Promise<Outcome> {
    const verdict = this.aggregateVerdict(field);
    const facts: ValueFacts = { subject, tenant, timestamp: null, optedOut: false };
    let outcome = decideWithoutState(verdict, this.caller, facts);
    if (!outcome) {
      const grant = verdict as Extract<StaticVerdict, { kind: 'grant' }>;
      const withConsents = grant.consentPurpose !== null;
      const known = this.subjects.get(subject);
      const state = known && (known.withConsents || !withConsents) ? known.state : this.remember(subject, await this.loadSubjectState(subject, withConsents), withConsents).state;
      outcome = decideWithState(grant, this.purpose, this.pack, facts, state, this.now);
    }
    // In the field's slot: a field read as values and counted in an aggregate in one request is one
    // decision per outcome in the event, as before plans were compiled.
    return this.recorded(this.fieldPlan(field), subject, outcome);
  }

  /**
   * Loads the state of every subject of a resolved list (or object) at once, before its fields
   * resolve, so each of their values is then decided without a promise. Null: nothing to load.
   */
  prefetch(subjects: Iterable<string | null>): Promise<void> | null {
    if (!this.needsState) return null;
    const missing = new Set<string>();
    for (const subject of subjects) {
      if (subject !== null && subject !== this.caller.subject && !this.subjects.has(subject)) missing.add(subject);
    }
    if (missing.size === 0) return null;
    const list = [...missing];
    const withConsents = this.plan.needsConsents;
    return Promise.all(list.map((s) => this.loadSubjectState(s, withConsents))).then((states) => {
      list.forEach((s, i) => this.remember(s, states[i]!, withConsents));
    });
  }

  private recorded(plan: FieldPlan, subject: string | null, outcome: Outcome): Outcome {
    let byOutcome = this.decisions[plan.slot];
    if (byOutcome === undefined) this.decisions[plan.slot] = byOutcome = new Map();
    let entry = byOutcome.get(outcome);
    if (entry === undefined) byOutcome.set(outcome, (entry = this.newEntry(plan.field, outcome)));
    entry.subjects.add(subject);
    entry.values += 1;
    return outcome;
  }

  private newEntry(field: GovernedField, outcome: Outcome): DecisionEntry {
    return {
      subjects: new Set(),
      values: 0,
      record: { coordinate: field.coordinate, category: field.governance.category, purpose: this.purpose, decision: outcome.decision, reason: outcome.reason },
    };
  }

  /** Every (field, outcome) decided so far: the plan's fields in plan order, then those it did not see. */
  private *entries(): Generator<[Outcome, DecisionEntry]> {
    for (const byOutcome of this.decisions) if (byOutcome) yield* byOutcome;
  }

  /** How many values were decided, by decision and reason: for the access log and the metrics (counts only). */
  tally(): DecisionTally {
    const tally = new Map<string, number>();
    for (const [outcome, { values }] of this.entries()) {
      const key = `${outcome.decision}:${outcome.reason ?? 'none'}`;
      tally.set(key, (tally.get(key) ?? 0) + values);
    }
    return tally;
  }

  /**
   * The audit keeps the precise reason; the response shows a subject's own state only to that subject
   * and to roles granted it (the plan's view, computed once per plan).
   */
  shownReason(subject: string | null, reason: Reason): Reason {
    return subject !== null && subject === this.caller.subject ? reason : this.plan.reasons[reason];
  }

  /**
   * A value released as one decision about no subject (a tenant's export) that carries these
   * subjects' records: the audit event names them on that decision, so the release shows in each
   * one's access log. Throws when no such release was decided (nothing may leave unattributed).
   */
  attributeRelease(coordinate: string, subjects: Iterable<string>): void {
    const entry = [...this.entries()].find(([outcome, e]) => e.record.coordinate === coordinate && outcome.decision === 'ALLOW')?.[1];
    if (!entry) throw new Error(`no release of ${coordinate} was decided in this request`);
    for (const subject of subjects) entry.subjects.add(subject);
  }

  noteAccess(coordinate: string): void {
    if (!this.accesses.includes(coordinate)) this.accesses.push(coordinate);
  }

  /** Some governed value was decided. */
  get touched(): boolean {
    return this.decisions.length > 0;
  }

  /** What the audit event records: each (field, outcome) once, with the set of subjects it was taken for. */
  decisionSets(): DecisionSets {
    return compactDecisions([...this.entries()].map(([, entry]) => entry));
  }
}
