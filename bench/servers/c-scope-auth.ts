/**
 * Variant C: the same schema written with @pothos/plugin-scope-auth (see c-scope-auth-schema.js),
 * the same resolvers and policy as B (consent rule included).
 */
import { MESSAGE_ROLES } from '../../src/features/conversations/index.js';
import { buildScopeAuthSchema } from './c-scope-auth-schema.js';
import { benchEnv, main, openDatabase, peerVerifier, serve } from './common.js';
import { CONTACT_ROLES, CONTENT_ROLES, IDENTITY_ROLES, PROFILE_ROLES, UNIQUE_ID_ROLES, consentAllows, hasAnyRole, isOwner, sameTenant } from './peer-policy.js';
import * as resolvers from './peer-resolvers.js';
import { peerYoga } from './peer-yoga.js';

main(async () => {
  const env = benchEnv();
  const connection = await openDatabase(env);
  const schema = buildScopeAuthSchema({
    resolvers,
    roles: { uniqueId: UNIQUE_ID_ROLES, identity: IDENTITY_ROLES, contact: CONTACT_ROLES, profile: PROFILE_ROLES, content: CONTENT_ROLES },
    hasAnyRole,
    isOwner,
    sameTenant,
    consentAllows,
    messageRoles: MESSAGE_ROLES,
  });
  const yoga = peerYoga(schema, await peerVerifier(env), connection);
  await serve(yoga, async () => {
    await yoga.dispose();
    await connection.close();
  });
});
