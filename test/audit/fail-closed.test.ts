/**
 * Fail closed: when the audit event of a request cannot be persisted, the response is replaced by
 * HTTP 503 AUDIT_UNAVAILABLE and no personal value leaves; when the audit store returns, the same
 * gateway serves again without a restart and its chain continues in a new, linked segment.
 *
 * Real database servers are stopped here (separate mongo-java-server processes), nothing is mocked.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventDoc } from '../../src/audit/index.js';
import { loadConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/connect.js';
import { startJavaMongoServer, type RunningMongoServer } from '../../src/db/java-mongo-server.js';
import { registerModels } from '../../src/db/register-models.js';
import { userModel } from '../../src/features/users/index.js';
import { createGateway, type Gateway } from '../../src/server.js';
import { MeDocument, PolicyDocument, RegisterAccountDocument, VerifyAuditLogDocument } from '../generated/graphql.js';
import { createTestIssuer, TEST_AUDIENCE, TEST_ISSUER, type TestIssuer } from '../helpers/auth.js';
import { testDatabaseName, testMongoUri } from '../helpers/database.js';

const WRITE_TIMEOUT_MS = 1500;
const SELECTION_TIMEOUT_MS = 1000;

interface Reply<T> {
  status: number;
  body: string;
  json: ExecutionResult<T> & { extensions?: Record<string, unknown> };
}

interface Harness {
  readonly gateway: Gateway;
  readonly data: Connection;
  readonly audit: Connection;
  readonly issuer: TestIssuer;
  token(sub: string, tenant: string, roles: string[]): Promise<string>;
  execute<R, V>(document: TypedDocumentNode<R, V>, variables: V, token: string): Promise<Reply<R>>;
  close(options: { drop: boolean }): Promise<void>;
}

/**
 * A gateway built the way test/helpers/gateway.ts builds one, but with its data and audit
 * connections chosen here, short audit timeouts and a fixed instance id.
 */
async function startHarness(options: { dataUri: string; auditUri?: string; instanceId: string }): Promise<Harness> {
  const issuer = await createTestIssuer();
  const config = loadConfig({
    NODE_ENV: 'test',
    MONGODB_URI: options.dataUri,
    MONGODB_DB_NAME: testDatabaseName(import.meta.url),
    AUTH_JWKS_FILE: issuer.jwksFile,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    AUDIT_WRITE_TIMEOUT_MS: String(WRITE_TIMEOUT_MS),
    MONGODB_SERVER_SELECTION_TIMEOUT_MS: String(SELECTION_TIMEOUT_MS),
    ...(options.auditUri ? { AUDIT_MONGODB_URI: options.auditUri } : {}),
  });
  const connect = (uri: string, dbName: string) =>
    connectDatabase({ uri, dbName, writeConcern: config.mongo.writeConcern, serverSelectionTimeoutMS: config.mongo.serverSelectionTimeoutMS });
  const data = await connect(options.dataUri, config.mongo.dbName);
  const audit = options.auditUri ? await connect(options.auditUri, `${config.mongo.dbName}_audit`) : data;
  await registerModels(data);
  const gateway = await createGateway({ config, connection: data, auditConnection: audit, instanceId: options.instanceId });

  return {
    gateway,
    data,
    audit,
    issuer,
    token: (sub, tenant, roles) => issuer.token({ sub, tenant, roles }),
    async execute(document, variables, token) {
      const response = await gateway.yoga.fetch('http://govgate.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: print(document), variables }),
      });
      const body = await response.text();
      return { status: response.status, body, json: JSON.parse(body) as Reply<never>['json'] };
    },
    async close({ drop }) {
      await gateway.close();
      for (const connection of new Set([data, audit])) {
        if (drop) await connection.dropDatabase().catch(() => undefined);
        await connection.close().catch(() => undefined);
      }
    },
  };
}

async function pollUntil<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<{ value: T; attempts: number }> {
  const deadline = Date.now() + timeoutMs;
  for (let attempts = 1; ; attempts += 1) {
    const value = await attempt();
    if (value !== undefined) return { value, attempts };
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const alice = { displayName: 'Alice Failclosed', email: 'alice.failclosed@example.com', phone: '+33 6 98 76 54 32' };

function expectWithheld(reply: Reply<unknown>, values: string[]): void {
  expect(reply.status).toBe(503);
  expect(reply.json.errors?.[0]?.extensions?.code).toBe('AUDIT_UNAVAILABLE');
  expect(reply.json.data ?? null).toBeNull();
  expect(reply.json.extensions?.governance).toBeUndefined();
  for (const value of values) expect(reply.body).not.toContain(value);
}

describe('(a) the audit log on its own database server', () => {
  const tenant = 'failclosed-a';
  const instanceId = 'fail-closed-a';
  let b: RunningMongoServer;
  let h: Harness;
  let userToken: string;
  let officerToken: string;
  const epoch0 = `${instanceId}:${tenant}:0`;

  beforeAll(async () => {
    b = await startJavaMongoServer();
    h = await startHarness({ dataUri: testMongoUri(), auditUri: b.uri, instanceId });
    await userModel(h.data).create({ tenant, subject: 'alice', ...alice, birthDate: new Date('1988-05-06'), country: 'FR', policyVersion: h.gateway.pack.version });
    userToken = await h.token('alice', tenant, ['user']);
    officerToken = await h.token('otto', tenant, ['compliance_officer']);
  });

  afterAll(async () => {
    await h?.close({ drop: true });
    await b?.stop();
  });

  it('serves, withholds while the audit server is down, and recovers without a restart on a linked chain segment', { timeout: 90_000 }, async () => {
    // 1. Serving: data on the test server, audit events on B.
    for (let i = 0; i < 3; i += 1) {
      const ok = await h.execute(MeDocument, {}, userToken);
      expect(ok.status).toBe(200);
      expect(ok.json.data?.me).toMatchObject({ id: 'alice', email: alice.email, displayName: alice.displayName });
    }
    const before = await h.gateway.audit.store.events.find({ tenant }).sort({ seq: 1 }).toArray();
    expect(before.map((e) => [e.chainId, e.seq])).toEqual([[epoch0, 1], [epoch0, 2], [epoch0, 3]]);
    expect(await h.data.collection('audit_events').countDocuments()).toBe(0);
    const lastAcked = before.at(-1) as AuditEventDoc;

    // 2. B goes away: a governed read is withheld, with no value of Alice's in the body.
    await b.stop();
    const started = Date.now();
    const down = await h.execute(MeDocument, {}, userToken);
    const withheldAfterMs = Date.now() - started;
    expectWithheld(down, [alice.email, alice.displayName, alice.phone, 'Failclosed', 'alice.failclosed']);
    expect(withheldAfterMs).toBeLessThan(WRITE_TIMEOUT_MS + 2000);

    // Concurrent requests during the outage fail closed too, every one of them.
    const burst = await Promise.all(Array.from({ length: 5 }, () => h.execute(MeDocument, {}, userToken)));
    for (const reply of burst) expectWithheld(reply, [alice.email, alice.displayName]);

    // What touches no governed data needs no audit event and keeps flowing.
    const policy = await h.execute(PolicyDocument, {}, userToken);
    expect(policy.status).toBe(200);
    expect(policy.json.data?.policy.pack).toBe(h.gateway.pack.name);

    // 3. B comes back on the same port (empty: mongo-java-server keeps nothing in memory across a
    // restart); the same gateway serves again once the driver has reconnected.
    b = await startJavaMongoServer({ port: b.port });
    const { value: recovered, attempts } = await pollUntil('the gateway to serve again', async () => {
      const reply = await h.execute(MeDocument, {}, userToken);
      if (reply.status === 200) return reply;
      expectWithheld(reply, [alice.email, alice.displayName]);
      return undefined;
    });
    expect(recovered.json.data?.me?.email).toBe(alice.email);
    const auditId = (recovered.json.extensions?.governance as { auditId: string }).auditId;

    // 4. The acknowledged event of the recovered request starts a new segment that names the last
    // event acknowledged before the failure.
    const served = await h.gateway.audit.store.events.findOne({ _id: auditId });
    expect(served).not.toBeNull();
    const segment = served?.chainId ?? '';
    expect(segment).toMatch(new RegExp(`^${instanceId}:${tenant}:(\\d+)$`));
    expect(segment).not.toBe(epoch0);
    expect(served?.seq).toBe(1);
    expect(served?.continues).toEqual({ chainId: epoch0, seq: lastAcked.seq, hash: lastAcked.hash });
    // Failed attempts rotated the chain without acknowledging anything: the link is carried over.
    expect(Number(segment.split(':').at(-1))).toBeGreaterThanOrEqual(1);
    console.error(`[fail-closed] withheld after ${withheldAfterMs} ms; served again after ${attempts} attempt(s) in segment ${segment}`);

    // 5. More traffic, then the whole log of the tenant verifies.
    for (let i = 0; i < 3; i += 1) expect((await h.execute(MeDocument, {}, userToken)).status).toBe(200);
    const stored = await h.gateway.audit.store.events.find({ tenant }).sort({ chainId: 1, seq: 1 }).toArray();
    expect(stored.filter((e) => e.chainId === segment).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(stored.filter((e) => e.chainId === segment && e.seq > 1).every((e) => e.continues === null)).toBe(true);
    // Server B keeps its data in memory: the segment written before the outage died with it, and
    // verification must say so rather than vouch for the surviving segment alone — the witness
    // outside the database still holds its head, and the new segment names it.
    const verification = await h.execute(VerifyAuditLogDocument, {}, officerToken);
    expect(verification.status).toBe(200);
    const result = verification.json.data!.verifyAuditLog;
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'CHAIN_MISSING', chainId: epoch0, detail: 'this instance saw 3 events of this chain; the store has none' }),
        expect.objectContaining({ kind: 'SEGMENT_BROKEN', chainId: segment, seq: 1, detail: expect.stringContaining(`previous segment ${epoch0} is missing`) }),
      ]),
    );
  });
});

describe('(b) a single database', () => {
  const tenant = 'failclosed-b';
  let c: RunningMongoServer;
  let h: Harness;
  let userToken: string;

  beforeAll(async () => {
    c = await startJavaMongoServer();
    h = await startHarness({ dataUri: c.uri, instanceId: 'fail-closed-b' });
    await userModel(h.data).create({ tenant, subject: 'bruno', displayName: 'Bruno Solo', email: 'bruno.solo@example.com', phone: '+39 333 123 4567', birthDate: new Date('1979-09-10'), country: 'IT', policyVersion: h.gateway.pack.version });
    userToken = await h.token('bruno', tenant, ['user']);
  }, 60_000);

  afterAll(async () => {
    await h?.close({ drop: false });
    await c?.stop();
  });

  const values = ['bruno.solo@example.com', 'Bruno Solo', '+39 333 123 4567', 'bruno.solo'];

  it('serves while its database is up', async () => {
    const ok = await h.execute(MeDocument, {}, userToken);
    expect(ok.status).toBe(200);
    expect(ok.json.data?.me?.email).toBe('bruno.solo@example.com');
    await c.stop();
  });

  it('a governed mutation (registerAccount) → 503 AUDIT_UNAVAILABLE, no personal value', async () => {
    const register = await h.execute(
      RegisterAccountDocument,
      { input: { displayName: 'Carla Late', email: 'carla.late@example.com', birthDate: '1990-01-01', country: 'IT' } },
      await h.token('carla', tenant, ['user']),
    );
    expectWithheld(register, [...values, 'carla.late@example.com', 'Carla Late']);
  });

  it('an audited compliance query (verifyAuditLog) → 503 AUDIT_UNAVAILABLE', async () => {
    const verify = await h.execute(VerifyAuditLogDocument, {}, await h.token('olivia', tenant, ['compliance_officer']));
    expectWithheld(verify, values);
  });

  it('a governed query (me) leaks no personal value', async () => {
    const me = await h.execute(MeDocument, {}, userToken);
    for (const value of values) expect(me.body).not.toContain(value);
    expect(me.json.data?.me ?? null).toBeNull();
  });

  // Fails on src as of this writing: use-governance.ts skips the audit append for a query whose
  // governed fields were selected but never resolved (the user load itself failed), so the attempt
  // is not recorded and the client gets HTTP 200 INTERNAL_SERVER_ERROR instead of 503 AUDIT_UNAVAILABLE.
  it('a governed query (me) → 503 AUDIT_UNAVAILABLE', async () => {
    const me = await h.execute(MeDocument, {}, userToken);
    expectWithheld(me, values);
  });
});
