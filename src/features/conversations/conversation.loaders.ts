import DataLoader from 'dataloader';
import { requireAuthenticated } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { manyByKey, oneByKey } from '../../db/group-by.js';
import { perRequest } from '../../per-request.js';
import { conversationModel, type ConversationDoc } from './conversation.model.js';
import { messageModel, type MessageDoc } from './message.model.js';

export interface ConversationLoaders {
  byId: DataLoader<string, ConversationDoc | null>;
  /** A user's conversations, oldest first. */
  byOwner: DataLoader<string, ConversationDoc[]>;
  /** A conversation's messages, in order. */
  messagesByConversation: DataLoader<string, MessageDoc[]>;
}

// Every batch filters by the caller's tenant: another tenant's id simply finds nothing.
export const conversationLoaders = perRequest<GatewayContext, ConversationLoaders>((ctx) => {
  const Conversation = conversationModel(ctx.connection);
  const Message = messageModel(ctx.connection);
  const tenant = (): string => requireAuthenticated(ctx.caller).tenant;
  const loaders: ConversationLoaders = {
    byId: new DataLoader(async (ids) => {
      const rows = await Conversation.find({ tenant: tenant(), _id: { $in: ids as string[] } }).lean<ConversationDoc[]>().exec();
      return oneByKey(ids, rows, (c) => c._id);
    }),
    byOwner: new DataLoader(async (owners) => {
      const rows = await Conversation.find({ tenant: tenant(), owner: { $in: owners as string[] } })
        .sort({ _id: 1 })
        .lean<ConversationDoc[]>()
        .exec();
      for (const row of rows) loaders.byId.prime(row._id, row);
      return manyByKey(owners, rows, (c) => c.owner);
    }),
    messagesByConversation: new DataLoader(async (ids) => {
      const rows = await Message.find({ tenant: tenant(), conversationId: { $in: ids as string[] } })
        .sort({ _id: 1 })
        .lean<MessageDoc[]>()
        .exec();
      return manyByKey(ids, rows, (m) => m.conversationId);
    }),
  };
  return loaders;
});
