import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../../db/ids.js';
import { encryptedMaxLength, encryptOnWrite } from '../../keys/index.js';

export const MEDIA_KINDS = ['VOICE', 'VIDEO', 'IMAGE'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/**
 * A voice, video or image file a user uploaded (000 §1 "Data"; 001 §5.2 video and audio
 * recordings): its metadata and where the file is stored, never the bytes.
 */
export interface MediaUploadDoc {
  _id: string;
  tenant: string;
  owner: string;
  kind: MediaKind;
  contentType: string;
  /** https URL or object key of the stored file. */
  location: string;
  durationSeconds?: number | null;
  transcript?: string | null;
  /** Uploaded under a model-improvement opt-out (001 §7.6): never used for training. */
  mipOptOut: boolean;
  createdAt: Date;
}

export const mediaUploadSchema = new Schema<MediaUploadDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    owner: { type: String, required: true },
    kind: { type: String, enum: MEDIA_KINDS, required: true },
    contentType: { type: String, required: true, maxlength: 127 },
    location: { type: String, required: true, maxlength: encryptedMaxLength(2048) },
    durationSeconds: { type: Number, default: null },
    transcript: { type: String, default: null, maxlength: encryptedMaxLength(100_000) },
    mipOptOut: { type: Boolean, default: false },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, collection: 'media_uploads' },
);
mediaUploadSchema.plugin(encryptOnWrite<MediaUploadDoc>, { paths: ['location', 'transcript'] });
mediaUploadSchema.index({ tenant: 1, owner: 1, _id: 1 });

export type MediaUploadModel = Model<MediaUploadDoc>;
export const mediaUploadModel = (connection: Connection): MediaUploadModel =>
  connection.models.MediaUpload ?? connection.model<MediaUploadDoc>('MediaUpload', mediaUploadSchema);
