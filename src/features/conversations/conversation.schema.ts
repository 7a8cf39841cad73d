import { requireAuthenticated } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { GovgateError } from '../../errors.js';
import { parseInput } from '../../validate.js';
import { UserRef, userLoaders } from '../users/index.js';
import { conversationLoaders } from './conversation.loaders.js';
import { conversationModel, type ConversationDoc } from './conversation.model.js';
import { addMessageSchema, keepConversationSchema, startConversationSchema } from './conversation.inputs.js';
import { MESSAGE_ROLES, messageModel, type MessageDoc } from './message.model.js';
import { openContent } from '../../keys/index.js';
import { sweepRuleFor } from '../../governance/packs/index.js';

export const MessageRoleEnum = builder.enumType('MessageRole', { values: MESSAGE_ROLES });
export const ConversationRef = builder.objectRef<ConversationDoc>('Conversation');
export const MessageRef = builder.objectRef<MessageDoc>('Message');

const OPERATIONAL = { category: 'system.operations', purposes: ['essential', 'analytics.reporting', 'train_ai_system'], strategy: 'null' } as const;
const CONTENT_PURPOSES = ['essential.service', 'essential.legal_obligation', 'train_ai_system', 'functional.service.improve'];

MessageRef.implement({
  description: 'One turn of a conversation with an AI model.',
  governance: { subjectOf: (m) => m.owner, tenantOf: (m) => m.tenant, timestampOf: (m) => m.createdAt, optedOutOf: (m) => m.mipOptOut },
  fields: (t) => ({
    id: t.exposeID('_id', { governance: OPERATIONAL }),
    role: t.expose('role', { type: MessageRoleEnum, governance: OPERATIONAL }),
    // Prompts and model outputs share the parent category: both are the user's private content.
    content: t.string({
      nullable: true,
      governance: { category: 'user.content.private', purposes: CONTENT_PURPOSES, strategy: 'null' },
      resolve: (m, _args, ctx) => openContent(ctx, 'messages', 'content', m, m.content),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', governance: OPERATIONAL }),
  }),
});

ConversationRef.implement({
  description: "A user's conversation with an AI model.",
  governance: { subjectOf: (c) => c.owner, tenantOf: (c) => c.tenant, timestampOf: (c) => c.createdAt, optedOutOf: (c) => c.mipOptOut },
  fields: (t) => ({
    id: t.exposeID('_id', { governance: OPERATIONAL }),
    title: t.string({
      nullable: true,
      governance: { category: 'user.content.private.ai_prompt', purposes: CONTENT_PURPOSES, strategy: 'truncate', truncate: 0 },
      resolve: (c, _args, ctx) => openContent(ctx, 'conversations', 'title', c, c.title),
    }),
    owner: t.field({
      type: UserRef,
      nullable: true,
      governance: { category: 'user.unique_id', purposes: ['essential', 'analytics.reporting', 'train_ai_system', 'functional.service.improve'], strategy: 'null' },
      resolve: (c, _args, ctx) => userLoaders(ctx).bySubject.load(c.owner),
    }),
    messages: t.field({
      type: [MessageRef],
      governance: { category: 'user.content.private', purposes: CONTENT_PURPOSES, strategy: 'drop' },
      resolve: (c, _args, ctx) => conversationLoaders(ctx).messagesByConversation.load(c._id),
    }),
    // The owner's choice about their own data's retention (keepConversation).
    keep: t.boolean({
      nullable: true,
      description: 'The owner keeps it from the retention sweep (where the pack lets them): it is not deleted when its period ends, but still redacted for others.',
      governance: { category: 'user.privacy_preferences', purposes: ['essential.service', 'essential.legal_obligation'], strategy: 'null' },
      resolve: (c) => c.keep === true,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', governance: OPERATIONAL }),
  }),
});

// Added here, not in the users feature, so the dependency runs one way: conversations → users.
builder.objectField(UserRef, 'conversations', (t) =>
  t.field({
    type: [ConversationRef],
    governance: { category: 'user.content.private', purposes: CONTENT_PURPOSES, strategy: 'drop' },
    description: 'The user\'s conversations, oldest first.',
    resolve: (u, _args, ctx) => conversationLoaders(ctx).byOwner.load(u.subject),
  }),
);

/** Same answer for another tenant's, another user's and a missing conversation. */
const notFound = (): GovgateError => new GovgateError('BAD_USER_INPUT', 'conversation not found');
/** `extensions.reason` of keepConversation under a pack whose retention is not keepable. */
export const NOT_KEEPABLE = 'NOT_KEEPABLE';

builder.queryFields((t) => ({
  conversation: t.field({
    type: ConversationRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => {
      requireAuthenticated(ctx.caller);
      return conversationLoaders(ctx).byId.load(String(id));
    },
  }),
}));

builder.mutationFields((t) => ({
  startConversation: t.field({
    type: ConversationRef,
    args: { title: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const caller = requireAuthenticated(ctx.caller);
      const { title } = parseInput(startConversationSchema, args);
      const created = await conversationModel(ctx.connection).create({
        tenant: caller.tenant,
        owner: caller.subject,
        ...(title ? { title } : {}),
        mipOptOut: ctx.mipOptOut,
      });
      return created.toObject();
    },
  }),
  addMessage: t.field({
    type: MessageRef,
    args: {
      conversationId: t.arg.id({ required: true }),
      role: t.arg({ type: MessageRoleEnum, required: true }),
      content: t.arg.string({ required: true }),
    },
    resolve: async (_root, args, ctx) => {
      const caller = requireAuthenticated(ctx.caller);
      const input = parseInput(addMessageSchema, { ...args, conversationId: String(args.conversationId) });
      const conversation = await conversationLoaders(ctx).byId.load(input.conversationId);
      // The owner writes their turns; a platform service may write on the owner's behalf.
      const mayWrite = conversation && (conversation.owner === caller.subject || caller.roles.includes('service'));
      if (!conversation || !mayWrite) throw notFound();
      const created = await messageModel(ctx.connection).create({
        tenant: caller.tenant,
        conversationId: conversation._id,
        owner: conversation.owner,
        role: input.role,
        content: input.content,
        mipOptOut: ctx.mipOptOut || conversation.mipOptOut,
      });
      return created.toObject();
    },
  }),
  keepConversation: t.field({
    type: ConversationRef,
    nullable: true,
    description: 'Keeps (or stops keeping) one of the caller\'s conversations from the retention sweep, where the pack\'s retention rule is keepable (003 §3 "unless you choose to keep").',
    args: { id: t.arg.id({ required: true }), keep: t.arg.boolean({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const caller = requireAuthenticated(ctx.caller);
      if (!sweepRuleFor(ctx.pack.retentionFor, 'conversations')?.keepable) {
        throw new GovgateError('BAD_USER_INPUT', 'this policy pack offers no choice to keep conversations', { extensions: { reason: NOT_KEEPABLE } });
      }
      const { id } = parseInput(keepConversationSchema, { id: String(args.id) });
      const conversation = await conversationLoaders(ctx).byId.load(id);
      // Only the owner chooses; anyone else gets addMessage's answer for a missing conversation.
      if (!conversation || conversation.owner !== caller.subject) throw notFound();
      const updated = await conversationModel(ctx.connection)
        .findOneAndUpdate({ _id: conversation._id, tenant: caller.tenant, owner: caller.subject }, { $set: { keep: args.keep } }, { new: true })
        .lean<ConversationDoc>()
        .exec();
      if (!updated) throw notFound();
      return updated;
    },
  }),
}));
