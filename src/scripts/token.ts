// `npm run token -- --sub ID --tenant T --roles a,b [--purposes p,q] [--ttl 1h]`: prints a JWT
// signed with the development key the gateway trusts when no AUTH_* variables are set.
import { parseArgs } from 'node:util';
import { loadOrCreateDevKeys, signDevToken } from '../auth/index.js';
import { ConfigError, loadConfig } from '../config.js';

const list = (value: string | undefined): string[] =>
  (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      tenant: { type: 'string' },
      roles: { type: 'string' },
      purposes: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
    },
    strict: true,
  });
  if (!values.sub || !values.tenant) throw new Error('usage: npm run token -- --sub ID --tenant T --roles a,b [--purposes p,q] [--ttl 1h]');
  const config = loadConfig();
  if (config.auth.mode !== 'development') {
    throw new Error('AUTH_JWKS_FILE/AUTH_JWKS_URL is set: tokens come from your identity provider, not from this script');
  }
  const keys = await loadOrCreateDevKeys(config.auth.stateDir);
  const purposes = list(values.purposes);
  const token = await signDevToken({ sub: values.sub, tenant: values.tenant, roles: list(values.roles), ...(purposes.length ? { purposes } : {}) }, keys, config.auth, values.ttl);
  console.log(token);
}

run().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
  process.exit(1);
});
