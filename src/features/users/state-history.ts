import type { Connection } from 'mongoose';
import { stateSealOf } from '../../db/connection-seal.js';
import { canonicalJson } from '../../canonical-json.js';
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
  const state = canonicalJson({
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

/** One entry of a subject's state history as stored, and whether its seal verifies. */
export interface HistoryEntry extends StateAt {
  readonly verified: boolean;
}

/**
 * The subject's state history up to `until`, oldest first, each entry checked against its seal
 * once: callers pick the state at any moment of it in memory (state-then.ts), so replaying many
 * decisions of one subject reads the history once.
 */
export async function stateHistoryOf(connection: Connection, tenant: string, subject: string, until: Date): Promise<HistoryEntry[]> {
  const rows = await stateHistoryModel(connection).find({ tenant, subject, at: { $lte: until } }).sort({ at: 1, _id: 1 }).lean<StateHistoryDoc[]>().exec();
  return rows.map((row) => ({ entryId: row._id, at: row.at, state: row.state, verified: verifies(connection, row) }));
}
