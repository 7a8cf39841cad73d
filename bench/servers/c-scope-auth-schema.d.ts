/** Types of c-scope-auth-schema.js (see there why it is JavaScript). */
import type { GraphQLSchema } from 'graphql';
import type { Role } from '../../src/auth/index.js';
import type * as resolvers from './peer-resolvers.js';
import type { PeerContext } from './common.js';

export interface ScopeAuthDeps {
  readonly resolvers: typeof resolvers;
  readonly roles: { readonly uniqueId: readonly Role[]; readonly identity: readonly Role[]; readonly contact: readonly Role[]; readonly profile: readonly Role[]; readonly content: readonly Role[] };
  readonly hasAnyRole: (ctx: PeerContext, roles: readonly Role[]) => boolean;
  readonly isOwner: (subject: string, value: { tenant: string }, ctx: PeerContext) => boolean;
  readonly sameTenant: (value: { tenant: string }, ctx: PeerContext) => boolean;
  readonly consentAllows: (subject: string, ctx: PeerContext) => true | Promise<boolean>;
  readonly messageRoles: readonly string[];
}

export function buildScopeAuthSchema(deps: ScopeAuthDeps): GraphQLSchema;
