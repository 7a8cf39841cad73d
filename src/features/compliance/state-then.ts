import type { Connection } from 'mongoose';
import { stateSealOf } from '../../db/connection-seal.js';
import { NO_OPT_OUT } from '../../governance/opt-out.js';
import type { ConsentState, SubjectState } from '../../governance/types.js';
import { consentModel, type ConsentDoc } from '../consents/index.js';
import { stateHistoryOf, type StateAt } from '../users/index.js';

/** A subject's state as it was at a past moment, from the sealed histories (null: cannot be reconstructed). */
export interface StateThen {
  readonly history: StateAt | null;
  readonly consents: ReadonlyMap<string, ConsentState & { readonly at: Date }>;
  /** The decision's view of it; null without a verified history entry from then or before. */
  readonly state: SubjectState | null;
  /** History entries from then or before, newer than the one used, that did not verify (not used). */
  readonly skipped: number;
}

/** A subject's sealed histories, read once: the state at any moment up to `until`, computed in memory. */
export interface SubjectHistories {
  at(when: Date): StateThen;
}

/**
 * Reads the subject's state history and consent history up to `until` once, each record checked
 * against its seal once. `at(when)` is the state the decision order reads at that moment: the last
 * verified history entry from then or before, and per purpose the latest verified consent recorded
 * by then. Opt-out periods are left out: they decide by a value's creation time, which the audit
 * does not keep (the callers treat opt-outs as a fact of the value).
 */
export async function subjectHistories(connection: Connection, tenant: string, subject: string, until: Date): Promise<SubjectHistories> {
  const seal = stateSealOf(connection);
  const [entries, rows] = await Promise.all([
    stateHistoryOf(connection, tenant, subject, until),
    consentModel(connection).find({ tenant, subject, at: { $lte: until } }).sort({ _id: 1 }).lean<ConsentDoc[]>().exec(),
  ]);
  const consentRows = rows.filter((c) => seal.verifyConsent(c));
  return {
    at(when) {
      const consents = new Map<string, ConsentState & { at: Date }>();
      // Append-only in _id order: the last record per purpose by then is the state then.
      for (const c of consentRows) if (c.at <= when) consents.set(c.purpose, { id: c._id, status: c.status, policyVersion: c.policyVersion, at: c.at });
      let skipped = 0;
      let history: StateAt | null = null;
      for (let i = entries.length - 1; i >= 0 && history === null; i -= 1) {
        const entry = entries[i]!;
        if (entry.at > when) continue;
        if (entry.verified) history = entry;
        else skipped += 1;
      }
      if (!history) return { history, consents, state: null, skipped };
      const s = history.state;
      const state: SubjectState = {
        exists: true,
        erased: s.erasure !== 'ACTIVE',
        restricted: s.restricted,
        objections: s.objections,
        birthDate: s.birthDate ?? null,
        guardianConsent: s.guardian?.consent === true,
        consents,
        optOutPeriods: NO_OPT_OUT,
      };
      return { history, consents, state, skipped };
    },
  };
}

/** The subject's state at one moment (one decision to explain). */
export async function stateThen(connection: Connection, tenant: string, subject: string, at: Date): Promise<StateThen> {
  return (await subjectHistories(connection, tenant, subject, at)).at(at);
}
