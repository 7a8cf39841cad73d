/**
 * The retention sweeper (#17) through the pipeline with real tokens on the real database: under the
 * shipped deepailab pack, messages and conversations go once older than 90 days (003 §3) and API
 * usage once older than 365 (003 §6 Log Data); the boundary day is kept, as read-time RETENTION
 * redacts only after it. A kept conversation and its messages stay; transactions (a 7-year legal
 * hold) never go. Each sweep is an INTENT and a SERVED event of the gateway per tenant, with the
 * count per rule and its clause, in a chain that still verifies. One instance sweeps at a time
 * (lease); a pack without sweep rules deletes nothing; with the audit store down nothing is deleted.
 */
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect.js';
import { startJavaMongoServer, type RunningMongoServer } from '../../src/db/java-mongo-server.js';
import { acquireLease, releaseLease } from '../../src/db/lease.js';
import { RETENTION_LEASE } from '../../src/features/retention/retention-sweeper.js';
import {
  AddMessageDocument,
  AuditEventsDocument,
  ConversationDocument,
  KeepConversationDocument,
  RecordApiUsageDocument,
  RecordTransactionDocument,
  RegisterAccountDocument,
  StartConversationDocument,
  VerifyAuditLogDocument,
} from '../generated/graphql.js';
import { testDatabaseName } from '../helpers/database.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { packOver, policyDir } from '../helpers/policy-dir.js';

const DAY = 86_400_000;
const A = 'ret-a';
const B = 'ret-b';
/** When every seeded record was created (each test moves the sweep's clock from here). */
const C = new Date('2030-01-01T00:00:00.000Z');
const at = (days: number, ms = 0): Date => new Date(C.getTime() + days * DAY + ms);

async function register(t: TestGateway, tenant: string, subject: string): Promise<string> {
  const token = await t.token(subject, tenant, ['user']);
  const res = await t.execute(RegisterAccountDocument, { input: { displayName: subject, email: `${subject}@example.test`, birthDate: '1985-05-05', country: 'DE' } }, { token });
  expect(res.errors).toBeUndefined();
  return token;
}

async function conversationWith(t: TestGateway, token: string, messages: number): Promise<string> {
  const started = await t.execute(StartConversationDocument, { title: 'a title' }, { token });
  expect(started.errors).toBeUndefined();
  const id = started.data!.startConversation.id;
  for (let i = 0; i < messages; i += 1) expect((await t.execute(AddMessageDocument, { conversationId: id, role: 'USER', content: `turn ${i}` }, { token })).errors).toBeUndefined();
  return id;
}

/** Sets the stored creation date of every record of the tenant (the driver: mongoose would stamp now). */
async function ageTenant(t: TestGateway, tenant: string, createdAt: Date): Promise<void> {
  for (const collection of ['conversations', 'messages', 'api_usage', 'transactions']) await t.connection.db!.collection(collection).updateMany({ tenant }, { $set: { createdAt } });
}

const ids = async (t: TestGateway, collection: string, filter: Record<string, unknown>): Promise<string[]> =>
  (await t.connection.db!.collection<{ _id: string }>(collection).find(filter, { projection: { _id: 1 } }).toArray()).map((d) => d._id).sort();
const count = (t: TestGateway, collection: string, filter: Record<string, unknown>): Promise<number> => t.connection.db!.collection(collection).countDocuments(filter);

async function sweepEvents(t: TestGateway, tenant: string) {
  const officer = await t.token('officer-oz', tenant, ['compliance_officer']);
  const res = await t.execute(AuditEventsDocument, { filter: { operationName: 'retentionSweep' }, first: 100 }, { token: officer });
  expect(res.errors).toBeUndefined();
  return res.data!.auditEvents.edges.map((e) => e.node);
}

describe('the retention sweeper under deepailab', () => {
  let t: TestGateway;
  let ana: string;
  let gone: string; // both its messages are as old as it
  let kept: string; // the owner keeps it
  let later: string; // one message 10 days younger than the rest
  let bConversation: string;

  beforeAll(async () => {
    t = await startTestGateway({ name: import.meta.url, env: { RETENTION_SWEEP_INTERVAL_S: '0' } });
    ana = await register(t, A, 'ana-ret');
    const service = await t.token('svc', A, ['service']);
    gone = await conversationWith(t, ana, 2);
    kept = await conversationWith(t, ana, 1);
    later = await conversationWith(t, ana, 2);
    expect((await t.execute(RecordApiUsageDocument, { input: { subject: 'ana-ret', operation: 'chat', statusCode: 200, latencyMs: 5 } }, { token: service })).errors).toBeUndefined();
    expect((await t.execute(RecordTransactionDocument, { input: { subject: 'ana-ret', amount: 500, currency: 'EUR', status: 'SUCCEEDED' } }, { token: service })).errors).toBeUndefined();
    const keep = await t.execute(KeepConversationDocument, { id: kept, keep: true }, { token: ana });
    expect(keep.errors).toBeUndefined();
    expect(keep.data!.keepConversation).toEqual({ id: kept, keep: true });
    await ageTenant(t, A, C);
    const youngest = (await ids(t, 'messages', { tenant: A, conversationId: later }))[1]!;
    await t.connection.db!.collection('messages').updateOne({ _id: youngest as never }, { $set: { createdAt: at(10) } });
    // Another tenant, 60 days younger.
    const bo = await register(t, B, 'bo-ret');
    bConversation = await conversationWith(t, bo, 1);
    await ageTenant(t, B, at(60));
  }, 120_000);
  afterAll(() => t?.close());

  it('keeps everything the day before and on the 90th day itself (strictly older goes)', async () => {
    const before = { conversations: await count(t, 'conversations', { tenant: A }), messages: await count(t, 'messages', { tenant: A }) };
    expect(before).toEqual({ conversations: 3, messages: 5 });
    expect(await t.gateway.sweepRetention(at(89))).toEqual({ ran: true, tenants: [], failed: 0 });
    expect(await t.gateway.sweepRetention(at(90))).toEqual({ ran: true, tenants: [], failed: 0 });
    expect({ conversations: await count(t, 'conversations', { tenant: A }), messages: await count(t, 'messages', { tenant: A }) }).toEqual(before);
    expect(await sweepEvents(t, A)).toEqual([]);
  });

  it('does not sweep while another instance holds the lease', async () => {
    const now = at(91);
    expect(await acquireLease(t.connection, RETENTION_LEASE, 'another-instance', 60_000, now)).toBe(true);
    try {
      expect(await t.gateway.sweepRetention(now)).toEqual({ ran: false, tenants: [], failed: 0 });
      expect(await count(t, 'messages', { tenant: A })).toBe(5);
    } finally {
      await releaseLease(t.connection, RETENTION_LEASE, 'another-instance');
    }
  });

  it('the day after: deletes old messages, then conversations with none left; the kept one, younger messages, usage, transactions and the other tenant stay', async () => {
    const result = await t.gateway.sweepRetention(at(91));
    expect(result.ran).toBe(true);
    expect(result.tenants.map((x) => x.tenant)).toEqual([A]);
    expect(await ids(t, 'conversations', { tenant: A })).toEqual([kept, later].sort());
    expect(await count(t, 'messages', { tenant: A, conversationId: gone })).toBe(0);
    expect(await count(t, 'messages', { tenant: A, conversationId: kept })).toBe(1);
    expect(await count(t, 'messages', { tenant: A, conversationId: later })).toBe(1);
    expect(await count(t, 'api_usage', { tenant: A })).toBe(1);
    expect(await count(t, 'transactions', { tenant: A })).toBe(1);
    expect(await ids(t, 'conversations', { tenant: B })).toEqual([bConversation]);
    expect(await count(t, 'messages', { tenant: B })).toBe(1);

    const events = await sweepEvents(t, A);
    expect(events.map((e) => [e.outcome, e.actor.subject, e.actor.roles, e.actor.client])).toEqual([
      ['INTENT', null, [], 'govgate-retention-sweeper'],
      ['SERVED', null, [], 'govgate-retention-sweeper'],
    ]);
    const [intent, served] = events as [(typeof events)[number], (typeof events)[number]];
    // The owner whose records go, as a pseudonym (ana's key exists, so the API maps it back for the officer).
    expect(intent.subjects).toEqual(['ana-ret']);
    expect(JSON.stringify(await t.connection.db!.collection('audit_events').findOne({ _id: intent.id as never }))).not.toContain('ana-ret');
    expect(served.intent).toBe(intent.id);
    const clause = '003 §3 Data Retention: conversation history retained for 90 days, then auto-deleted';
    expect(served.effects).toEqual([
      { collection: 'messages', action: 'DELETED', count: 3, category: 'user.content.private', days: 90, source: clause },
      { collection: 'conversations', action: 'DELETED', count: 1, category: 'user.content.private', days: 90, source: clause },
    ]);
    expect(intent.effects).toEqual([]);
    expect(await sweepEvents(t, B)).toEqual([]);
    const officer = await t.token('officer-oz', A, ['compliance_officer']);
    expect((await t.execute(VerifyAuditLogDocument, {}, { token: officer })).data!.verifyAuditLog.ok).toBe(true);
  });

  it('keep suspends deletion, not redaction: a service reading the kept conversation past 90 days gets its content redacted', async () => {
    const svc = await t.token('svc', A, ['service']);
    const res = await t.execute(ConversationDocument, { id: kept }, { token: svc, headers: { 'x-purpose': 'essential.service' } });
    expect(res.errors).toBeUndefined();
    // The stored dates are in 2030: for the wall clock they are not old. Age them for real to see redaction.
    await t.connection.db!.collection('messages').updateMany({ tenant: A, conversationId: kept }, { $set: { createdAt: new Date(Date.now() - 100 * DAY) } });
    const old = await t.execute(ConversationDocument, { id: kept }, { token: svc, headers: { 'x-purpose': 'essential.service' } });
    expect(old.data!.conversation!.messages.map((m) => m.content)).toEqual([null]);
    await t.connection.db!.collection('messages').updateMany({ tenant: A, conversationId: kept }, { $set: { createdAt: C } });
  });

  it('the rest goes once past its own period: the younger message and its conversation after 100 days, usage after 365; un-keeping lets the kept one go', async () => {
    expect((await t.gateway.sweepRetention(at(100))).tenants).toEqual([]);
    const next = await t.gateway.sweepRetention(at(101));
    expect(next.tenants.map((x) => [x.tenant, x.effects.map((e) => [e.collection, e.count])])).toEqual([
      [A, [['messages', 1], ['conversations', 1]]],
    ]);
    expect(await ids(t, 'conversations', { tenant: A })).toEqual([kept]);
    expect((await t.execute(KeepConversationDocument, { id: kept, keep: false }, { token: ana })).data!.keepConversation).toEqual({ id: kept, keep: false });
    expect((await t.gateway.sweepRetention(at(365))).tenants.map((x) => x.tenant)).toEqual([A, B]);
    expect(await count(t, 'conversations', { tenant: A })).toBe(0);
    expect(await count(t, 'messages', { tenant: A })).toBe(0);
    expect(await count(t, 'conversations', { tenant: B })).toBe(0);
    // 365 days exactly: kept; the day after: gone.
    expect(await count(t, 'api_usage', { tenant: A })).toBe(1);
    const logs = await t.gateway.sweepRetention(at(366));
    expect(logs.tenants).toEqual([
      { tenant: A, effects: [{ collection: 'api_usage', action: 'DELETED', count: 1, category: 'user.behavior', days: 365, source: '003 §6 Log Data: retained 12 months' }] },
    ]);
    expect(await count(t, 'api_usage', { tenant: A })).toBe(0);
  });

  it('never deletes transactions (user.financial, a 7-year legal-hold floor), even 20 years on', async () => {
    await t.gateway.sweepRetention(at(7300));
    expect(await count(t, 'transactions', { tenant: A })).toBe(1);
    const officer = await t.token('officer-oz', A, ['compliance_officer']);
    expect((await t.execute(VerifyAuditLogDocument, {}, { token: officer })).data!.verifyAuditLog.ok).toBe(true);
  });

  it('keepConversation is the owner\'s: anyone else gets the not-found answer of addMessage', async () => {
    const mine = await conversationWith(t, ana, 0);
    const eve = await register(t, A, 'eve-ret');
    const other = await t.execute(KeepConversationDocument, { id: mine, keep: true }, { token: eve });
    const missing = await t.execute(KeepConversationDocument, { id: '0190a0b0-0000-7000-8000-000000000000', keep: true }, { token: eve });
    const addMessage = await t.execute(AddMessageDocument, { conversationId: mine, role: 'USER', content: 'x' }, { token: eve });
    for (const res of [other, missing]) {
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toBe(addMessage.errors?.[0]?.message);
    }
    expect(await count(t, 'conversations', { _id: mine, keep: true })).toBe(0);
  });
});

describe('a pack without sweep rules', () => {
  let t: TestGateway;
  beforeAll(async () => {
    // ihuman's stand-in: base's rules, no sweep anywhere.
    const dir = await policyDir({ packs: { ihuman: packOver('ihuman', { retention: [{ category: 'user.content.private', days: 30, kind: 'max', source: 'test: at most 30 days, redacted only' }] }) } });
    t = await startTestGateway({ name: `${import.meta.url}#nosweep`, env: { POLICY_DIR: dir, POLICY_PACK: 'ihuman', RETENTION_SWEEP_INTERVAL_S: '0' } });
  }, 60_000);
  afterAll(() => t?.close());

  it('deletes nothing, however old, and refuses keepConversation with a stable reason', async () => {
    const token = await register(t, A, 'nia-ret');
    const id = await conversationWith(t, token, 1);
    await ageTenant(t, A, C);
    expect(await t.gateway.sweepRetention(at(10_000))).toEqual({ ran: false, tenants: [], failed: 0 });
    expect(await count(t, 'conversations', { tenant: A })).toBe(1);
    expect(await count(t, 'messages', { tenant: A })).toBe(1);
    const res = await t.execute(KeepConversationDocument, { id, keep: true }, { token });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NOT_KEEPABLE' });
  });
});

describe('with the audit store down', () => {
  let b: RunningMongoServer;
  let auditConnection: Connection;
  let t: TestGateway;
  beforeAll(async () => {
    b = await startJavaMongoServer();
    auditConnection = await connectDatabase({ uri: b.uri, dbName: testDatabaseName(`${import.meta.url}#audit`), writeConcern: 1, serverSelectionTimeoutMS: 1000 });
    t = await startTestGateway({
      name: `${import.meta.url}#outage`,
      auditConnection,
      env: { AUDIT_MONGODB_URI: b.uri, AUDIT_WRITE_TIMEOUT_MS: '1500', MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000', RETENTION_SWEEP_INTERVAL_S: '0' },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await auditConnection?.close().catch(() => undefined);
    await b?.stop();
  });

  it('deletes nothing when the INTENT cannot be written (fail closed), and sweeps once the store is back', { timeout: 60_000 }, async () => {
    const token = await register(t, A, 'ota-ret');
    await conversationWith(t, token, 2);
    await ageTenant(t, A, C);
    await b.stop();
    const result = await t.gateway.sweepRetention(at(91));
    expect(result).toMatchObject({ ran: true, tenants: [], failed: 1 });
    expect(await count(t, 'messages', { tenant: A })).toBe(2);
    expect(await count(t, 'conversations', { tenant: A })).toBe(1);
    b = await startJavaMongoServer({ port: b.port });
    let after = result;
    for (let i = 0; i < 50 && after.tenants.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await t.gateway.sweepRetention(at(91));
    }
    expect(after.tenants.map((x) => x.tenant)).toEqual([A]);
    expect(await count(t, 'messages', { tenant: A })).toBe(0);
  });
});
