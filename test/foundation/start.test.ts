import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, spawnTs, type Spawned } from '../helpers/spawn.js';

const started: Spawned[] = [];
afterAll(() => started.forEach((s) => s.kill('SIGKILL')));

const gql = (url: string, token: string, query: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });

describe('npm start', () => {
  it('starts an embedded database, seeds demo data, prints a URL and working tokens, and stops on SIGTERM', { timeout: 180_000 }, async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'govgate-start-'));
    const app = spawnTs('src/main.ts', [], cleanEnv({ PORT: '0', HOST: '127.0.0.1', GOVGATE_STATE_DIR: stateDir, EMBEDDED_DATABASE: 'java', LOG_LEVEL: 'info' }));
    started.push(app);
    const [, url] = await app.waitFor(/govgate ready: (http:\/\/\S+\/graphql)/, 120_000);
    const [, aliceToken] = await app.waitFor(/user \(alice@demo\):\n\s+(\S+)/);
    const [, zoeToken] = await app.waitFor(/user \(zoe@acme\):\n\s+(\S+)/);
    const base = url!.replace(/\/graphql$/, '');
    // EMBEDDED_DATABASE=java: straight to the Java server, mongodb-memory-server is not even tried.
    const logged = app.stdout().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg: string; kind?: string; reason?: string });
    expect(logged.find((l) => l.msg === 'embedded database started')).toMatchObject({ kind: 'mongo-java-server', reason: 'EMBEDDED_DATABASE=java' });
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    expect((await fetch(`${base}/health`)).status).toBe(200);

    const me = await (await gql(url!, aliceToken!, '{ me { id displayName conversations { title messages { role content } } } }')).json();
    expect(me.errors).toBeUndefined();
    expect(me.data.me.id).toBe('alice');
    expect(me.data.me.conversations.length).toBeGreaterThan(0);
    expect(me.data.me.conversations[0].messages.length).toBeGreaterThan(0);

    // The second tenant sees only its own users.
    const zoe = await (await gql(url!, zoeToken!, '{ users(first: 50) { edges { node { id } } } }')).json();
    expect(zoe.data.users.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(['zoe']);

    // GraphiQL outside production.
    const page = await fetch(url!, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('graphiql');

    app.kill('SIGTERM');
    expect(await app.exited(20_000)).toBe(0);
  });

  it('exits 1 naming the bad variable when the environment is invalid', async () => {
    const app = spawnTs('src/main.ts', [], cleanEnv({ PORT: 'not-a-port', POLICY_PACK: 'nope' }));
    started.push(app);
    expect(await app.exited()).toBe(1);
    expect(app.stderr()).toMatch(/PORT/);
    expect(app.stderr()).toMatch(/POLICY_PACK/);
    expect(app.stderr()).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
