import type { Connection } from 'mongoose';
import { stateSealOf } from '../../db/connection-seal.js';
import canonicalize from 'canonicalize';
import { newId } from '../../db/ids.js';
import { sealableOptOut } from '../../governance/opt-out.js';
import { userStateOf } from '../../governance/state-seal.js';
import { stateHistoryModel, type HistoricState, type StateHistoryDoc } from './state-history.model.js';
import type { UserDoc } from './user.model.js';

/** The sealed state of a user record, as the history keeps it. */
function historicStateOf(user: UserDoc): HistoricState {
  const s = userStateOf(user);
  return {
    restricted: s.restricted,
    objections: [...s.objections],
    erasure: s.erasure,
    erasureDueAt: s.erasureDueAt,
    birthDate: s.birthDate,
    guardian: s.guardianConsent === null ? null : { consent: s.guardianConsent },
    mipOptOutPeriods: s.mipOptOutPeriods.map((p) => ({ from: p.from, until: p.until })),
  };
}

const KIND = 'state_history';

/** What an entry's seal covers: its id, whose, from when, and the whole state — a kind of its own, so no entry seals an account record. */
function sealedFields(doc: Pick<StateHistoryDoc, '_id' | 'tenant' | 'subject' | 'at' | 'state'>) {
  const s = doc.state;
  const state = canonicalize({
    restricted: s.restricted,
    objections: [...s.objections].sort(),
    erasure: s.erasure,
    erasureDueAt: s.erasureDueAt ? s.erasureDueAt.toISOString() : null,
    birthDate: s.birthDate ? s.birthDate.toISOString() : null,
    guardianConsent: s.guardian?.consent ?? null,
    mipOptOutPeriods: sealableOptOut(s.mipOptOutPeriods),
  });
  return { id: doc._id, tenant: doc.tenant, subject: doc.subject, at: doc.at, state: state ?? '' };
}

/**
 * Appends the account's state as just written (registration, or a sealed state change) to its
 * history, under the seal the account record got. Called after the write succeeded: a failure here
 * fails the request, and the gap shows as an unverifiable reconstruction, never as a false one.
 */
export async function recordStateChange(connection: Connection, user: UserDoc, at: Date): Promise<void> {
  const entry = { _id: newId(), tenant: user.tenant, subject: user.subject, at, state: historicStateOf(user) };
  await stateHistoryModel(connection).create({ ...entry, seal: stateSealOf(connection).record(KIND, sealedFields(entry)) });
}

function verifies(connection: Connection, row: StateHistoryDoc): boolean {
  try {
    return stateSealOf(connection).verifyRecord(KIND, sealedFields(row), row.seal);
  } catch {
    return false;
  }
}

/** One verified entry of a subject's state history: what held from `at` on. */
export interface StateAt {
  readonly entryId: string;
  readonly at: Date;
  readonly state: HistoricState;
}

/**
 * The subject's sealed state as it was at `at`: the last history entry from then or before whose
 * seal verifies. Null when there is none (an account written before history was kept, or whose
 * entries a database writer removed or edited): the caller then says the state cannot be
 * reconstructed, and never guesses. `skipped` counts entries that did not verify.
 */
export async function stateAt(connection: Connection, tenant: string, subject: string, at: Date): Promise<{ found: StateAt | null; skipped: number }> {
  const rows = await stateHistoryModel(connection).find({ tenant, subject, at: { $lte: at } }).sort({ at: -1, _id: -1 }).limit(50).lean<StateHistoryDoc[]>().exec();
  let skipped = 0;
  for (const row of rows) {
    if (verifies(connection, row)) return { found: { entryId: row._id, at: row.at, state: row.state }, skipped };
    skipped += 1;
  }
  return { found: null, skipped };
}
