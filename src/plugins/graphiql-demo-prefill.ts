import { signDevToken, type DevKeys } from '../auth/index.js';
import type { GatewayConfig } from '../config.js';
import { DEMO_QUERY, DEMO_USERS } from '../db/seed-demo.js';
import type { GraphiQLPrefill } from './use-graphiql-page.js';

/** The demo user GraphiQL opens as: alice@demo, a `user`, who can read her own conversations. */
const ALICE = DEMO_USERS.find((user) => user.subject === 'alice' && user.tenant === 'demo')!;

/**
 * In development with development keys: GraphiQL opens with an Authorization header for alice
 * (a token valid one hour, minted for each page load) and the demo query. Anywhere else: nothing.
 */
export function demoGraphiQLPrefill(config: GatewayConfig, devKeys: DevKeys | undefined): (() => Promise<GraphiQLPrefill>) | undefined {
  const { auth } = config;
  if (config.env !== 'development' || auth.mode !== 'development' || !devKeys) return undefined;
  return async () => {
    const token = await signDevToken({ sub: ALICE.subject, tenant: ALICE.tenant, roles: ALICE.roles }, devKeys, auth, '1h');
    return { defaultHeaders: JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2), defaultQuery: DEMO_QUERY };
  };
}
