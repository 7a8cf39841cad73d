/**
 * Variant B: A's schema behind graphql-shield (via graphql-middleware), a rule on every field.
 * Role rules depend on the context only (cache 'contextual'); owner / tenant rules depend on the
 * parent value (cache 'strict', shield's default hash of parent and args). A denied field resolves
 * to null (an empty list for list fields), like a redaction, instead of an error.
 */
import { getNullableType, isListType, type GraphQLResolveInfo } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { and, or, rule, shield } from 'graphql-shield';
import type { ConversationDoc, MessageDoc } from '../../src/features/conversations/index.js';
import type { UserDoc } from '../../src/features/users/index.js';
import type { Role } from '../../src/auth/index.js';
import { benchEnv, main, openDatabase, peerVerifier, serve, type PeerContext } from './common.js';
import { CONTACT_ROLES, CONTENT_ROLES, IDENTITY_ROLES, PROFILE_ROLES, hasAnyRole, isOwner, sameTenant } from './peer-policy.js';
import { buildPeerSchema } from './peer-schema.js';
import { peerYoga } from './peer-yoga.js';

const isAuthenticated = rule('isAuthenticated', { cache: 'contextual' })((_parent, _args, ctx: PeerContext) => ctx.caller.authenticated);
const hasRole = (name: string, roles: readonly Role[]) =>
  rule(`role:${name}`, { cache: 'contextual' })((_parent, _args, ctx: PeerContext) => hasAnyRole(ctx, roles));
const isOwnUser = rule('isOwnUser', { cache: 'strict' })((user: UserDoc, _args, ctx: PeerContext) => isOwner(user.subject, user, ctx));
const isOwnContent = rule('isOwnContent', { cache: 'strict' })((value: ConversationDoc | MessageDoc, _args, ctx: PeerContext) => isOwner(value.owner, value, ctx));
const isSameTenant = rule('isSameTenant', { cache: 'strict' })((value: { tenant: string }, _args, ctx: PeerContext) => sameTenant(value, ctx));

const hasIdentityRole = hasRole('identity', IDENTITY_ROLES);
const hasContactRole = hasRole('contact', CONTACT_ROLES);
const hasProfileRole = hasRole('profile', PROFILE_ROLES);
const hasContentRole = hasRole('content', CONTENT_ROLES);

const identity = or(isOwnUser, and(isSameTenant, hasIdentityRole));
const contact = or(isOwnUser, and(isSameTenant, hasContactRole));
const profile = or(isOwnUser, and(isSameTenant, hasProfileRole));
const userContent = or(isOwnUser, and(isSameTenant, hasContentRole));
const content = or(isOwnContent, and(isSameTenant, hasContentRole));

/** A denied field: null, or an empty list where the schema has a (non-null) list. */
const redacted = (_thrown: unknown, _parent: unknown, _args: unknown, _ctx: unknown, info: GraphQLResolveInfo): [] | null =>
  isListType(getNullableType(info.returnType)) ? [] : null;
type ShieldOptions = NonNullable<Parameters<typeof shield>[1]>;

const permissions = shield(
  {
    Query: { me: isAuthenticated, user: isAuthenticated, users: isAuthenticated },
    Mutation: { addMessage: isAuthenticated },
    User: { id: identity, displayName: identity, email: contact, phone: contact, birthDate: profile, country: profile, createdAt: isAuthenticated, conversations: userContent },
    Conversation: { id: isAuthenticated, title: content, owner: content, messages: content, createdAt: isAuthenticated },
    Message: { id: isAuthenticated, role: isAuthenticated, content, createdAt: isAuthenticated },
  },
  {
    // Connection, edge and page-info fields: authenticated callers only.
    fallbackRule: isAuthenticated,
    // shield returns whatever the mapper returns (null / []); its typings only admit an Error.
    fallbackError: redacted as unknown as ShieldOptions['fallbackError'],
    // Resolver errors (e.g. addMessage on a foreign conversation) pass through unchanged.
    allowExternalErrors: true,
  },
);

main(async () => {
  const env = benchEnv();
  const connection = await openDatabase(env);
  const yoga = peerYoga(applyMiddleware(buildPeerSchema(), permissions), await peerVerifier(env), connection);
  await serve(yoga, async () => {
    await yoga.dispose();
    await connection.close();
  });
});
