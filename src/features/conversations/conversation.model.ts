import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../../db/ids.js';
import { encryptedMaxLength, encryptOnWrite } from '../../keys/index.js';

export interface ConversationDoc {
  _id: string;
  tenant: string;
  /** Subject id of the user who owns the conversation. */
  owner: string;
  title: string;
  /** Request opted out of model improvement when it was created (never used for training). */
  mipOptOut: boolean;
  /** The owner chose to keep it (keepConversation, where the pack's retention is keepable): the retention sweeper does not delete it or its messages. */
  keep: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const conversationSchema = new Schema<ConversationDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    owner: { type: String, required: true },
    title: { type: String, default: 'Untitled', maxlength: encryptedMaxLength(500) },
    mipOptOut: { type: Boolean, default: false },
    keep: { type: Boolean, default: false },
  },
  { timestamps: true, versionKey: false, collection: 'conversations' },
);
conversationSchema.plugin(encryptOnWrite<ConversationDoc>, { paths: ['title'] });
conversationSchema.index({ tenant: 1, owner: 1, _id: 1 });

export type ConversationModel = Model<ConversationDoc>;
export const conversationModel = (connection: Connection): ConversationModel =>
  connection.models.Conversation ?? connection.model<ConversationDoc>('Conversation', conversationSchema);
