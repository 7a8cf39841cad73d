import { signDevToken, type DevKeys } from '../auth/index.js';
import type { DevAuthConfig, GatewayConfig } from '../config.js';
import type { ConsoleDevToken } from '../plugins/use-console.js';
import { DEMO_USERS, type DemoUser } from './seed-demo.js';

export interface DemoToken {
  readonly user: DemoUser;
  readonly token: string;
}

/**
 * A token for every seeded demo user, signed with the development keys (never a configured issuer's):
 * for the start-up banner and the console's development-only role picker.
 */
export function signDemoTokens(devKeys: DevKeys, auth: Pick<DevAuthConfig, 'issuer' | 'audience'>, expiresIn: string): Promise<DemoToken[]> {
  return Promise.all(
    DEMO_USERS.map(async (user) => ({
      user,
      token: await signDevToken({ sub: user.subject, tenant: user.tenant, roles: user.roles }, devKeys, auth, expiresIn),
    })),
  );
}

/** How long a token from the console's role picker lives. */
export const CONSOLE_DEMO_TOKEN_TTL = '15m';

/**
 * The console's demo role picker: only with development keys and seeded demo data, else undefined
 * (no picker, `/console/dev-tokens` is a 404).
 */
export function consoleDevTokens(config: GatewayConfig, devKeys: DevKeys | undefined): (() => Promise<ConsoleDevToken[]>) | undefined {
  const { auth } = config;
  if (auth.mode !== 'development' || !devKeys || !config.seedDemo) return undefined;
  return async () =>
    (await signDemoTokens(devKeys, auth, CONSOLE_DEMO_TOKEN_TTL)).map(({ user, token }) => ({ subject: user.subject, tenant: user.tenant, roles: user.roles, token }));
}
