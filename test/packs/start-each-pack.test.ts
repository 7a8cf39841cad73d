/**
 * `POLICY_PACK=<each of the five>` starts through the real entry point (embedded database, demo
 * data) and serves the demo; a pack that is not written does not start.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICY_PACKS } from '../../src/config.js';
import { postGraphQL, spawnTs, cleanEnv, startMain, type Spawned } from '../helpers/spawn.js';

const started: Spawned[] = [];
afterAll(() => started.forEach((s) => s.kill('SIGKILL')));

describe('every seed pack', () => {
  for (const pack of POLICY_PACKS) {
    it(`POLICY_PACK=${pack} starts with the embedded database and serves the demo`, { timeout: 120_000 }, async () => {
      const stateDir = await mkdtemp(join(tmpdir(), `govgate-pack-${pack}-`));
      const main = await startMain({ POLICY_PACK: pack, EMBEDDED_DATABASE: 'java', PORT: '0', GOVGATE_STATE_DIR: stateDir, LOG_LEVEL: 'warn' }, { started, tokens: true });
      const res = await postGraphQL<{ me: { id: string; displayName: string } | null; policy: { pack: string; facts: { seed: string } } }>(
        main.url,
        { query: '{ me { id displayName } policy { pack facts { seed } } }' },
        { token: main.token('alice', 'demo') },
      );
      expect(res.status).toBe(200);
      expect(res.data?.me).toEqual({ id: 'alice', displayName: 'Alice Martin' });
      expect(res.data?.policy.pack).toBe(pack);
      main.app.kill('SIGTERM');
      expect(await main.app.exited(30_000)).toBe(0);
    });
  }

  it('a pack whose file is not written does not start (exit 1, naming it)', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'govgate-unwritten-'));
    await writeFile(join(dir, 'base.json'), '{}');
    const app = spawnTs('src/main.ts', [], cleanEnv({ POLICY_DIR: dir, POLICY_PACK: 'hartsy', EMBEDDED_DATABASE: 'java', PORT: '0', GOVGATE_STATE_DIR: dir }));
    started.push(app);
    expect(await app.exited(60_000)).toBe(1);
    expect(app.stderr()).toMatch(/the pack hartsy is not written/);
  });
});
