/**
 * GDPR Art. 17 through the pipeline with real tokens: eraseMyAccount under the shipped deepailab
 * pack (no grace period; transactions under 003 §6's 7-year legal hold) leaves no record naming the
 * subject in any collection of the database, destroys their data key (old ciphertexts no longer
 * open), keeps the audit chain verifiable with the subject's old events unlinkable, keeps their
 * transactions anonymised, and returns a receipt signed with the published audit key. Under a pack
 * with a grace period the account is PENDING (nothing about it leaves) until the sweeper completes
 * it; deleteMyConversations deletes conversations with their messages, audited.
 */
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddAgentKnowledgeDocument,
  AddMessageDocument,
  AuditEventsDocument,
  CreateAgentDocument,
  CreateMediaUploadDocument,
  DeleteMyConversationsDocument,
  EraseMyAccountDocument,
  GrantConsentDocument,
  MeDocument,
  RecordApiUsageDocument,
  RecordTransactionDocument,
  RegisterAccountDocument,
  StartConversationDocument,
  UserDocument,
  VerifyAuditLogDocument,
} from '../generated/graphql.js';
import { eventually } from '../helpers/eventually.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { policyDir } from '../helpers/policy-dir.js';
import { subjectRef } from '../helpers/subject-ref.js';
import { decryptField, subjectKeysOf } from '../../src/keys/index.js';

const tenant = 'erasure';
const ERIN = 'erasable-erin-q7x';
const ERIN_EMAIL = 'erin.q7x@example.test';

/** Every document of every collection of the database (audit, keys and DSR log included) that mentions `needle`. */
async function documentsNaming(t: TestGateway, needle: string): Promise<string[]> {
  const db = t.connection.db!;
  const found: string[] = [];
  for (const { name } of await db.listCollections().toArray()) {
    for (const doc of await db.collection(name).find({}).toArray()) {
      if (JSON.stringify(doc).includes(needle)) found.push(`${name}/${String(doc._id)}`);
    }
  }
  return found;
}

async function register(t: TestGateway, token: string, name: string, email: string): Promise<string> {
  const res = await t.execute(RegisterAccountDocument, { input: { displayName: name, email, birthDate: '1988-02-03', country: 'DE' } }, { token });
  expect(res.errors).toBeUndefined();
  return res.data!.registerAccount.id;
}

async function verifyReceipt(t: TestGateway, receipt: string): Promise<Record<string, unknown>> {
  const jwks = (await (await t.fetch('/.well-known/jwks.json')).json()) as JSONWebKeySet;
  const { payload } = await compactVerify(receipt, createLocalJWKSet(jwks));
  expect(decodeProtectedHeader(receipt).typ).toBe('govgate-erasure-receipt+jws');
  return JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
}

describe('eraseMyAccount without a grace period (deepailab)', () => {
  let t: TestGateway;
  let erin: string;
  let admin: string;
  let officer: string;
  let erinId: string;
  let erinRef: string;
  let message: { _id: string; content: string };

  beforeAll(async () => {
    t = await startTestGateway({ name: import.meta.url });
    erin = await t.token(ERIN, tenant, ['user', 'developer']);
    admin = await t.token('admin-ada', tenant, ['tenant_admin']);
    officer = await t.token('officer-olga', tenant, ['compliance_officer']);
    const service = await t.token('svc-billing', tenant, ['service']);
    erinId = await register(t, erin, 'Erin', ERIN_EMAIL);
    expect((await t.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token: erin })).errors).toBeUndefined();
    const conversation = await t.execute(StartConversationDocument, { title: 'erin private title' }, { token: erin });
    const conversationId = conversation.data!.startConversation.id;
    expect((await t.execute(AddMessageDocument, { conversationId, role: 'USER', content: 'erin secret message' }, { token: erin })).errors).toBeUndefined();
    const agent = await t.execute(CreateAgentDocument, { name: 'erin-bot', instructions: 'be erin' }, { token: erin });
    expect(agent.errors).toBeUndefined();
    expect((await t.execute(AddAgentKnowledgeDocument, { agentId: agent.data!.createAgent.id, title: 'k', content: 'erin knowledge' }, { token: erin })).errors).toBeUndefined();
    expect((await t.execute(CreateMediaUploadDocument, { input: { kind: 'IMAGE', contentType: 'image/png', location: 'https://cdn.example.test/erin.png' } }, { token: erin })).errors).toBeUndefined();
    expect((await t.execute(RecordTransactionDocument, { input: { subject: ERIN, amount: 1299, currency: 'EUR', status: 'SUCCEEDED' } }, { token: service })).errors).toBeUndefined();
    expect((await t.execute(RecordApiUsageDocument, { input: { subject: ERIN, operation: 'chat', statusCode: 200, latencyMs: 42 } }, { token: service })).errors).toBeUndefined();
    message = (await t.connection.db!.collection<{ _id: string; content: string }>('messages').findOne({ tenant, owner: ERIN }))!;
    expect(message.content).not.toContain('erin secret');
    erinRef = await subjectRef(t.connection, tenant, ERIN);
  }, 90_000);

  afterAll(async () => {
    await t?.close();
  });

  it('refuses without confirm: true (BAD_USER_INPUT), changing nothing', async () => {
    const res = await t.execute(EraseMyAccountDocument, { confirm: false }, { token: erin });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await t.connection.db!.collection('users').countDocuments({ tenant, subject: ERIN })).toBe(1);
  });

  it('completes in the request: nothing in the database names the subject or their e-mail afterwards', async () => {
    expect((await documentsNaming(t, ERIN)).length).toBeGreaterThan(0);
    const res = await t.execute(EraseMyAccountDocument, { confirm: true }, { token: erin });
    expect(res.errors).toBeUndefined();
    const receipt = res.data!.eraseMyAccount;
    expect(receipt).toMatchObject({ subjectId: ERIN, status: 'COMPLETED' });
    expect(receipt.erasedAt).not.toBeNull();
    expect(receipt.auditId).toEqual(expect.any(String));
    const deleted = Object.fromEntries(receipt.deleted.map((d) => [d.collection, d.count]));
    expect(deleted).toMatchObject({ users: 1, conversations: 1, messages: 1, agents: 1, agent_knowledge: 1, media_uploads: 1, api_usage: 1, consents: 1, subject_keys: 1 });
    expect(receipt.kept).toEqual([{ collection: 'transactions', count: 1, reason: expect.any(String), source: '003 §6 Transaction Records: retained for at least 7 years' }]);
    expect(await documentsNaming(t, ERIN)).toEqual([]);
    expect(await documentsNaming(t, ERIN_EMAIL)).toEqual([]);
  });

  it('destroyed the data key: the old ciphertext opens under no key the store has', async () => {
    expect(await t.connection.db!.collection('subject_keys').countDocuments({ tenant, subject: ERIN })).toBe(0);
    expect((await subjectKeysOf(t.connection).existing(tenant, [ERIN])).size).toBe(0);
    const place = { tenant, owner: ERIN, field: 'messages.content', recordId: message._id };
    // What the store would hand out now is a throwaway key: the captured ciphertext does not open under it.
    const { key } = await subjectKeysOf(t.connection).keyFor(tenant, ERIN);
    expect(decryptField(key, place, message.content)).toBeNull();
    expect(await t.connection.db!.collection('subject_keys').countDocuments({ tenant, subject: ERIN })).toBe(0);
  });

  it('keeps the legal-hold transaction anonymised: owner the unlinkable pseudonym, only amount, currency and status', async () => {
    const rows = await t.connection.db!.collection('transactions').find({ tenant }).toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ owner: erinRef, amount: 1299, currency: 'EUR', status: 'SUCCEEDED' });
    expect(Object.keys(rows[0]!).sort()).toEqual(['_id', 'amount', 'createdAt', 'currency', 'owner', 'status', 'tenant']);
  });

  it('the audit log still verifies; filtering by the subject finds nothing; their old events show only the pseudonym', async () => {
    const verified = await t.execute(VerifyAuditLogDocument, {}, { token: officer });
    expect(verified.data!.verifyAuditLog.ok).toBe(true);
    for (const filter of [{ subject: ERIN }, { actor: ERIN }]) {
      const res = await t.execute(AuditEventsDocument, { filter, first: 100 }, { token: officer });
      expect(res.data!.auditEvents.edges).toEqual([]);
    }
    const old = await t.execute(AuditEventsDocument, { filter: { actor: erinRef }, first: 100 }, { token: officer });
    const events = old.data!.auditEvents.edges.map((e) => e.node);
    expect(events.length).toBeGreaterThan(3);
    expect(events.map((e) => e.actor.subject)).toEqual(events.map(() => erinRef));
    expect(events.some((e) => e.operationName === 'EraseMyAccount' && e.outcome === 'INTENT')).toBe(true);
  });

  it('the subject reads as missing: their token\'s me is null, user(id) is null to an admin', async () => {
    const me = await t.execute(MeDocument, undefined, { token: erin });
    expect(me.data?.me ?? null).toBeNull();
    const user = await t.execute(UserDocument, { id: erinId }, { token: admin });
    expect(user.data?.user ?? null).toBeNull();
    // ...and those requests named the subject by a throwaway pseudonym, creating no key record.
    expect(await documentsNaming(t, ERIN)).toEqual([]);
  });

  it('a new account under the erased subject (same instance, within the day) gets a real key: its content reads back', async () => {
    const again = await t.token(ERIN, tenant, ['user']);
    await register(t, again, 'Erin again', 'erin.again@example.test');
    const c = await t.execute(StartConversationDocument, { title: 'erin new title' }, { token: again });
    expect(c.errors).toBeUndefined();
    expect(c.data!.startConversation.title).toBe('erin new title');
    expect(await t.connection.db!.collection('subject_keys').countDocuments({ tenant, subject: ERIN })).toBe(1);
    expect((await t.execute(EraseMyAccountDocument, { confirm: true }, { token: again })).data!.eraseMyAccount.status).toBe('COMPLETED');
  });

  it('the receipt is a JWS signed by a key of /.well-known/jwks.json', async () => {
    const other = await t.token('erasable-eve-2', tenant, ['user']);
    await register(t, other, 'Eve', 'eve2@example.test');
    const res = await t.execute(EraseMyAccountDocument, { confirm: true }, { token: other });
    const payload = await verifyReceipt(t, res.data!.eraseMyAccount.receipt);
    expect(payload).toMatchObject({ subjectId: 'erasable-eve-2', tenant, status: 'COMPLETED', pack: { name: 'deepailab' }, auditId: res.data!.eraseMyAccount.auditId });
    expect(payload.subjectRef).toMatch(/^sr_/);
    expect(payload.deleted).toMatchObject({ users: 1 });
    expect(payload.kept).toEqual([expect.objectContaining({ collection: 'transactions', count: 0 })]);
  });
});

describe('deleteMyConversations', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ name: `${import.meta.url}#conversations` });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('deletes the caller\'s conversations and their messages, not others\'; audited with an INTENT first', async () => {
    const bob = await t.token('bob', tenant, ['user']);
    const cleo = await t.token('cleo', tenant, ['user']);
    await register(t, bob, 'Bob', 'bob@example.test');
    await register(t, cleo, 'Cleo', 'cleo@example.test');
    for (const [token, n] of [[bob, 2], [cleo, 1]] as const) {
      for (let i = 0; i < n; i += 1) {
        const c = await t.execute(StartConversationDocument, { title: `c${i}` }, { token });
        await t.execute(AddMessageDocument, { conversationId: c.data!.startConversation.id, role: 'USER', content: 'hi' }, { token });
      }
    }
    const res = await t.execute(DeleteMyConversationsDocument, undefined, { token: bob });
    expect(res.errors).toBeUndefined();
    expect(res.data!.deleteMyConversations).toBe(2);
    const db = t.connection.db!;
    expect(await db.collection('conversations').countDocuments({ tenant, owner: 'bob' })).toBe(0);
    expect(await db.collection('messages').countDocuments({ tenant, owner: 'bob' })).toBe(0);
    expect(await db.collection('conversations').countDocuments({ tenant, owner: 'cleo' })).toBe(1);
    const officer = await t.token('officer', tenant, ['compliance_officer']);
    const events = await t.execute(AuditEventsDocument, { filter: { actor: 'bob', operationName: 'DeleteMyConversations' }, first: 10 }, { token: officer });
    expect(events.data!.auditEvents.edges.map((e) => e.node.outcome)).toEqual(['INTENT', 'SERVED']);
    expect((await t.execute(DeleteMyConversationsDocument, undefined, { token: bob })).data!.deleteMyConversations).toBe(0);
  });
});

describe('eraseMyAccount with a grace period', () => {
  let t: TestGateway;
  let clockShift = 0;
  const GINA = 'erasable-gina-55';
  beforeAll(async () => {
    const dir = await policyDir({ deepailab: (pack) => void ((pack.erasure as { graceDays: number }).graceDays = 7) });
    // The gateway's own sweeper runs every second on a clock the test can move past the grace period.
    t = await startTestGateway({ name: `${import.meta.url}#grace`, env: { POLICY_DIR: dir, ERASURE_SWEEP_INTERVAL_S: '1' }, clock: () => new Date(Date.now() + clockShift) });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('is PENDING: nothing about the subject leaves meanwhile; the sweeper completes it once due, audited as the gateway', async () => {
    const gina = await t.token(GINA, tenant, ['user']);
    const admin = await t.token('admin', tenant, ['tenant_admin']);
    const id = await register(t, gina, 'Gina', 'gina55@example.test');
    expect((await t.execute(UserDocument, { id }, { token: admin })).data!.user).toMatchObject({ displayName: 'Gina', email: 'gina55@example.test' });
    const before = Date.now();
    const res = await t.execute(EraseMyAccountDocument, { confirm: true }, { token: gina });
    expect(res.errors).toBeUndefined();
    const receipt = res.data!.eraseMyAccount;
    expect(receipt).toMatchObject({ status: 'PENDING', erasedAt: null, deleted: [], kept: [] });
    expect(new Date(receipt.dueAt).getTime()).toBeGreaterThanOrEqual(before + 7 * 86_400_000 - 1000);
    expect((await verifyReceipt(t, receipt.receipt)).status).toBe('PENDING');
    const during = (await t.execute(UserDocument, { id }, { token: admin })).data!.user;
    expect(during?.displayName).not.toBe('Gina');
    expect(during?.email).not.toBe('gina55@example.test');
    expect(await t.connection.db!.collection('users').findOne({ tenant, subject: GINA })).toMatchObject({ erasure: 'ERASURE_PENDING' });
    // A second request while pending is refused.
    expect((await t.execute(EraseMyAccountDocument, { confirm: true }, { token: gina })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    expect(await t.gateway.sweepErasures(new Date())).toBe(0);
    expect(await t.gateway.sweepErasures(new Date(Date.now() + 8 * 86_400_000))).toBe(1);
    expect(await documentsNaming(t, GINA)).toEqual([]);
    expect(await documentsNaming(t, 'gina55@example.test')).toEqual([]);
    const officer = await t.token('officer', tenant, ['compliance_officer']);
    const sweeps = await t.execute(AuditEventsDocument, { filter: { operationName: 'eraseAccount' }, first: 10 }, { token: officer });
    const events = sweeps.data!.auditEvents.edges.map((e) => e.node);
    expect(events.map((e) => [e.outcome, e.actor.subject, e.actor.roles])).toEqual([
      ['INTENT', null, []],
      ['SERVED', null, []],
    ]);
    expect(events[0]!.subjects).toEqual([expect.stringMatching(/^sr_/)]);
    expect((await t.execute(VerifyAuditLogDocument, {}, { token: officer })).data!.verifyAuditLog.ok).toBe(true);
  });

  it('the gateway\'s own sweeper (ERASURE_SWEEP_INTERVAL_S) completes an erasure once due', async () => {
    const hank = await t.token('erasable-hank-9', tenant, ['user']);
    await register(t, hank, 'Hank', 'hank9@example.test');
    expect((await t.execute(EraseMyAccountDocument, { confirm: true }, { token: hank })).data!.eraseMyAccount.status).toBe('PENDING');
    // Meanwhile the sweeper leaves the account alone...
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await t.connection.db!.collection('users').findOne({ tenant, subject: 'erasable-hank-9' })).toMatchObject({ erasure: 'ERASURE_PENDING' });
    // ...until its clock passes the sealed due date (as if 8 days passed).
    clockShift = 8 * 86_400_000;
    expect(await eventually(async () => (await t.connection.db!.collection('users').countDocuments({ tenant, subject: 'erasable-hank-9' })) === 0, 10_000)).toBe(true);
    expect(await eventually(async () => (await documentsNaming(t, 'erasable-hank-9')).length === 0, 5_000)).toBe(true);
  });
});
