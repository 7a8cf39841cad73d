import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../../db/ids.js';

export type GuardianConfirmationStatus = 'PENDING' | 'CONFIRMED' | 'SUPERSEDED';

/**
 * One request to a minor's guardian to confirm their consent. The token sent to the guardian is
 * `<_id>.<MAC over id, tenant, subject, expiresAt>` under the state seal key: it is never stored,
 * and a record a database writer inserts has no token that redeems it.
 */
export interface GuardianConfirmationDoc {
  _id: string;
  tenant: string;
  /** The minor's subject id. */
  subject: string;
  expiresAt: Date;
  status: GuardianConfirmationStatus;
  confirmedAt?: Date | null;
  /** The subject of the caller who redeemed the token (the guardian's own account). */
  confirmedBy?: string | null;
  createdAt: Date;
}

const schema = new Schema<GuardianConfirmationDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    subject: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    status: { type: String, enum: ['PENDING', 'CONFIRMED', 'SUPERSEDED'], default: 'PENDING' },
    confirmedAt: { type: Date, default: null },
    confirmedBy: { type: String, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, collection: 'guardian_confirmations' },
);
schema.index({ tenant: 1, subject: 1, status: 1 });

export type GuardianConfirmationModel = Model<GuardianConfirmationDoc>;
export const guardianConfirmationModel = (connection: Connection): GuardianConfirmationModel =>
  connection.models.GuardianConfirmation ?? connection.model<GuardianConfirmationDoc>('GuardianConfirmation', schema);
