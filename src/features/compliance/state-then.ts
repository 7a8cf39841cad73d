import type { Connection } from 'mongoose';
import { stateSealOf } from '../../db/connection-seal.js';
import { NO_OPT_OUT } from '../../governance/opt-out.js';
import type { ConsentState, SubjectState } from '../../governance/types.js';
import { consentModel, type ConsentDoc } from '../consents/index.js';
import { stateAt, type StateAt } from '../users/index.js';

/** A subject's state as it was at a past moment, from the sealed histories (null: cannot be reconstructed). */
export interface StateThen {
  readonly history: StateAt | null;
  readonly consents: ReadonlyMap<string, ConsentState & { readonly at: Date }>;
  /** The decision's view of it; null without a verified history entry from then or before. */
  readonly state: SubjectState | null;
  /** History entries from then or before that did not verify (not used). */
  readonly skipped: number;
}

/** Consents as they were at `at`: the latest verified record per purpose from then or before. */
async function consentsAt(connection: Connection, tenant: string, subject: string, at: Date): Promise<Map<string, ConsentState & { at: Date }>> {
  const seal = stateSealOf(connection);
  const rows = await consentModel(connection).find({ tenant, subject, at: { $lte: at } }).sort({ _id: 1 }).lean<ConsentDoc[]>().exec();
  const latest = new Map<string, ConsentState & { at: Date }>();
  for (const c of rows) if (seal.verifyConsent(c)) latest.set(c.purpose, { id: c._id, status: c.status, policyVersion: c.policyVersion, at: c.at });
  return latest;
}

/**
 * The subject's state at `at` as the decision order reads it. Opt-out periods are left out: they
 * decide by a value's creation time, which the audit does not keep (the caller treats opt-outs as a
 * fact of the value).
 */
export async function stateThen(connection: Connection, tenant: string, subject: string, at: Date): Promise<StateThen> {
  const [{ found: history, skipped }, consents] = await Promise.all([stateAt(connection, tenant, subject, at), consentsAt(connection, tenant, subject, at)]);
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
}
