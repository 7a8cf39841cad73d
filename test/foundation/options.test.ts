/**
 * Documented options (README configuration table) through the real entry point: one spawned
 * `npm start` per profile, several options observed on each, so the suite pays for few starts.
 * A wire tap between the gateway and MongoDB shows what its driver really sends.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_ALG, loadOrCreateDevKeys, signToken } from '../../src/auth/index.js';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../src/config.js';
import { createPseudonymizer } from '../../src/governance/index.js';
import { loadPolicyPack } from '../../src/governance/packs/index.js';
import { createTestIssuer, TEST_AUDIENCE, TEST_ISSUER, type TestIssuer } from '../helpers/auth.js';
import { startBlackhole } from '../helpers/blackhole.js';
import { testDatabaseName, testMongoUri } from '../helpers/database.js';
import { cleanEnv, postGraphQL, spawnTs, startMain, type Spawned, type StartedGateway } from '../helpers/spawn.js';
import { productionSecrets } from '../helpers/production-env.js';
import { startWireTap, type WireTap } from '../helpers/wire-tap.js';

const started: Spawned[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  started.forEach((s) => s.kill('SIGKILL'));
  await Promise.all(cleanups.map((c) => c()));
});

const ME = { query: '{ me { id displayName email } }' };
const INTROSPECT = { query: '{ __schema { queryType { name } } }' };
interface Me {
  me: { id: string; displayName: string; email: string } | null;
}

/** A port nobody listens on right now, on `host`. */
async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Binding 127.0.0.2 needs the whole 127/8 on loopback (Linux); elsewhere HOST is checked on 127.0.0.1 only. */
const altLoopback = await new Promise<boolean>((resolve) => {
  const probe = createServer().once('error', () => resolve(false));
  probe.listen(0, '127.0.0.2', () => probe.close(() => resolve(true)));
});

async function batch(url: string, size: number, token: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(Array.from({ length: size }, () => ({ query: '{ me { id } }' }))),
  });
  return { status: res.status, body: await res.json() };
}

const infoLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('{') && (JSON.parse(line) as { level: number }).level === 30);

/** Has afterAll drop a database of the test server that a spawned gateway used. */
function dropLater(dbName: string): string {
  cleanups.push(async () => {
    const connection = await mongoose.createConnection(testMongoUri(), { dbName }).asPromise();
    await connection.dropDatabase();
    await connection.close();
  });
  return dbName;
}

async function countDocuments(dbName: string, collection: string): Promise<number> {
  const connection = await mongoose.createConnection(testMongoUri(), { dbName }).asPromise();
  try {
    return await connection.db!.collection(collection).countDocuments({});
  } finally {
    await connection.close();
  }
}

describe('npm start in development with every option set away from its default', () => {
  const host = altLoopback ? '127.0.0.2' : '127.0.0.1';
  const dbName = dropLater(testDatabaseName(import.meta.url));
  const pseudonymSecret = 'a-pseudonym-secret-of-at-least-32-characters';
  let port: number;
  let stateDir: string;
  let tap: WireTap;
  let main: StartedGateway;
  let alice: string;

  beforeAll(async () => {
    tap = await startWireTap(testMongoUri());
    cleanups.push(() => tap.close());
    port = await freePort(host);
    stateDir = await mkdtemp(join(tmpdir(), 'govgate-options-'));
    main = await startMain(
      {
        HOST: host,
        PORT: String(port),
        MONGODB_URI: tap.uri,
        MONGODB_DB_NAME: dbName,
        MONGODB_WRITE_CONCERN: 'majority',
        SEED_DEMO: 'true',
        GOVGATE_STATE_DIR: stateDir,
        PSEUDONYM_SECRET: pseudonymSecret,
        AUTH_CLOCK_TOLERANCE_S: '20',
        GRAPHIQL: 'false',
        INTROSPECTION: 'off',
        MAX_BATCH: '2',
        LOG_LEVEL: 'info',
        RATE_LIMIT_PER_SECOND: '0',
        RETENTION_SWEEP_INTERVAL_S: '1',
        CONSOLE: 'false',
      },
      { started, tokens: true },
    );
    alice = main.token('alice', 'demo');
  }, 180_000);

  it('HOST and PORT: listens on exactly that address and port, and prints it', async () => {
    expect(main.url).toBe(`http://${host === '127.0.0.1' ? 'localhost' : host}:${port}/graphql`);
    expect((await fetch(`http://${host}:${port}/health`)).status).toBe(200);
    if (altLoopback) await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('MONGODB_DB_NAME and MONGODB_WRITE_CONCERN: every command goes to that database, data and audit writes ask for w: majority', async () => {
    const read = await postGraphQL<Me>(main.url, ME, { token: alice });
    expect(read.status).toBe(200);
    const commands = tap.commands.filter((c) => c.db !== 'admin');
    expect(new Set(commands.map((c) => c.db))).toEqual(new Set([dbName]));
    const writes = commands.filter((c) => c.name === 'insert' || c.name === 'update');
    for (const collection of ['audit_events', 'users']) {
      const into = writes.filter((c) => c.target === collection);
      expect(into.length, collection).toBeGreaterThan(0);
      for (const write of into) expect(write.writeConcern?.w, collection).toBe('majority');
    }
  });

  it('RETENTION_SWEEP_INTERVAL_S=1: the gateway\'s own retention sweeper deletes an API usage record past deepailab\'s 365 days, not a younger one', async () => {
    const connection = await mongoose.createConnection(testMongoUri(), { dbName }).asPromise();
    try {
      const usage = connection.db!.collection<{ _id: string } & Record<string, unknown>>('api_usage');
      const base = { tenant: 'sweep-opt', owner: 'old-owen', operation: 'chat', statusCode: 200, latencyMs: 1, mipOptOut: false };
      await usage.insertMany([
        { _id: 'a1'.padEnd(24, '0'), ...base, createdAt: new Date(Date.now() - 400 * 86_400_000) },
        { _id: 'a2'.padEnd(24, '0'), ...base, createdAt: new Date(Date.now() - 300 * 86_400_000) },
      ]);
      let left: string[] = [];
      for (let i = 0; i < 100; i += 1) {
        left = (await usage.find({ tenant: 'sweep-opt' }).toArray()).map((d) => d._id);
        if (left.length === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(left).toEqual(['a2'.padEnd(24, '0')]);
    } finally {
      await connection.close();
    }
  });

  it('SEED_DEMO=true seeds the demo tenants into an external MONGODB_URI', async () => {
    const read = await postGraphQL<Me>(main.url, ME, { token: alice });
    expect(read.data?.me).toEqual({ id: 'alice', displayName: 'Alice Martin', email: 'alice@example.com' });
  });

  it('PSEUDONYM_SECRET keys the hash pseudonyms, and no key is generated in the state directory', async () => {
    const list = await postGraphQL<{ users: { edges: { node: { id: string } }[] } }>(main.url, { query: '{ users(first: 50) { edges { node { id } } } }' }, { token: alice });
    const ids = list.data?.users.edges.map((e) => e.node.id) ?? [];
    expect(ids).toContain(createPseudonymizer(Buffer.from(pseudonymSecret, 'utf8')).pseudonym('demo', 'bob'));
    expect(ids).not.toContain('bob');
    expect(existsSync(join(stateDir, 'pseudonym.key'))).toBe(false);
  });

  it('GOVGATE_STATE_DIR holds the development keys: `npm run token` with that directory mints tokens this gateway accepts, another directory does not', { timeout: 60_000 }, async () => {
    expect(existsSync(join(stateDir, 'dev-auth-key.json'))).toBe(true);
    expect(existsSync(join(stateDir, 'audit-signing-key.json'))).toBe(true);
    const mint = async (dir: string) => {
      const script = spawnTs('src/scripts/token.ts', ['--sub', 'alice', '--tenant', 'demo', '--roles', 'user'], cleanEnv({ GOVGATE_STATE_DIR: dir }));
      started.push(script);
      expect(await script.exited()).toBe(0);
      return script.stdout().trim();
    };
    const ok = await postGraphQL<Me>(main.url, ME, { token: await mint(stateDir) });
    expect(ok.data?.me?.id).toBe('alice');
    const other = await postGraphQL<Me>(main.url, ME, { token: await mint(await mkdtemp(join(tmpdir(), 'govgate-options-other-'))) });
    expect(other.status).toBe(401);
  });

  it('AUTH_CLOCK_TOLERANCE_S=20 accepts a token that expired 10 s ago (the default 5 would not), but not one 60 s ago', async () => {
    const keys = await loadOrCreateDevKeys(stateDir);
    const expiredAgo = (s: number) =>
      signToken({ sub: 'alice', tenant: 'demo', roles: ['user'] }, { key: keys.privateKey, kid: keys.kid, alg: DEV_ALG, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, expiresIn: Math.floor(Date.now() / 1000) - s });
    expect((await postGraphQL<Me>(main.url, ME, { token: await expiredAgo(10) })).data?.me?.id).toBe('alice');
    expect((await postGraphQL<Me>(main.url, ME, { token: await expiredAgo(60) })).status).toBe(401);
  });

  it('GRAPHIQL=false serves no GraphiQL page, INTROSPECTION=off refuses introspection even to authenticated callers', async () => {
    const page = await fetch(main.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/graphiql/i);
    const introspection = await postGraphQL(main.url, INTROSPECT, { token: alice });
    expect(introspection.data ?? null).toBeNull();
    expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('CONSOLE=false serves nothing under /console, not even the demo tokens development keys would offer', async () => {
    for (const path of ['/console/', '/console/dev-tokens']) {
      const res = await fetch(`http://${host}:${port}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-security-policy'), path).toBeNull();
    }
    expect(main.app.stdout()).not.toMatch(/compliance console:/);
  });

  it('MAX_BATCH=2: a batch of 2 is answered, one of 3 is refused with 413', async () => {
    const two = await batch(main.url, 2, alice);
    expect(two.status).toBe(200);
    expect(two.body).toHaveLength(2);
    const three = await batch(main.url, 3, alice);
    expect(three.status).toBe(413);
    expect(three.body).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })] });
  });

  it('LOG_LEVEL=info writes info lines as JSON, and SIGTERM stops it with exit 0', async () => {
    expect(infoLines(main.app.stdout()).map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('demo data seeded');
    main.app.kill('SIGTERM');
    expect(await main.app.exited(20_000)).toBe(0);
    expect(await countDocuments(dbName, 'users')).toBeGreaterThan(0);
  });
});

describe('npm start in production with the defaults', () => {
  const dbName = dropLater(testDatabaseName(import.meta.url));
  let tap: WireTap;
  let issuer: TestIssuer;
  let auditKid: string;
  let main: StartedGateway;

  beforeAll(async () => {
    tap = await startWireTap(testMongoUri());
    cleanups.push(() => tap.close());
    issuer = await createTestIssuer();
    const secrets = await productionSecrets();
    auditKid = secrets.auditKid;
    main = await startMain(
      {
        ...secrets.env,
        PORT: '0',
        MONGODB_URI: tap.uri,
        MONGODB_DB_NAME: dbName,
        AUTH_JWKS_FILE: issuer.jwksFile,
        AUTH_ISSUER: TEST_ISSUER,
        AUTH_AUDIENCE: TEST_AUDIENCE,
        AUTH_CLOCK_TOLERANCE_S: '0',
        POLICY_PACK: 'hartsy',
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_SECOND: '0',
      },
      { started },
    );
  }, 180_000);

  it('seeds nothing, prints no development token, and writes with w: majority', async () => {
    expect(main.app.stdout()).not.toMatch(/Demo tokens/);
    const token = await issuer.token({ sub: 'pat', tenant: 'prod', roles: ['user'] });
    const registered = await postGraphQL(main.url, { query: 'mutation { registerAccount(input: { displayName: "Pat", email: "pat@example.com", birthDate: "1990-01-01", country: "FR" }) { id } }' }, { token });
    expect(registered.errors).toBeUndefined();
    const writes = tap.commands.filter((c) => c.name === 'insert' && (c.target === 'audit_events' || c.target === 'users'));
    expect(new Set(writes.map((c) => c.target))).toEqual(new Set(['audit_events', 'users']));
    for (const write of writes) expect(write.writeConcern?.w).toBe('majority');
    // Only the account registered here: no demo subject.
    expect(await countDocuments(dbName, 'users')).toBe(1);
  });

  it('POLICY_PACK=hartsy is the pack in force', async () => {
    expect(main.app.stdout()).toMatch(/govgate ready: \S+ {2}\(pack hartsy\)/);
    const token = await issuer.token({ sub: 'pat', tenant: 'prod', roles: ['user'] });
    const policy = await postGraphQL<{ policy: { pack: string; version: string } }>(main.url, { query: '{ policy { pack version } }' }, { token });
    expect(policy.data?.policy).toEqual({ pack: 'hartsy', version: loadPolicyPack('hartsy').version });
  });

  it('serves no GraphiQL page and refuses introspection to anonymous callers only', async () => {
    expect(await (await fetch(main.url, { headers: { accept: 'text/html' } })).text()).not.toMatch(/graphiql/i);
    const anonymous = await postGraphQL(main.url, INTROSPECT);
    expect(anonymous.data ?? null).toBeNull();
    const authenticated = await postGraphQL(main.url, INTROSPECT, { token: await issuer.token({ sub: 'dev', tenant: 'prod', roles: ['developer'] }) });
    expect(authenticated.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('AUTH_CLOCK_TOLERANCE_S=0 refuses a token that expired 3 s ago (the default 5 would accept it)', async () => {
    const expired = await issuer.token({ sub: 'pat', tenant: 'prod', roles: ['user'] }, { expiresIn: Math.floor(Date.now() / 1000) - 3 });
    const res = await postGraphQL(main.url, ME, { token: expired });
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.message).toBe('token expired');
  });

  it('MAX_BATCH defaults to 10', async () => {
    const token = await issuer.token({ sub: 'pat', tenant: 'prod', roles: ['user'] });
    expect((await batch(main.url, 10, token)).status).toBe(200);
    expect((await batch(main.url, 11, token)).status).toBe(413);
  });

  it('CONSOLE defaults to true: the console is served under its CSP, without the development demo-token endpoint', async () => {
    const page = await fetch(`${main.base}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(main.app.stdout()).toMatch(/compliance console: http:\/\/\S+\/console\//);
    expect((await fetch(`${main.base}/console/dev-tokens`)).status).toBe(404);
  });

  it('AUDIT_SIGNING_KEY is the key published at /.well-known/jwks.json', async () => {
    const jwks = (await (await fetch(`${main.base}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(auditKid);
  });

  it('LOG_LEVEL=warn writes no info line, and SIGTERM stops it with exit 0', async () => {
    main.app.kill('SIGTERM');
    expect(await main.app.exited(20_000)).toBe(0);
    expect(infoLines(main.app.stdout())).toEqual([]);
  });
});

describe('npm start and its databases at start-up', () => {
  it('MONGODB_SERVER_SELECTION_TIMEOUT_MS bounds the wait for the data database: exit 1, one line naming MONGODB_URI', { timeout: 60_000 }, async () => {
    const hole = await startBlackhole();
    cleanups.push(() => hole.close());
    const app = spawnTs('src/main.ts', [], cleanEnv({ MONGODB_URI: `mongodb://127.0.0.1:${hole.port}/`, MONGODB_SERVER_SELECTION_TIMEOUT_MS: '600', PORT: '0', LOG_LEVEL: 'warn', GOVGATE_STATE_DIR: await mkdtemp(join(tmpdir(), 'govgate-nodb-')) }));
    started.push(app);
    expect(await app.exited(45_000)).toBe(1);
    expect(app.stderr().trim()).toMatch(/^govgate failed to start: MONGODB_URI: cannot reach the database \(.*after 600 ms\)$/);
  });

  const badFiles: [string, string, RegExp][] = [
    ['AUTH_JWKS_FILE', '{"keys": [secret-key-material]}', /AUTH_JWKS_FILE: \S+ is not valid JSON/],
    ['TRUSTED_DOCUMENTS_FILE', '{"id": {"query": "secret-key-material"}}', /TRUSTED_DOCUMENTS_FILE: \S+ must be a non-empty JSON object mapping ids to documents/],
  ];
  for (const [variable, content, message] of badFiles) {
    it(`a broken ${variable} stops the start with one line naming it, without quoting the file`, { timeout: 60_000 }, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'govgate-badfile-'));
      await writeFile(join(dir, 'file.json'), content);
      const app = spawnTs('src/main.ts', [], cleanEnv({ MONGODB_URI: testMongoUri(), MONGODB_DB_NAME: dropLater(testDatabaseName(import.meta.url)), [variable]: join(dir, 'file.json'), PORT: '0', LOG_LEVEL: 'warn', GOVGATE_STATE_DIR: dir }));
      started.push(app);
      expect(await app.exited(45_000)).toBe(1);
      expect(app.stderr().trim()).toMatch(new RegExp(`^govgate failed to start: ${message.source}$`));
      expect(app.stderr()).not.toContain('secret-key-material');
    });
  }

  it('a MASTER_KEY_FILE that cannot be read stops the start with one line naming the variable', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'govgate-nomaster-'));
    const app = spawnTs('src/main.ts', [], cleanEnv({ MONGODB_URI: testMongoUri(), MONGODB_DB_NAME: dropLater(testDatabaseName(import.meta.url)), MASTER_KEY_FILE: join(dir, 'missing.key'), PORT: '0', LOG_LEVEL: 'warn', GOVGATE_STATE_DIR: dir }));
    started.push(app);
    expect(await app.exited(45_000)).toBe(1);
    expect(app.stderr().trim()).toMatch(/^govgate failed to start: MASTER_KEY_FILE: cannot read \S+missing\.key \(ENOENT\)$/);
  });

  it('EMBEDDED_DATABASE=mongodb-memory-server without a mongod fails clearly instead of falling back to the Java server, no stack', { timeout: 60_000 }, async () => {
    const app = spawnTs('src/main.ts', [], cleanEnv({ EMBEDDED_DATABASE: 'mongodb-memory-server', MONGOMS_SYSTEM_BINARY: '/nonexistent/mongod', PORT: '0', LOG_LEVEL: 'warn', GOVGATE_STATE_DIR: await mkdtemp(join(tmpdir(), 'govgate-nomongod-')) }));
    started.push(app);
    expect(await app.exited(45_000)).toBe(1);
    expect(app.stderr()).toMatch(/mongodb-memory-server/);
    expect(app.stderr()).not.toMatch(/\bat .*:\d+:\d+/);
    expect(app.stdout()).not.toMatch(/govgate ready/);
  });

  it('EMBEDDED_DATABASE=auto (the default) falls back to the Java server when no mongod can be had, without a stack trace', { timeout: 180_000 }, async () => {
    const main = await startMain({ MONGOMS_SYSTEM_BINARY: '/nonexistent/mongod', PORT: '0', LOG_LEVEL: 'info', GOVGATE_STATE_DIR: await mkdtemp(join(tmpdir(), 'govgate-auto-')) }, { started });
    const logged = infoLines(main.app.stdout()).map((l) => JSON.parse(l) as { msg: string; kind?: string });
    expect(logged.find((l) => l.msg === 'embedded database started')?.kind).toBe('mongo-java-server');
    expect(main.app.stderr()).not.toMatch(/\bat .*:\d+:\d+/);
    main.app.kill('SIGTERM');
    expect(await main.app.exited(20_000)).toBe(0);
  });
});
