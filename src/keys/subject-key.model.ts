import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../db/ids.js';

/**
 * One data subject's data key, wrapped by the master key (never stored in clear). Deleting the
 * record is crypto-shredding: every ciphertext under it becomes unreadable, copies included.
 * `ref` is the subject's audit pseudonym (a MAC under the data key): past audit events name the
 * subject only by it, so once the key is gone nothing links them to the person.
 */
export interface SubjectKeyDoc {
  _id: string;
  tenant: string;
  subject: string;
  ref: string;
  wrapped: string;
  /** Which master key wrapped it (KeyService.keyId). */
  masterKeyId: string;
  createdAt: Date;
}

const subjectKeySchema = new Schema<SubjectKeyDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    subject: { type: String, required: true },
    ref: { type: String, required: true },
    wrapped: { type: String, required: true },
    masterKeyId: { type: String, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, collection: 'subject_keys' },
);
subjectKeySchema.index({ tenant: 1, subject: 1 }, { unique: true });
subjectKeySchema.index({ tenant: 1, ref: 1 }, { unique: true });

export type SubjectKeyModel = Model<SubjectKeyDoc>;
export const subjectKeyModel = (connection: Connection): SubjectKeyModel =>
  connection.models.SubjectKey ?? connection.model<SubjectKeyDoc>('SubjectKey', subjectKeySchema);
