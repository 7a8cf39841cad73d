/**
 * Schema of variants A and B: a plain Pothos builder (Relay plugin only) with govgate's User /
 * Conversation / Message shapes, nullability and connection. B wraps it with graphql-shield and
 * builds it without authorization of its own; A builds it with the consent rule in its content
 * resolvers (`consentInResolvers`), the only rule A applies: a team's hand-written check.
 */
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { GraphQLSchema } from 'graphql';
import { DateResolver, DateTimeResolver } from 'graphql-scalars';
import { MESSAGE_ROLES, type ConversationDoc, type MessageDoc } from '../../src/features/conversations/index.js';
import type { UserDoc } from '../../src/features/users/index.js';
import type { PeerContext } from './common.js';
import { consentAllows } from './peer-consent.js';
import * as resolvers from './peer-resolvers.js';

export interface PeerSchemaOptions {
  /** Content (conversations, titles, messages) of a subject who has not consented to the declared purpose resolves to null / []. */
  readonly consentInResolvers: boolean;
}

type Resolve<P, R> = (parent: P, args: unknown, ctx: PeerContext) => R | Promise<R>;

export function buildPeerSchema(options: PeerSchemaOptions): GraphQLSchema {
  /** The resolver, or `denied` when the owner's consent is missing (only with consentInResolvers). */
  const gated = <P, R>(ownerOf: (parent: P) => string, denied: R, resolve: Resolve<P, R>): Resolve<P, R> =>
    !options.consentInResolvers
      ? resolve
      : (parent, args, ctx) => {
          const allowed = consentAllows(ownerOf(parent), ctx);
          return allowed === true ? resolve(parent, args, ctx) : allowed.then((ok) => (ok ? resolve(parent, args, ctx) : denied));
        };
  const conversationsOf = gated<UserDoc, ConversationDoc[]>((u) => u.subject, [], (u, _args, ctx) => resolvers.conversationsOf(u, ctx));
  const titleOf = gated<ConversationDoc, string | null>((c) => c.owner, null, (c, _args, ctx) => resolvers.titleOf(c, ctx));
  const messagesOf = gated<ConversationDoc, MessageDoc[]>((c) => c.owner, [], (c, _args, ctx) => resolvers.messagesOf(c, ctx));
  const contentOf = gated<MessageDoc, string | null>((m) => m.owner, null, (m, _args, ctx) => resolvers.contentOf(m, ctx));

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
      conversations: t.field({ type: [Conversation], resolve: conversationsOf }),
    }),
  });
  Conversation.implement({
    fields: (t) => ({
      id: t.exposeID('_id'),
      title: t.string({ nullable: true, resolve: titleOf }),
      owner: t.field({ type: User, nullable: true, resolve: (c, _args, ctx) => resolvers.ownerOf(c, ctx) }),
      messages: t.field({ type: [Message], resolve: messagesOf }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });
  Message.implement({
    fields: (t) => ({
      id: t.exposeID('_id'),
      role: t.expose('role', { type: MessageRole }),
      content: t.string({ nullable: true, resolve: contentOf }),
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
