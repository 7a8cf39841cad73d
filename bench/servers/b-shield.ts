/**
 * Variant B: A's schema behind graphql-shield (via graphql-middleware), a rule on every field.
 * Role rules depend on the context only; owner / tenant / consent rules depend on the parent value.
 * A denied field resolves to null (an empty list for list fields), like a redaction, instead of an
 * error.
 *
 * Cache (`--cache=`): `default` (variant B) gives no rule a cache option, so shield runs every rule
 * for every field ('no_cache', its default since 6.0.6 and what its docs show); `strict` (variant
 * B-strict) caches role rules per request ('contextual') and parent rules per (parent, args) hash
 * ('strict', object-hash of the whole parent document on every field).
 */
import { getNullableType, isListType, type GraphQLResolveInfo } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { and, or, rule, shield } from 'graphql-shield';
import type { ConversationDoc, MessageDoc } from '../../src/features/conversations/index.js';
import type { UserDoc } from '../../src/features/users/index.js';
import type { Role } from '../../src/auth/index.js';
import { benchEnv, main, openDatabase, peerVerifier, serve, type PeerContext } from './common.js';
import { CONTACT_ROLES, CONTENT_ROLES, IDENTITY_ROLES, PROFILE_ROLES, UNIQUE_ID_ROLES, consentAllows, hasAnyRole, isOwner, sameTenant } from './peer-policy.js';
import { buildPeerSchema } from './peer-schema.js';
import { peerYoga } from './peer-yoga.js';

type CacheMode = 'default' | 'strict';

function permissions(mode: CacheMode) {
  // Default: no cache option at all, as a rule is written in shield's docs unless one is asked for.
  const contextual = mode === 'strict' ? { cache: 'contextual' as const } : {};
  const strict = mode === 'strict' ? { cache: 'strict' as const } : {};
  const isAuthenticated = rule('isAuthenticated', contextual)((_parent, _args, ctx: PeerContext) => ctx.caller.authenticated);
  const hasRole = (name: string, roles: readonly Role[]) => rule(`role:${name}`, contextual)((_parent, _args, ctx: PeerContext) => hasAnyRole(ctx, roles));
  const isOwnUser = rule('isOwnUser', strict)((user: UserDoc, _args, ctx: PeerContext) => isOwner(user.subject, user, ctx));
  const isOwnContent = rule('isOwnContent', strict)((value: ConversationDoc | MessageDoc, _args, ctx: PeerContext) => isOwner(value.owner, value, ctx));
  const isSameTenant = rule('isSameTenant', strict)((value: { tenant: string }, _args, ctx: PeerContext) => sameTenant(value, ctx));
  const userConsents = rule('userConsents', strict)((user: UserDoc, _args, ctx: PeerContext) => consentAllows(user.subject, ctx));
  const ownerConsents = rule('ownerConsents', strict)((value: ConversationDoc | MessageDoc, _args, ctx: PeerContext) => consentAllows(value.owner, ctx));

  const uniqueId = or(isOwnUser, and(isSameTenant, hasRole('uniqueId', UNIQUE_ID_ROLES)));
  const identity = or(isOwnUser, and(isSameTenant, hasRole('identity', IDENTITY_ROLES)));
  const contact = or(isOwnUser, and(isSameTenant, hasRole('contact', CONTACT_ROLES)));
  const profile = or(isOwnUser, and(isSameTenant, hasRole('profile', PROFILE_ROLES)));
  const hasContentRole = hasRole('content', CONTENT_ROLES);
  const userContent = or(isOwnUser, and(isSameTenant, hasContentRole, userConsents));
  const content = or(isOwnContent, and(isSameTenant, hasContentRole, ownerConsents));

  /** A denied field: null, or an empty list where the schema has a (non-null) list. */
  const redacted = (_thrown: unknown, _parent: unknown, _args: unknown, _ctx: unknown, info: GraphQLResolveInfo): [] | null =>
    isListType(getNullableType(info.returnType)) ? [] : null;
  type ShieldOptions = NonNullable<Parameters<typeof shield>[1]>;

  return shield(
    {
      Query: { me: isAuthenticated, user: isAuthenticated, users: isAuthenticated },
      Mutation: { addMessage: isAuthenticated },
      User: { id: uniqueId, displayName: identity, email: contact, phone: contact, birthDate: profile, country: profile, createdAt: isAuthenticated, conversations: userContent },
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
}

function cacheMode(): CacheMode {
  const arg = process.argv.find((a) => a.startsWith('--cache='))?.slice('--cache='.length) ?? 'default';
  if (arg !== 'default' && arg !== 'strict') throw new Error(`--cache must be default or strict, got ${arg}`);
  return arg;
}

main(async () => {
  const env = benchEnv();
  const connection = await openDatabase(env);
  const yoga = peerYoga(applyMiddleware(buildPeerSchema({ consentInResolvers: false }), permissions(cacheMode())), await peerVerifier(env), connection);
  await serve(yoga, async () => {
    await yoga.dispose();
    await connection.close();
  });
});
