/**
 * Resolvers of the peer variants: the same models, DataLoaders, pagination and input validation
 * as govgate's own resolvers (src/features/users, src/features/conversations), so the peers do
 * the same database work per request, and the same decryption of stored content (openContent).
 */
import { requireAuthenticated } from '../../src/auth/index.js';
import { paginateById, type Page } from '../../src/db/paginate.js';
import { GovgateError } from '../../src/errors.js';
import { addMessageSchema } from '../../src/features/conversations/conversation.inputs.js';
import { conversationLoaders, messageModel, type ConversationDoc, type MessageDoc, type MessageRole } from '../../src/features/conversations/index.js';
import { userLoaders, userModel, type UserDoc } from '../../src/features/users/index.js';
import { openContent } from '../../src/keys/index.js';
import { parseInput } from '../../src/validate.js';
import { asLoaderContext, type PeerContext } from './common.js';

export const me = (ctx: PeerContext): Promise<UserDoc | null> =>
  userLoaders(asLoaderContext(ctx)).bySubject.load(requireAuthenticated(ctx.caller).subject);

export const userById = (id: string, ctx: PeerContext): Promise<UserDoc | null> => {
  requireAuthenticated(ctx.caller);
  return userLoaders(asLoaderContext(ctx)).bySubject.load(id);
};

export async function users(args: { first?: number | null; after?: string | null }, ctx: PeerContext): Promise<Page<UserDoc>> {
  const { tenant } = requireAuthenticated(ctx.caller);
  const page = await paginateById(userModel(ctx.connection), { tenant }, args);
  const loader = userLoaders(asLoaderContext(ctx)).bySubject;
  for (const { node } of page.edges) loader.prime(node.subject, node);
  return page;
}

export const conversationsOf = (user: UserDoc, ctx: PeerContext): Promise<ConversationDoc[]> =>
  conversationLoaders(asLoaderContext(ctx)).byOwner.load(user.subject);

export const messagesOf = (conversation: ConversationDoc, ctx: PeerContext): Promise<MessageDoc[]> =>
  conversationLoaders(asLoaderContext(ctx)).messagesByConversation.load(conversation._id);

export const titleOf = (conversation: ConversationDoc, ctx: PeerContext): Promise<string | null> =>
  openContent(ctx, 'conversations', 'title', conversation, conversation.title);

export const contentOf = (message: MessageDoc, ctx: PeerContext): Promise<string | null> =>
  openContent(ctx, 'messages', 'content', message, message.content);

export const ownerOf = (conversation: ConversationDoc, ctx: PeerContext): Promise<UserDoc | null> =>
  userLoaders(asLoaderContext(ctx)).bySubject.load(conversation.owner);

/** govgate's addMessage: validated input, the conversation's owner (or a service) writes; the model encrypts the content. */
export async function addMessage(args: { conversationId: string | number; role: MessageRole; content: string }, ctx: PeerContext): Promise<MessageDoc> {
  const caller = requireAuthenticated(ctx.caller);
  const input = parseInput(addMessageSchema, { ...args, conversationId: String(args.conversationId) });
  const conversation = await conversationLoaders(asLoaderContext(ctx)).byId.load(input.conversationId);
  const mayWrite = conversation && (conversation.owner === caller.subject || caller.roles.includes('service'));
  if (!conversation || !mayWrite) throw new GovgateError('BAD_USER_INPUT', 'conversation not found');
  const created = await messageModel(ctx.connection).create({
    tenant: caller.tenant,
    conversationId: conversation._id,
    owner: conversation.owner,
    role: input.role,
    content: input.content,
    mipOptOut: conversation.mipOptOut,
  });
  return created.toObject();
}
