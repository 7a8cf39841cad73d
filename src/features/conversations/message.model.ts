import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../../db/ids.js';
import { encryptedMaxLength, encryptOnWrite } from '../../keys/index.js';

export const MESSAGE_ROLES = ['USER', 'ASSISTANT'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

export interface MessageDoc {
  _id: string;
  tenant: string;
  conversationId: string;
  /** Owner of the conversation (the data subject), denormalised so subject checks need no join. */
  owner: string;
  role: MessageRole;
  content: string;
  mipOptOut: boolean;
  createdAt: Date;
}

export const messageSchema = new Schema<MessageDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    conversationId: { type: String, required: true },
    owner: { type: String, required: true },
    role: { type: String, enum: MESSAGE_ROLES, required: true },
    content: { type: String, required: true, maxlength: encryptedMaxLength(100_000) },
    mipOptOut: { type: Boolean, default: false },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, collection: 'messages' },
);
messageSchema.plugin(encryptOnWrite<MessageDoc>, { paths: ['content'] });
messageSchema.index({ tenant: 1, conversationId: 1, _id: 1 });
messageSchema.index({ tenant: 1, owner: 1 });

export type MessageModel = Model<MessageDoc>;
export const messageModel = (connection: Connection): MessageModel =>
  connection.models.Message ?? connection.model<MessageDoc>('Message', messageSchema);
