import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../../db/ids.js';

/** One sample as delivered: which message, under which consent record, whose (by audit pseudonym). */
export interface DeliveredSample {
  sampleId: string;
  consentId: string;
  /** The subject's audit pseudonym: unlinkable once their key is destroyed (erasure). */
  subjectRef: string;
}

/**
 * A page of training samples that left the gateway: written before the samples leave, so every
 * dataset can later be traced to the consents it used (trainingManifest, trainingLineage).
 * `seal` covers every field: a database writer can delete a delivery, never forge or edit one, and
 * a deleted one shows as `missing` against the audit chain.
 */
export interface TrainingDeliveryDoc {
  _id: string;
  tenant: string;
  /** The request that released the samples (its audit event carries the same requestId). */
  requestId: string;
  /** Who received them (the token subject's audit pseudonym) and for which purpose. */
  recipientRef: string;
  purpose: string;
  at: Date;
  samples: DeliveredSample[];
  seal: string;
}

const sampleSchema = new Schema<DeliveredSample>(
  { sampleId: { type: String, required: true }, consentId: { type: String, required: true }, subjectRef: { type: String, required: true } },
  { _id: false },
);

export const trainingDeliverySchema = new Schema<TrainingDeliveryDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    requestId: { type: String, required: true },
    recipientRef: { type: String, required: true },
    purpose: { type: String, required: true },
    at: { type: Date, required: true },
    samples: { type: [sampleSchema], default: [] },
    seal: { type: String, required: true },
  },
  { versionKey: false, collection: 'training_deliveries' },
);
trainingDeliverySchema.index({ tenant: 1, at: 1 });
// One delivery per request id: the manifest matches deliveries to the audit chain by it, so a
// second one under the same id could be deleted unseen.
trainingDeliverySchema.index({ tenant: 1, requestId: 1 }, { unique: true });
trainingDeliverySchema.index({ tenant: 1, 'samples.subjectRef': 1 });

export type TrainingDeliveryModel = Model<TrainingDeliveryDoc>;
export const trainingDeliveryModel = (connection: Connection): TrainingDeliveryModel =>
  connection.models.TrainingDelivery ?? connection.model<TrainingDeliveryDoc>('TrainingDelivery', trainingDeliverySchema);
