/**
 * RATE_LIMIT_SHARED: one caller's limit holds across gateway instances on one database (spend
 * synced through MongoDB, off the request path), and a store that stops answering leaves each
 * instance with the per-process limit, never less. Two createGateway instances on one database,
 * real signed tokens through yoga.fetch; `{ __typename }` needs no database, so a request the
 * limiter admits is answered whatever the store does.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEV_ALG, loadOrCreateDevKeys, signToken } from '../../src/auth/index.js';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../src/config.js';
import { RATE_INSTANCES_COLLECTION, RATE_SPEND_COLLECTION } from '../../src/security/index.js';
import { testDatabaseName, testMongoUri } from '../helpers/database.js';
import { eventually } from '../helpers/eventually.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startPartitionProxy, type PartitionProxy } from '../helpers/partition-proxy.js';
import { cleanEnv, spawnTs, startMain, type Spawned } from '../helpers/spawn.js';

const PSEUDONYM_SECRET = 'replicas-share-this-pseudonym-secret-0123456789';
const TYPENAME = { query: '{ __typename }' };

const open: TestGateway[] = [];
const proxies: PartitionProxy[] = [];
afterEach(async () => {
  for (const t of open.splice(0).reverse()) await t.close();
  for (const proxy of proxies.splice(0)) await proxy.close();
});

interface Pair {
  a: TestGateway;
  b: TestGateway;
  /** A token of caller `sub` both instances accept. */
  token(sub: string): Promise<string>;
}

/** Two gateways on one database, trusting one issuer, with the same limit settings. */
async function startPair(env: Record<string, string>, options: { logB?: Record<string, unknown>[]; proxyB?: PartitionProxy } = {}): Promise<Pair> {
  const dbName = testDatabaseName(import.meta.url);
  const shared = { PSEUDONYM_SECRET, RATE_LIMIT_SYNC_MS: '100', ...env };
  const a = await startTestGateway({ name: import.meta.url, dbName, env: shared });
  open.push(a);
  const stream = { write: (line: string) => void options.logB?.push(JSON.parse(line) as Record<string, unknown>) };
  const b = await startTestGateway({
    name: import.meta.url,
    dbName,
    keepDatabase: true,
    ...(options.proxyB ? { uri: options.proxyB.uri } : {}),
    ...(options.logB ? { logger: pino({ level: 'info' }, stream) } : {}),
    env: { ...shared, AUTH_JWKS_FILE: a.issuer.jwksFile },
  });
  open.push(b);
  return { a, b, token: (sub) => a.token(sub, 'rl', ['user']) };
}

async function metric(t: TestGateway, name: string): Promise<number> {
  const text = await (await t.fetch('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

/** Both instances split the burst in two (each has seen the other's heartbeat). */
async function bothSeeTwo(pair: Pair): Promise<void> {
  const seen = await eventually(async () => (await metric(pair.a, 'govgate_rate_limit_instances')) === 2 && (await metric(pair.b, 'govgate_rate_limit_instances')) === 2, 10_000, 50);
  expect(seen, 'each instance sees two instances').toBe(true);
}

const codeOf = async (res: Response): Promise<string | undefined> => ((await res.json()) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code;

describe('a rate limit shared across two instances on one database', () => {
  it('admits one burst in total when a caller spends it across both at once, then answers 429 RATE_LIMITED with Retry-After on either', async () => {
    const pair = await startPair({ RATE_LIMIT_PER_SECOND: '0.5', RATE_LIMIT_BURST: '10' });
    await bothSeeTwo(pair);
    const token = await pair.token('spender');
    // 30 at once, alternating: a per-process limit admits 10 on each (20).
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? pair.a : pair.b).post(TYPENAME, { token })));
    const admitted = responses.filter((r) => r.status === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(9);
    expect(admitted).toBeLessThanOrEqual(11);
    expect(responses.filter((r) => r.status === 429).length).toBe(30 - admitted);

    // After a sync each instance knows what the other admitted: still limited on both.
    await new Promise((resolve) => setTimeout(resolve, 400));
    for (const t of [pair.a, pair.b]) {
      const res = await t.post(TYPENAME, { token });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await codeOf(res)).toBe('RATE_LIMITED');
    }
    // Another caller is untouched.
    expect((await pair.b.post(TYPENAME, { token: await pair.token('bystander') })).status).toBe(200);
  });

  it('charges each instance what the other spent: a caller alternating between them gets about burst + rate × time, not twice that', async () => {
    const pair = await startPair({ RATE_LIMIT_PER_SECOND: '4', RATE_LIMIT_BURST: '6' });
    await bothSeeTwo(pair);
    const token = await pair.token('alternating');
    const started = performance.now();
    let admitted = 0;
    for (let i = 0; i < 80; i += 1) {
      const res = await (i % 2 === 0 ? pair.a : pair.b).post(TYPENAME, { token });
      if (res.status === 200) admitted += 1;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const seconds = (performance.now() - started) / 1000;
    // Documented bound: burst + rate × (t + (N−1)/N × lag), lag ≈ 2 sync intervals + a round trip; a second of lag allowed here.
    expect(admitted).toBeLessThanOrEqual(Math.ceil(6 + 4 * (seconds + 0.5 * 1)));
    // A per-process limit would admit 2 × (burst + rate × t).
    expect(admitted).toBeLessThan(2 * (6 + 4 * seconds) - 4);
    expect(admitted).toBeGreaterThanOrEqual(Math.floor(4 * seconds));
  });

  it('stores no caller identifier: keys are keyed hashes, and the spend document names instances only', async () => {
    const pair = await startPair({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '5' });
    const token = await pair.token('person-of-interest');
    expect((await pair.a.post(TYPENAME, { token })).status).toBe(200);
    const spend = pair.a.connection.db!.collection(RATE_SPEND_COLLECTION);
    expect(await eventually(async () => (await spend.countDocuments({})) > 0, 5000, 50)).toBe(true);
    const stored = JSON.stringify(await spend.find({}).toArray()) + JSON.stringify(await pair.a.connection.db!.collection(RATE_INSTANCES_COLLECTION).find({}).toArray());
    expect(stored).not.toMatch(/person-of-interest|rl\/|caller:|peer:|local/);
    expect(stored).toContain(pair.a.gateway.instanceId);
  });

  it('RATE_LIMIT_SHARED=false: each instance limits alone (the burst twice over two instances)', async () => {
    const pair = await startPair({ RATE_LIMIT_SHARED: 'false', RATE_LIMIT_PER_SECOND: '0.5', RATE_LIMIT_BURST: '5' });
    expect(await metric(pair.a, 'govgate_rate_limit_shared')).toBe(0);
    const token = await pair.token('alone');
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? pair.a : pair.b).post(TYPENAME, { token })));
    expect(responses.filter((r) => r.status === 200).length).toBe(10);
    expect(await pair.a.connection.db!.collection(RATE_SPEND_COLLECTION).countDocuments({})).toBe(0);
  });
});

describe('the shared store stops answering', () => {
  it('keeps the per-process limit (the whole burst, never more), logs once without identifiers, counts it, and shares again when the store is back', async () => {
    const proxy = await startPartitionProxy(testMongoUri());
    proxies.push(proxy);
    const logB: Record<string, unknown>[] = [];
    const pair = await startPair({ RATE_LIMIT_PER_SECOND: '0.5', RATE_LIMIT_BURST: '8' }, { logB, proxyB: proxy });
    await bothSeeTwo(pair);

    // A partition: nothing B sends its database is answered.
    proxy.partition();
    expect(await eventually(async () => (await metric(pair.b, 'govgate_rate_limit_shared')) === 0, 15_000, 100), 'B falls back').toBe(true);
    expect(await metric(pair.b, 'govgate_rate_limit_instances')).toBe(1);
    expect(await eventually(async () => (await metric(pair.b, 'govgate_rate_limit_sync_failures_total')) >= 1, 15_000, 100)).toBe(true);

    const token = await pair.token('during-outage');
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 14; i += 1) {
      last = await pair.b.post(TYPENAME, { token });
      statuses.push(last.status);
    }
    // The floor: this process's own bucket with the whole burst.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(8);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(9);
    expect(statuses.at(-1)).toBe(429);
    expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await codeOf(last!)).toBe('RATE_LIMITED');

    const warnings = logB.filter((l) => l.msg === 'shared rate limit unavailable: each instance limits alone until the store answers');
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(logB)).not.toMatch(/during-outage|rl\/|caller:|127\.0\.0\.1/);

    proxy.heal();
    expect(await eventually(async () => (await metric(pair.b, 'govgate_rate_limit_shared')) === 1, 20_000, 100), 'B shares again').toBe(true);
    expect(logB.filter((l) => l.msg === 'shared rate limit restored')).toHaveLength(1);
  });
});

describe('npm start twice on one database (the real entry point)', () => {
  const started: Spawned[] = [];
  const dbName = testDatabaseName(import.meta.url);
  afterAll(async () => {
    started.forEach((s) => s.kill('SIGKILL'));
    const connection = await mongoose.createConnection(testMongoUri(), { dbName }).asPromise();
    await connection.dropDatabase();
    await connection.close();
  });

  it('RATE_LIMIT_SHARED=true and RATE_LIMIT_SYNC_MS: a caller bursting over real HTTP across both processes gets one burst in total', { timeout: 240_000 }, async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'govgate-replicas-'));
    const env = { MONGODB_URI: testMongoUri(), MONGODB_DB_NAME: dbName, PORT: '0', GOVGATE_STATE_DIR: stateDir, LOG_LEVEL: 'warn', RATE_LIMIT_SHARED: 'true', RATE_LIMIT_SYNC_MS: '100', RATE_LIMIT_PER_SECOND: '0.5', RATE_LIMIT_BURST: '10' };
    const first = await startMain(env, { started });
    const second = await startMain(env, { started });
    const bases = [first, second].map((m) => m.url.replace(/\/graphql$/, ''));
    const instances = async (base: string) => Number(/^govgate_rate_limit_instances (\S+)/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1]);
    expect(await eventually(async () => (await instances(bases[0]!)) === 2 && (await instances(bases[1]!)) === 2, 20_000, 100)).toBe(true);
    // Both processes share the state directory: its development keys sign tokens either accepts.
    const keys = await loadOrCreateDevKeys(stateDir);
    const token = await signToken({ sub: 'burster', tenant: 'demo', roles: ['user'] }, { key: keys.privateKey, kid: keys.kid, alg: DEV_ALG, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, expiresIn: '5m' });
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const res = await fetch(i % 2 === 0 ? first.url : second.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(TYPENAME) });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    const admitted = statuses.filter((s) => s === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(9);
    expect(admitted).toBeLessThanOrEqual(11);
    expect(statuses.filter((s) => s === 429).length).toBe(30 - admitted);
  });

  it('a bad RATE_LIMIT_SYNC_MS or RATE_LIMIT_SHARED stops the start with exit 1, naming it', { timeout: 60_000 }, async () => {
    const app = spawnTs('src/main.ts', [], cleanEnv({ RATE_LIMIT_SYNC_MS: '10', RATE_LIMIT_SHARED: 'sometimes' }));
    started.push(app);
    expect(await app.exited()).toBe(1);
    expect(app.stderr()).toMatch(/RATE_LIMIT_SYNC_MS/);
    expect(app.stderr()).toMatch(/RATE_LIMIT_SHARED/);
  });
});
