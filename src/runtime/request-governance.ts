import type { Caller } from '../auth/index.js';
import { GovgateError } from '../errors.js';
import { decideWithState, decideWithoutState, staticVerdict, type ValueFacts } from '../governance/decide.js';
import type { PolicyPack } from '../governance/packs/index.js';
import type { Plan } from './plan/index.js';
import type { GovernedRequest } from '../governance/plugin/governed-request.js';
import type { Pseudonymizer } from '../governance/redact/index.js';
import type { DecisionRecord, DecisionTally, GovernedField, Outcome, Reason, Redaction, StaticVerdict, SubjectState } from '../governance/types.js';

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
  // Keyed by field, then by outcome object (outcomes are shared frozen singletons): no string keys
  // on the per-value path.
  /** Subject states already loaded: values of these subjects are decided synchronously. */
  private readonly states = new Map<string, SubjectState>();
  private readonly decisions = new Map<GovernedField, Map<Outcome, { record: DecisionRecord; subjects: Set<string | null>; values: number }>>();
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

  /** The plan's verdict; a coordinate the plan did not see (should not happen) is computed now. */
  verdict(field: GovernedField): StaticVerdict {
    return this.plan.verdicts.get(field.coordinate) ?? staticVerdict(field, this.caller, this.purpose, this.pack);
  }

  /**
   * The verdict for counting a subject in an aggregate (usageStatistics): like `verdict`, but the
   * grants of aggregate-only roles count. Never used for a value that leaves as a record.
   */
  aggregateVerdict(field: GovernedField): StaticVerdict {
    let verdict = this.aggregateVerdicts.get(field);
    if (!verdict) this.aggregateVerdicts.set(field, (verdict = staticVerdict(field, this.caller, this.purpose, this.pack, 'aggregate')));
    return verdict;
  }

  /** Decide one value: synchronously when no subject state is needed or it is loaded, else after one batched load. */
  decide(verdict: StaticVerdict, facts: ValueFacts): Outcome | Promise<Outcome> {
    const early = decideWithoutState(verdict, this.caller, facts);
    if (early) return early;
    const subject = facts.subject as string;
    const grant = verdict as Extract<StaticVerdict, { kind: 'grant' }>;
    const withConsents = grant.consentPurpose !== null;
    const known = this.states.get(subject);
    // Prefetched states carry consents whenever the plan needs any.
    if (known && (!withConsents || this.plan.needsConsents)) return decideWithState(grant, this.purpose, this.pack, facts, known, this.now);
    return this.loadSubjectState(subject, withConsents).then((state) => decideWithState(grant, this.purpose, this.pack, facts, state, this.now));
  }

  /**
   * Loads the state of every subject of a resolved list (or object) at once, before its fields
   * resolve, so each of their values is then decided without a promise. Null: nothing to load.
   */
  prefetch(subjects: Iterable<string | null>): Promise<void> | null {
    if (!this.needsState) return null;
    const missing = new Set<string>();
    for (const subject of subjects) {
      if (subject !== null && subject !== this.caller.subject && !this.states.has(subject)) missing.add(subject);
    }
    if (missing.size === 0) return null;
    const list = [...missing];
    return Promise.all(list.map((s) => this.loadSubjectState(s, this.plan.needsConsents))).then((states) => {
      list.forEach((s, i) => this.states.set(s, states[i]!));
    });
  }

  record(field: GovernedField, subject: string | null, outcome: Outcome): void {
    let byOutcome = this.decisions.get(field);
    if (!byOutcome) this.decisions.set(field, (byOutcome = new Map()));
    let entry = byOutcome.get(outcome);
    if (!entry) {
      entry = {
        subjects: new Set(),
        values: 0,
        record: { coordinate: field.coordinate, category: field.governance.category, purpose: this.purpose, decision: outcome.decision, reason: outcome.reason, subjects: [] },
      };
      byOutcome.set(outcome, entry);
    }
    entry.subjects.add(subject);
    entry.values += 1;
  }

  /** How many values were decided, by decision and reason: for the access log and the metrics (counts only). */
  tally(): DecisionTally {
    const tally = new Map<string, number>();
    for (const byOutcome of this.decisions.values()) {
      for (const [outcome, { values }] of byOutcome) {
        const key = `${outcome.decision}:${outcome.reason ?? 'none'}`;
        tally.set(key, (tally.get(key) ?? 0) + values);
      }
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
    const released = [...this.decisions].find(([field]) => field.coordinate === coordinate)?.[1];
    const entry = released && [...released].find(([outcome]) => outcome.decision === 'ALLOW')?.[1];
    if (!entry) throw new Error(`no release of ${coordinate} was decided in this request`);
    for (const subject of subjects) entry.subjects.add(subject);
  }

  noteAccess(coordinate: string): void {
    if (!this.accesses.includes(coordinate)) this.accesses.push(coordinate);
  }

  /** Some governed value was decided. */
  get touched(): boolean {
    return this.decisions.size > 0;
  }

  decisionRecords(): DecisionRecord[] {
    return [...this.decisions.values()].flatMap((byOutcome) => [...byOutcome.values()].map(({ record, subjects }) => ({ ...record, subjects: [...subjects] })));
  }
}
