import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../../db/ids.js';
import { sealOnWrite } from '../../db/seal-on-write.js';

export type ConsentStatus = 'GRANTED' | 'WITHDRAWN';

/** Append-only: a withdrawal is a new record; the latest record per purpose is the state. */
export interface ConsentDoc {
  _id: string;
  tenant: string;
  subject: string;
  purpose: string;
  status: ConsentStatus;
  policyVersion: string;
  at: Date;
  /** HMAC over the whole record (src/governance/state-seal.ts); missing or wrong: the record is ignored. */
  seal?: string | null;
}

export const consentSchema = new Schema<ConsentDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    subject: { type: String, required: true },
    purpose: { type: String, required: true },
    status: { type: String, enum: ['GRANTED', 'WITHDRAWN'], required: true },
    policyVersion: { type: String, required: true },
    at: { type: Date, required: true, default: () => new Date() },
    seal: { type: String, default: null },
  },
  { versionKey: false, collection: 'consents' },
);
consentSchema.index({ tenant: 1, subject: 1, _id: 1 });

consentSchema.plugin(sealOnWrite<ConsentDoc>, {
  paths: ['_id', 'tenant', 'subject', 'purpose', 'status', 'policyVersion', 'at'],
  sealOf: (seal, consent) => seal.consent(consent),
});

// Append-only by construction: no update path exists on the model.
for (const op of ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace'] as const) {
  consentSchema.pre(op, function refuseUpdate() {
    throw new Error('consent records are append-only');
  });
}

export type ConsentModel = Model<ConsentDoc>;
export const consentModel = (connection: Connection): ConsentModel =>
  connection.models.Consent ?? connection.model<ConsentDoc>('Consent', consentSchema);
