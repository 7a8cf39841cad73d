/**
 * Schema of variant C, written with @pothos/plugin-scope-auth.
 *
 * Plain JavaScript on purpose: scope-auth's global type augmentation makes its `scopeAuth`
 * builder option *required for every SchemaBuilder in a TypeScript program*, so importing it from
 * any .ts file under bench/ would break govgate's own builder (src/builder.ts) in `tsc -p .`.
 * This module therefore imports nothing from govgate either: c-scope-auth.ts passes the shared
 * resolvers and policy in (typed by c-scope-auth-schema.d.ts, which is what tsc sees).
 *
 * Role scopes are computed once per request by the scope initializer; owner / tenant / consent
 * checks are authScopes functions of the parent. A denied field resolves to null (an empty list for list
 * fields) through `unauthorizedResolver`, like a redaction, instead of an error.
 */
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { DateResolver, DateTimeResolver } from 'graphql-scalars';

/** @param {import('./c-scope-auth-schema.js').ScopeAuthDeps} deps */
export function buildScopeAuthSchema(deps) {
  const { resolvers, roles, hasAnyRole, isOwner, sameTenant, consentAllows, messageRoles } = deps;
  const builder = new SchemaBuilder({
    plugins: [ScopeAuthPlugin, RelayPlugin],
    defaultFieldNullability: false,
    scopeAuth: {
      authScopes: (ctx) => ({
        authenticated: ctx.caller.authenticated,
        uniqueId: hasAnyRole(ctx, roles.uniqueId),
        identity: hasAnyRole(ctx, roles.identity),
        contact: hasAnyRole(ctx, roles.contact),
        profile: hasAnyRole(ctx, roles.profile),
        content: hasAnyRole(ctx, roles.content),
      }),
    },
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

  /** Owner, or a caller of the same tenant holding the scope. */
  const userScope = (scope) => (user, _args, ctx) => isOwner(user.subject, user, ctx) || (sameTenant(user, ctx) && { [scope]: true });
  /** Content: also the owner's consent to the declared purpose (peer-consent.ts). */
  const withConsent = (subject, ctx) => {
    const allowed = consentAllows(subject, ctx);
    return allowed === true ? { content: true } : allowed.then((ok) => ok && { content: true });
  };
  const userContentScope = (user, _args, ctx) => isOwner(user.subject, user, ctx) || (sameTenant(user, ctx) && withConsent(user.subject, ctx));
  const contentScope = (value, _args, ctx) => isOwner(value.owner, value, ctx) || (sameTenant(value, ctx) && withConsent(value.owner, ctx));
  const toNull = () => null;
  const toEmpty = () => [];
  const authenticated = { authenticated: true };

  const MessageRole = builder.enumType('MessageRole', { values: messageRoles });
  const User = builder.objectRef('User');
  const Conversation = builder.objectRef('Conversation');
  const Message = builder.objectRef('Message');

  User.implement({
    fields: (t) => ({
      id: t.exposeID('subject', { authScopes: userScope('uniqueId') }),
      displayName: t.exposeString('displayName', { nullable: true, authScopes: userScope('identity'), unauthorizedResolver: toNull }),
      email: t.exposeString('email', { nullable: true, authScopes: userScope('contact'), unauthorizedResolver: toNull }),
      phone: t.exposeString('phone', { nullable: true, authScopes: userScope('contact'), unauthorizedResolver: toNull }),
      birthDate: t.field({ type: 'Date', nullable: true, authScopes: userScope('profile'), unauthorizedResolver: toNull, resolve: (u) => u.birthDate ?? null }),
      country: t.exposeString('country', { nullable: true, authScopes: userScope('profile'), unauthorizedResolver: toNull }),
      createdAt: t.expose('createdAt', { type: 'DateTime', authScopes: authenticated }),
      conversations: t.field({
        type: [Conversation],
        authScopes: userContentScope,
        unauthorizedResolver: toEmpty,
        resolve: (u, _args, ctx) => resolvers.conversationsOf(u, ctx),
      }),
    }),
  });
  Conversation.implement({
    fields: (t) => ({
      id: t.exposeID('_id', { authScopes: authenticated }),
      title: t.string({ nullable: true, authScopes: contentScope, unauthorizedResolver: toNull, resolve: (c, _args, ctx) => resolvers.titleOf(c, ctx) }),
      owner: t.field({ type: User, nullable: true, authScopes: contentScope, unauthorizedResolver: toNull, resolve: (c, _args, ctx) => resolvers.ownerOf(c, ctx) }),
      messages: t.field({ type: [Message], authScopes: contentScope, unauthorizedResolver: toEmpty, resolve: (c, _args, ctx) => resolvers.messagesOf(c, ctx) }),
      createdAt: t.expose('createdAt', { type: 'DateTime', authScopes: authenticated }),
    }),
  });
  Message.implement({
    fields: (t) => ({
      id: t.exposeID('_id', { authScopes: authenticated }),
      role: t.expose('role', { type: MessageRole, authScopes: authenticated }),
      content: t.string({ nullable: true, authScopes: contentScope, unauthorizedResolver: toNull, resolve: (m, _args, ctx) => resolvers.contentOf(m, ctx) }),
      createdAt: t.expose('createdAt', { type: 'DateTime', authScopes: authenticated }),
    }),
  });

  const UserConnection = builder.connectionObject({ type: User, name: 'UserConnection' });
  builder.queryType({
    fields: (t) => ({
      me: t.field({ type: User, nullable: true, authScopes: authenticated, resolve: (_root, _args, ctx) => resolvers.me(ctx) }),
      user: t.field({
        type: User,
        nullable: true,
        authScopes: authenticated,
        args: { id: t.arg.id({ required: true }) },
        resolve: (_root, { id }, ctx) => resolvers.userById(String(id), ctx),
      }),
      users: t.field({
        type: UserConnection,
        authScopes: authenticated,
        args: { first: t.arg.int(), after: t.arg.string() },
        resolve: (_root, args, ctx) => resolvers.users(args, ctx),
      }),
    }),
  });
  builder.mutationType({
    fields: (t) => ({
      addMessage: t.field({
        type: Message,
        authScopes: authenticated,
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
