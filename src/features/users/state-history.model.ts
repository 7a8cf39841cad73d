import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../../db/ids.js';
import type { OptOutPeriod } from '../../governance/opt-out.js';

/** The decided-on state of an account as it was from `at` on: exactly the fields the user seal covers. */
export interface HistoricState {
  restricted: boolean;
  objections: string[];
  erasure: string;
  erasureDueAt: Date | null;
  birthDate: Date | null;
  guardian: { consent: boolean | null } | null;
  mipOptOutPeriods: OptOutPeriod[];
}

/**
 * Append-only history of an account's sealed state (restriction, objections, erasure, birth date,
 * guardian consent, opt-outs): one entry per change, written with the seal the account got, so a
 * past decision can be reconstructed as of its time (explainDecision) and an entry a database
 * writer edits or plants does not verify. Consents have their own append-only history.
 */
export interface StateHistoryDoc {
  _id: string;
  tenant: string;
  subject: string;
  at: Date;
  state: HistoricState;
  /** A seal of its own kind over (id, tenant, subject, at, state): re-dated or copied, it no longer verifies. */
  seal: string;
}

const periodSchema = new Schema<OptOutPeriod>({ from: { type: Date, required: true }, until: { type: Date, default: null } }, { _id: false });

export const stateHistorySchema = new Schema<StateHistoryDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    subject: { type: String, required: true },
    at: { type: Date, required: true },
    state: {
      type: new Schema<HistoricState>(
        {
          restricted: { type: Boolean, required: true },
          objections: { type: [String], default: [] },
          erasure: { type: String, required: true },
          erasureDueAt: { type: Date, default: null },
          birthDate: { type: Date, default: null },
          guardian: { type: new Schema({ consent: { type: Boolean, default: null } }, { _id: false }), default: null },
          mipOptOutPeriods: { type: [periodSchema], default: [] },
        },
        { _id: false },
      ),
      required: true,
    },
    seal: { type: String, required: true },
  },
  { versionKey: false, collection: 'subject_state_history' },
);
stateHistorySchema.index({ tenant: 1, subject: 1, at: -1 });

export type StateHistoryModel = Model<StateHistoryDoc>;
export const stateHistoryModel = (connection: Connection): StateHistoryModel =>
  connection.models.SubjectStateHistory ?? connection.model<StateHistoryDoc>('SubjectStateHistory', stateHistorySchema);
