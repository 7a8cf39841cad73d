import type { Connection } from 'mongoose';
import type { JWTVerifyGetKey } from 'jose';
import { authenticatedEvents, decisionsOf, type AuditEventDoc, type AuditStore } from '../../audit/index.js';
import type { AuthenticatedCaller } from '../../auth/index.js';
import { decideWithoutState, decideWithState, staticVerdict } from '../../governance/decide.js';
import type { PolicyPack } from '../../governance/packs/index.js';
import { forbiddenRelease } from '../../governance/packs/invariants.js';
import type { GovernedField, Outcome, Reason } from '../../governance/types.js';
import type { SubjectKeyStore } from '../../keys/index.js';
import { VALUE_REASONS } from './explain-decision.js';
import { recordedCaller, recordedFacts } from './recorded-decision.js';
import { subjectHistories, type SubjectHistories } from './state-then.js';

/** What one (coordinate, roles, purpose) would see change under the draft. */
export interface DryRunChange {
  readonly coordinate: string;
  readonly roles: readonly string[];
  readonly purpose: string;
  /** Subject decisions withheld as recorded that the draft would release, and the reverse. */
  readonly newlyReleased: number;
  readonly newlyWithheld: number;
  /** The draft's reasons for what it would newly withhold. */
  readonly reasons: readonly { readonly reason: string; readonly count: number }[];
  /** Up to five audit ids of requests that would change. */
  readonly examples: readonly string[];
  /** The draft would newly release something the pack invariants forbid (consent-only data or training without consent). */
  readonly forbidden: boolean;
}

export interface DryRunReport {
  readonly from: Date;
  /** The end of what was replayed: the period's end, or (truncated) the time of the last event replayed. */
  readonly to: Date;
  /** The period held more events than the limit: the replay stopped at `to`. */
  readonly truncated: boolean;
  readonly events: number;
  /** Events of the period that no signed chain head vouches for (edited or planted in the database): not replayed. */
  readonly unauthenticated: number;
  /** Subject decisions replayed (one per subject per recorded decision). */
  readonly decisions: number;
  readonly unchanged: number;
  /** Decisions the dry-run cannot replay: the subject is erased or has no state history from then, the coordinate is gone, or the draft changes a rule that rests on facts of the value (its age, opt-out, agent, visibility) the audit does not keep. */
  readonly unknown: number;
  readonly changes: readonly DryRunChange[];
}

export interface DryRunInput {
  readonly connection: Connection;
  readonly store: AuditStore;
  readonly keys: SubjectKeyStore;
  readonly fields: ReadonlyMap<string, GovernedField>;
  /** The pack the traffic was decided under, and the draft. */
  readonly current: PolicyPack;
  readonly draft: PolicyPack;
  readonly tenant: string;
  readonly from: Date;
  readonly to: Date;
  /** Events read at most. Default 10 000. */
  readonly maxEvents?: number;
  /** The audit keys: only events a signed head vouches for are replayed. */
  readonly auditKeys: JWTVerifyGetKey;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Whether the draft decides a value-level reason as the recorded pack did (so the recorded outcome stands). */
function valueRuleUnchanged(reason: Reason, field: GovernedField, purpose: string, current: PolicyPack, draft: PolicyPack): boolean {
  switch (reason) {
    case 'RETENTION':
      return current.retentionFor(field.governance.category).max?.days === draft.retentionFor(field.governance.category).max?.days;
    case 'OPTED_OUT':
      return draft.isTrainingUse(purpose);
    case 'DEVELOPER_DATA':
      return same(current.file.developerData, draft.file.developerData);
    case 'PRIVATE':
      return same(current.file.privateContent, draft.file.privateContent);
    case 'TENANT':
      return true;
    default:
      return false;
  }
}

/**
 * Replays the tenant's recorded decisions of [from, to) under a draft pack: each decision's caller
 * (roles, purpose), field and subject, with the subject's state as it was then (sealed state and
 * consent histories), decided by the engine under the draft. Reports per coordinate, roles and
 * purpose what would newly be released or withheld. Reads the audit store and the histories only.
 */
export async function policyDryRun(input: DryRunInput): Promise<DryRunReport> {
  const { store, keys, fields, current, draft, tenant, from, to, connection } = input;
  const limit = input.maxEvents ?? 10_000;
  const read = (await store.events
    .find({ tenant, at: { $gte: from, $lt: to }, 'decisions.0': { $exists: true } })
    .sort({ at: 1, _id: 1 })
    .limit(limit + 1)
    .toArray()) as AuditEventDoc[];
  const truncated = read.length > limit;
  const window = read.slice(0, limit);
  const genuine = await authenticatedEvents(store, input.auditKeys, window);
  const events = window.filter((e) => genuine.has(e._id));
  const refs = [...new Set(events.flatMap((e) => decisionsOf(e).flatMap((d) => d.subjects)).filter((s): s is string => s !== null))];
  const subjects = await keys.subjectsOf(tenant, refs);
  // Each subject's histories are read once for the whole period; the state at each decision is computed from them.
  const until = events.length > 0 ? events[events.length - 1]!.at : to;
  const histories = new Map<string, Promise<SubjectHistories>>();
  const historiesOf = (subject: string): Promise<SubjectHistories> => {
    let found = histories.get(subject);
    if (!found) histories.set(subject, (found = subjectHistories(connection, tenant, subject, until)));
    return found;
  };
  const changes = new Map<string, { change: Omit<DryRunChange, 'reasons' | 'examples'> & { reasons: Map<string, number>; examples: Set<string> } }>();
  let decisions = 0;
  let unchanged = 0;
  let unknown = 0;
  for (const event of events) {
    const caller = recordedCaller(event);
    for (const record of decisionsOf(event)) {
      const field = fields.get(record.coordinate);
      for (const ref of record.subjects) {
        decisions += 1;
        const outcome = field ? await replay(field, caller, record, ref, event.at) : null;
        if (!outcome) {
          unknown += 1;
          continue;
        }
        const before = record.decision === 'ALLOW';
        const after = outcome.decision === 'ALLOW';
        if (before === after) {
          unchanged += 1;
          continue;
        }
        const roles = [...event.actor.roles].sort();
        const key = JSON.stringify([record.coordinate, roles, record.purpose]);
        let entry = changes.get(key);
        if (!entry) changes.set(key, (entry = { change: { coordinate: record.coordinate, roles, purpose: record.purpose, newlyReleased: 0, newlyWithheld: 0, reasons: new Map(), examples: new Set(), forbidden: false } }));
        const c = entry.change as { newlyReleased: number; newlyWithheld: number; reasons: Map<string, number>; examples: Set<string>; forbidden: boolean };
        if (after) {
          c.newlyReleased += 1;
          // Another subject's value the invariants would not let the draft release.
          if (!(ref !== null && ref === caller.subject) && forbiddenRelease(draft.file, roles, record.category, record.purpose)) c.forbidden = true;
        }
        else {
          c.newlyWithheld += 1;
          c.reasons.set(outcome.reason ?? 'DENY', (c.reasons.get(outcome.reason ?? 'DENY') ?? 0) + 1);
        }
        if (c.examples.size < 5) c.examples.add(event._id);
      }
    }
  }
  return {
    from,
    to: truncated ? window[window.length - 1]!.at : to,
    truncated,
    events: events.length,
    unauthenticated: window.length - events.length,
    decisions,
    unchanged,
    unknown,
    changes: [...changes.values()].map(({ change }) => ({
      ...change,
      reasons: [...change.reasons].map(([reason, count]) => ({ reason, count })),
      examples: [...change.examples],
    })),
  };

  async function replay(field: GovernedField, caller: AuthenticatedCaller, record: AuditEventDoc['decisions'][number], ref: string | null, at: Date): Promise<Outcome | null> {
    const recordedReason = record.reason;
    if (recordedReason === 'TENANT') return { decision: 'DENY', reason: 'TENANT' };
    const verdict = staticVerdict(field, caller, record.purpose, draft);
    const early = decideWithoutState(verdict, caller, recordedFacts(caller, ref));
    if (early) return early;
    const subject = ref === null ? null : subjects.get(ref);
    if (!subject || verdict.kind !== 'grant') return null;
    const { state } = (await historiesOf(subject)).at(at);
    if (!state) return null;
    const outcome = decideWithState(verdict, record.purpose, draft, { subject, tenant: caller.tenant, timestamp: null, optedOut: false }, state, at);
    if (outcome.decision !== 'ALLOW') return outcome;
    // The subject-level checks release it: what the value's own facts decided stands if the draft decides them alike.
    if (recordedReason !== null && VALUE_REASONS.has(recordedReason)) return valueRuleUnchanged(recordedReason, field, record.purpose, current, draft) ? { decision: record.decision, reason: recordedReason } : null;
    // Released as recorded: a value rule the draft tightens could withhold it, which the audit cannot tell.
    if (record.decision === 'ALLOW' && draft.retentionFor(field.governance.category).max?.days !== current.retentionFor(field.governance.category).max?.days) return null;
    return outcome;
  }
}
