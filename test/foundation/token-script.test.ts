import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadOrCreateDevKeys } from '../../src/auth/index.js';
import { loadConfig } from '../../src/config.js';
import { createGateway } from '../../src/server.js';
import { connectTestDatabase } from '../helpers/database.js';
import { cleanEnv, spawnTs } from '../helpers/spawn.js';

describe('npm run token', () => {
  it('prints a token that a development gateway with the same state directory accepts', { timeout: 120_000 }, async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'govgate-token-'));
    const script = spawnTs('src/scripts/token.ts', ['--sub', 'dev-1', '--tenant', 'demo', '--roles', 'user,analyst', '--purposes', 'essential.service,analytics.reporting'], cleanEnv({ GOVGATE_STATE_DIR: stateDir }));
    expect(await script.exited()).toBe(0);
    const token = script.stdout().trim();
    expect(decodeJwt(token)).toMatchObject({ sub: 'dev-1', tenant: 'demo', roles: ['user', 'analyst'], purposes: ['essential.service', 'analytics.reporting'], iss: 'govgate-dev', aud: 'govgate' });

    const db = await connectTestDatabase(import.meta.url);
    const config = loadConfig({ NODE_ENV: 'test', GOVGATE_STATE_DIR: stateDir });
    const gateway = await createGateway({ config, connection: db.connection, devKeys: await loadOrCreateDevKeys(stateDir) });
    try {
      const ok = await gateway.yoga.fetch('http://x/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      expect(await ok.json()).toEqual({ data: { me: null } });

      // A token from another development key directory is refused.
      const otherDir = await mkdtemp(join(tmpdir(), 'govgate-token-other-'));
      const other = spawnTs('src/scripts/token.ts', ['--sub', 'dev-1', '--tenant', 'demo', '--roles', 'user'], cleanEnv({ GOVGATE_STATE_DIR: otherDir }));
      expect(await other.exited()).toBe(0);
      const refused = await gateway.yoga.fetch('http://x/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${other.stdout().trim()}` },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      expect(refused.status).toBe(401);
    } finally {
      await gateway.close();
      await db.close();
    }
  });

  it('refuses to mint tokens when an identity provider is configured', async () => {
    const script = spawnTs('src/scripts/token.ts', ['--sub', 'a', '--tenant', 't', '--roles', 'user'], cleanEnv({ AUTH_JWKS_URL: 'https://idp.example/jwks' }));
    expect(await script.exited()).toBe(1);
    expect(script.stderr()).toMatch(/identity provider/);
  });
});
