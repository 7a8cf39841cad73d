/**
 * AUDIT_MONGODB_URI through the real entry point: `npm start` with a data database and a separate
 * audit database (two mongo-java-server processes), a development token printed by main.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startJavaMongoServer, type RunningMongoServer } from '../../src/db/java-mongo-server.js';
import { createGateway } from '../../src/server.js';
import { createTestIssuer } from '../helpers/auth.js';
import { startBlackhole } from '../helpers/blackhole.js';
import { connectTestDatabase, testDatabaseName, testMongoUri } from '../helpers/database.js';
import { eventually } from '../helpers/eventually.js';
import { postGraphQL, spawnTs, cleanEnv, startMain, type Spawned } from '../helpers/spawn.js';

const started: Spawned[] = [];
const servers: RunningMongoServer[] = [];
const blackholes: { close(): Promise<void> }[] = [];
afterAll(async () => {
  started.forEach((s) => s.kill('SIGKILL'));
  await Promise.all(servers.map((s) => s.stop()));
  await Promise.all(blackholes.map((b) => b.close()));
});

const ME = { query: '{ me { id displayName email phone } }' };
interface Me {
  me: { id: string; displayName: string; email: string } | null;
}

async function auditIds(uri: string, dbName: string): Promise<string[]> {
  const connection = await mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    return (await connection.db!.collection('audit_events').find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id));
  } finally {
    await connection.close();
  }
}

async function collectionNames(uri: string, dbName: string): Promise<string[]> {
  const connection = await mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    return (await connection.db!.listCollections().toArray()).map((c) => c.name).sort();
  } finally {
    await connection.close();
  }
}

describe('AUDIT_MONGODB_URI (npm start)', () => {
  it('keeps the audit log in the audit database only, fails closed while it is down, and recovers without a restart', { timeout: 240_000 }, async () => {
    const data = await startJavaMongoServer();
    let audit = await startJavaMongoServer();
    servers.push(data, audit);
    const auditPort = audit.port;
    const dbName = testDatabaseName(import.meta.url);
    const main = await startMain(
      {
        MONGODB_URI: data.uri,
        AUDIT_MONGODB_URI: audit.uri,
        MONGODB_DB_NAME: dbName,
        MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
        AUDIT_WRITE_TIMEOUT_MS: '2000',
        SEED_DEMO: 'true',
        PORT: '0',
        GOVGATE_STATE_DIR: await mkdtemp(join(tmpdir(), 'govgate-auditdb-')),
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_SECOND: '0',
      },
      { started, tokens: true },
    );
    const alice = main.token('alice', 'demo');
    const ready = async () => {
      const res = await fetch(`${main.base}/ready`);
      return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
    };
    // A governed read is served and its audit event is in the audit database, not in the data one.
    const read = await postGraphQL<Me>(main.url, ME, { token: alice });
    expect(read.status).toBe(200);
    expect(read.data?.me).toMatchObject({ id: 'alice', displayName: 'Alice Martin', email: 'alice@example.com' });
    const auditId = read.extensions?.governance?.auditId;
    expect(auditId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await auditIds(audit.uri, dbName)).toContain(auditId);
    expect(await auditIds(data.uri, dbName)).toEqual([]);
    expect((await collectionNames(data.uri, dbName)).filter((name) => name.startsWith('audit'))).toEqual([]);
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready', checks: { mongodb: 'ok', audit: 'ok' } } });

    // The audit database goes away: /ready names it, governed reads fail closed without values.
    await audit.stop();
    expect(await eventually(async () => (await ready()).status === 503, 20_000)).toBe(true);
    expect((await ready()).body).toEqual({ status: 'unavailable', checks: { mongodb: 'ok', audit: 'failing' } });
    const refused = await postGraphQL<Me>(main.url, ME, { token: alice });
    expect(refused.status).toBe(503);
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(refused.data ?? null).toBeNull();
    for (const value of ['Alice', 'alice@example.com', '+33']) expect(refused.text).not.toContain(value);

    // It comes back on the same address: ready and serving again, same process.
    audit = await startJavaMongoServer({ port: auditPort });
    servers.push(audit);
    expect(await eventually(async () => (await ready()).status === 200, 30_000)).toBe(true);
    const again = await postGraphQL<Me>(main.url, ME, { token: alice });
    expect(again.status).toBe(200);
    expect(again.data?.me?.email).toBe('alice@example.com');
    expect(await auditIds(audit.uri, dbName)).toContain(again.extensions?.governance?.auditId);

    main.app.kill('SIGTERM');
    expect(await main.app.exited(20_000)).toBe(0);
    // The clean stop flushed and closed the chain in the audit database before its connection closed.
    const closing = await mongoose.createConnection(audit.uri, { dbName }).asPromise();
    try {
      expect(await closing.db!.collection('audit_events').countDocuments({ outcome: 'CLOSED' })).toBeGreaterThanOrEqual(1);
    } finally {
      await closing.close();
    }
  });

  it('refuses to start when the audit database cannot be reached: exit 1, one line naming AUDIT_MONGODB_URI, no secret, no stack', { timeout: 60_000 }, async () => {
    const hole = await startBlackhole();
    blackholes.push(hole);
    const app = spawnTs(
      'src/main.ts',
      [],
      cleanEnv({
        MONGODB_URI: testMongoUri(),
        MONGODB_DB_NAME: testDatabaseName(import.meta.url),
        AUDIT_MONGODB_URI: `mongodb://auditor:s3cret-pw@127.0.0.1:${hole.port}/`,
        MONGODB_SERVER_SELECTION_TIMEOUT_MS: '700',
        PORT: '0',
        GOVGATE_STATE_DIR: await mkdtemp(join(tmpdir(), 'govgate-auditdown-')),
        LOG_LEVEL: 'warn',
      }),
    );
    started.push(app);
    expect(await app.exited(45_000)).toBe(1);
    const lines = app.stderr().trim().split('\n');
    expect(lines, app.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(/AUDIT_MONGODB_URI/);
    // The audit connection uses MONGODB_SERVER_SELECTION_TIMEOUT_MS as the data connection does.
    expect(lines[0]).toMatch(/700 ms/);
    expect(app.stderr() + app.stdout()).not.toContain('s3cret-pw');
    expect(app.stdout()).not.toMatch(/govgate ready/);
  });
});

describe('createGateway', () => {
  it('refuses a configured AUDIT_MONGODB_URI without an audit connection instead of falling back to the data database', async () => {
    const db = await connectTestDatabase(import.meta.url);
    try {
      const { jwksFile } = await createTestIssuer();
      const config = loadConfig({ NODE_ENV: 'test', MONGODB_URI: db.uri, AUTH_JWKS_FILE: jwksFile, AUDIT_MONGODB_URI: 'mongodb://audit.example:27017' });
      await expect(createGateway({ config, connection: db.connection })).rejects.toThrow(/AUDIT_MONGODB_URI/);
      expect((await db.connection.db!.listCollections().toArray()).map((c) => c.name).filter((n) => n.startsWith('audit'))).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
