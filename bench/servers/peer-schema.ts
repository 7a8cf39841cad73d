/**
 * Schema of variants A and B: a plain Pothos builder (Relay plugin only) with govgate's User /
 * Conversation / Message shapes, nullability and connection, and no authorization of its own.
 * A serves it as is; B wraps it with graphql-shield.
 */
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { GraphQLSchema } from 'graphql';
import { DateResolver, DateTimeResolver } from 'graphql-scalars';
import { MESSAGE_ROLES, type ConversationDoc, type MessageDoc } from '../../src/features/conversations/index.js';
import type { UserDoc } from '../../src/features/users/index.js';
import type { PeerContext } from './common.js';
import * as resolvers from './peer-resolvers.js';

export function buildPeerSchema(): GraphQLSchema {
  const builder = new SchemaBuilder<{
    Context: PeerContext;
    Scalars: { DateTime: { Input: Date; Output: Date }; Date: { Input: Date; Output: Date } };
    DefaultFieldNullability: false;
    DefaultEdgesNullability: { list: false; items: false };
    DefaultNodeNullability: false;
  }>({
    plugins: [RelayPlugin],
    defaultFieldNullability: false,
    relay: {
      edgesFieldOptions: { nullable: { list: false, items: false } },
      nodeFieldOptions: { nullable: false },
      clientMutationId: 'omit',
      cursorType: 'String',
      nodeQueryOptions: false,
      nodesQueryOptions: false,
    },
  });
  builder.addScalarType('DateTime', DateTimeResolver);
  builder.addScalarType('Date', DateResolver);

  const MessageRole = builder.enumType('MessageRole', { values: MESSAGE_ROLES });
  const User = builder.objectRef<UserDoc>('User');
  const Conversation = builder.objectRef<ConversationDoc>('Conversation');
  const Message = builder.objectRef<MessageDoc>('Message');

  User.implement({
    fields: (t) => ({
      id: t.exposeID('subject'),
      displayName: t.exposeString('displayName', { nullable: true }),
      email: t.exposeString('email', { nullable: true }),
      phone: t.exposeString('phone', { nullable: true }),
      birthDate: t.field({ type: 'Date', nullable: true, resolve: (u) => u.birthDate ?? null }),
      country: t.exposeString('country', { nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      conversations: t.field({ type: [Conversation], resolve: (u, _args, ctx) => resolvers.conversationsOf(u, ctx) }),
    }),
  });
  Conversation.implement({
    fields: (t) => ({
      id: t.exposeID('_id'),
      title: t.string({ nullable: true, resolve: (c, _args, ctx) => resolvers.titleOf(c, ctx) }),
      owner: t.field({ type: User, nullable: true, resolve: (c, _args, ctx) => resolvers.ownerOf(c, ctx) }),
      messages: t.field({ type: [Message], resolve: (c, _args, ctx) => resolvers.messagesOf(c, ctx) }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });
  Message.implement({
    fields: (t) => ({
      id: t.exposeID('_id'),
      role: t.expose('role', { type: MessageRole }),
      content: t.string({ nullable: true, resolve: (m, _args, ctx) => resolvers.contentOf(m, ctx) }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  const UserConnection = builder.connectionObject({ type: User, name: 'UserConnection' });
  builder.queryType({
    fields: (t) => ({
      me: t.field({ type: User, nullable: true, resolve: (_root, _args, ctx) => resolvers.me(ctx) }),
      user: t.field({ type: User, nullable: true, args: { id: t.arg.id({ required: true }) }, resolve: (_root, { id }, ctx) => resolvers.userById(String(id), ctx) }),
      users: t.field({
        type: UserConnection,
        args: { first: t.arg.int(), after: t.arg.string() },
        resolve: (_root, args, ctx) => resolvers.users(args, ctx),
      }),
    }),
  });
  builder.mutationType({
    fields: (t) => ({
      addMessage: t.field({
        type: Message,
        args: {
          conversationId: t.arg.id({ required: true }),
          role: t.arg({ type: MessageRole, required: true }),
          content: t.arg.string({ required: true }),
        },
        resolve: (_root, args, ctx) => resolvers.addMessage(args, ctx),
      }),
    }),
  });
  return builder.toSchema({ sortSchema: true });
}
