import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/connect.js';
import { registerModels } from '../../src/db/register-models.js';
import { createGateway, type Gateway } from '../../src/server.js';
import {
  AddMessageDocument,
  AuditEventsDocument,
  EvidenceBundleDocument,
  MeDocument,
  RecordOfProcessingDocument,
  RegisterAccountDocument,
  StartConversationDocument,
  UserDocument,
  VerifyAuditLogDocument,
} from '../generated/graphql.js';
import { createTestIssuer, TEST_AUDIENCE, TEST_ISSUER, type TestIssuer } from '../helpers/auth.js';
import { testDatabaseName, testMongoUri } from '../helpers/database.js';
import { cleanEnv, spawnTs } from '../helpers/spawn.js';
import type { Connection } from 'mongoose';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { subjectRef } from '../helpers/subject-ref.js';

// A gateway built by hand so its logger can be captured (canary test) at the most verbose level.
const CANARY = 'CANARY-7f3a';
const logLines: string[] = [];
let gateway: Gateway;
let connection: Connection;
let issuer: TestIssuer;

async function call<R, V>(doc: TypedDocumentNode<R, V>, variables: V, token?: string, headers: Record<string, string> = {}) {
  const res = await gateway.yoga.fetch(new URL('http://govgate.test/graphql'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query: print(doc), variables }),
  });
  return { status: res.status, ...((await res.json()) as { data?: R; errors?: { message: string; extensions?: { code?: string } }[]; extensions?: { governance?: { auditId: string } } }) };
}
const token = (sub: string, tenant: string, roles: string[]) => issuer.token({ sub, tenant, roles });
/** Every file's text under a directory. */
async function readTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'utf8')));
}

beforeAll(async () => {
  issuer = await createTestIssuer();
  const uri = testMongoUri();
  const config = loadConfig({
    NODE_ENV: 'test', MONGODB_URI: uri, MONGODB_DB_NAME: testDatabaseName(import.meta.url), AUTH_JWKS_FILE: issuer.jwksFile,
    AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE, AUDIT_CHECKPOINT_EVERY: '3', LOG_LEVEL: 'trace',
  });
  connection = await connectDatabase({ uri, dbName: config.mongo.dbName, writeConcern: 1 });
  await registerModels(connection);
  const sink = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
  gateway = await createGateway({ config, connection, logger: pino({ level: 'trace' }, sink) });

  const alice = await token('alice', 'acme', ['user']);
  const reg = await call(RegisterAccountDocument, { input: { displayName: `Alice ${CANARY}`, email: `${CANARY.toLowerCase()}@example.com`, phone: '+33 6 99 88 77 66', birthDate: '1991-02-03', country: 'FR' } }, alice);
  expect(reg.errors).toBeUndefined();
  const conv = await call(StartConversationDocument, { title: `Title ${CANARY}` }, alice);
  await call(AddMessageDocument, { conversationId: conv.data!.startConversation.id, role: 'USER', content: `My secret ${CANARY}` }, alice);
  await call(MeDocument, {}, alice);
  await call(UserDocument, { id: 'alice' }, await token('sam', 'acme', ['support']));
  await call(MeDocument, {}, await token('zed', 'other', ['user']));
});
afterAll(async () => {
  await gateway.close();
  await connection.dropDatabase();
  await connection.close();
});

describe('audit events', () => {
  it('records every access with the fields API.md names, and the response auditId is the event id', async () => {
    const support = await call(UserDocument, { id: 'alice' }, await token('sam', 'acme', ['support']));
    const auditId = support.extensions!.governance!.auditId;
    const carl = await token('carl', 'acme', ['compliance_officer']);
    const res = await call(AuditEventsDocument, { filter: { actor: 'sam' }, first: 50 }, carl);
    expect(res.errors).toBeUndefined();
    const event = res.data!.auditEvents.edges.map((e) => e.node).find((n) => n.id === auditId);
    expect(event).toMatchObject({
      actor: { subject: 'sam', tenant: 'acme', roles: ['support'] },
      purpose: 'essential.service.operations.support',
      legalBasis: 'legitimate interests (Art. 6(1)(f))',
      operationName: 'User',
      outcome: 'SERVED',
      subjects: ['alice'],
      hash: expect.stringMatching(/^[a-f0-9]{64}$/),
      prevHash: expect.stringMatching(/^[a-f0-9]{64}$/),
    });
    expect(event!.decisions).toContainEqual({ subject: 'alice', coordinate: 'User.email', category: 'user.contact.email', purpose: 'essential.service.operations.support', decision: 'REDACT', reason: 'ROLE' });
    expect(event!.decisions).toContainEqual(expect.objectContaining({ coordinate: 'User.displayName', decision: 'ALLOW' }));
  });

  it('filters by subject, operation and decision, and pages', async () => {
    const carl = await token('carl', 'acme', ['compliance_officer']);
    const bySubject = await call(AuditEventsDocument, { filter: { subject: 'alice', decision: 'REDACT' }, first: 50 }, carl);
    expect(bySubject.data!.auditEvents.edges.length).toBeGreaterThan(0);
    for (const { node } of bySubject.data!.auditEvents.edges) {
      expect(node.subjects).toContain('alice');
      expect(node.decisions.some((d) => d.decision === 'REDACT')).toBe(true);
    }
    const page1 = await call(AuditEventsDocument, { first: 2 }, carl);
    const page2 = await call(AuditEventsDocument, { first: 2, after: page1.data!.auditEvents.pageInfo.endCursor }, carl);
    expect(page1.data!.auditEvents.pageInfo.hasNextPage).toBe(true);
    const ids1 = page1.data!.auditEvents.edges.map((e) => e.node.id);
    expect(page2.data!.auditEvents.edges.every((e) => !ids1.includes(e.node.id))).toBe(true);
    // A mutation writes its intent before the effect and its outcome after, naming the intent.
    const mutations = await call(AuditEventsDocument, { filter: { operationName: 'AddMessage' } }, carl);
    const [intent, outcome] = mutations.data!.auditEvents.edges.map((e) => e.node);
    expect(mutations.data!.auditEvents.edges).toHaveLength(2);
    expect(intent).toMatchObject({ outcome: 'INTENT', accesses: ['Mutation.addMessage'], decisions: [], intent: null });
    expect(outcome).toMatchObject({ outcome: 'SERVED', intent: intent!.id });
    expect(outcome!.seq).toBeGreaterThan(intent!.seq);
  });

  it('shows a compliance officer only their own tenant', async () => {
    const res = await call(AuditEventsDocument, { first: 100 }, await token('carl', 'acme', ['compliance_officer']));
    expect(res.data!.auditEvents.edges.length).toBeGreaterThan(3);
    expect(res.data!.auditEvents.edges.every((e) => e.node.actor.tenant === 'acme')).toBe(true);
    const other = await call(AuditEventsDocument, { first: 100 }, await token('olga', 'other', ['compliance_officer']));
    expect(other.data!.auditEvents.edges.every((e) => e.node.actor.tenant === 'other')).toBe(true);
  });

  it('refuses every other role with FORBIDDEN, and audits the refusal', async () => {
    for (const roles of [['user'], ['support'], ['tenant_admin'], ['analyst']]) {
      const res = await call(VerifyAuditLogDocument, {}, await token('nosy', 'acme', roles));
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(res.data ?? null).toBeNull();
    }
    const denied = await gateway.audit.store.events.find({ tenant: 'acme', 'actor.subject': await subjectRef(connection, 'acme', 'nosy'), outcome: 'DENIED' }).toArray();
    expect(denied).toHaveLength(4);
    expect(denied.every((e) => e.code === 'FORBIDDEN' && e.accesses.includes('Query.verifyAuditLog'))).toBe(true);
  });

  it('audits the compliance API itself and requests refused before execution', async () => {
    const carl = await token('carl', 'acme', ['compliance_officer']);
    await call(VerifyAuditLogDocument, {}, carl);
    expect(await gateway.audit.store.events.countDocuments({ tenant: 'acme', 'actor.subject': await subjectRef(connection, 'acme', 'carl'), accesses: 'Query.verifyAuditLog' })).toBeGreaterThan(0);
    const refused = await call(MeDocument, {}, await token('alice', 'acme', ['user']), { 'x-purpose': 'train_ai_system' });
    expect(refused.errors?.[0]?.extensions?.code).toBe('PURPOSE_NOT_ALLOWED');
    expect(await gateway.audit.store.events.countDocuments({ tenant: 'acme', 'actor.subject': await subjectRef(connection, 'acme', 'alice'), code: 'PURPOSE_NOT_ALLOWED' })).toBe(1);
  });

  it('never holds a field value: canaries appear in no audit event and no log line', async () => {
    const events = await gateway.audit.store.events.find({}).toArray();
    expect(events.length).toBeGreaterThan(5);
    // Tree heads ride on the events; the witness keeps copies of them outside the database.
    const witnessed = await readTree(gateway.audit.witnessDir);
    expect(witnessed.length).toBeGreaterThan(0);
    const stored = JSON.stringify([events, witnessed]).toLowerCase();
    for (const canary of [CANARY.toLowerCase(), '99 88 77 66', '1991-02-03']) expect(stored).not.toContain(canary);
    expect(logLines.length).toBeGreaterThan(0);
    const logs = logLines.join('\n').toLowerCase();
    for (const canary of [CANARY.toLowerCase(), '99 88 77 66']) expect(logs).not.toContain(canary);
  });
});

describe('verification, tree heads and keys', () => {
  it('verifies every chain and its signed tree heads', async () => {
    const res = await call(VerifyAuditLogDocument, {}, await token('carl', 'acme', ['compliance_officer']));
    expect(res.data!.verifyAuditLog).toMatchObject({ ok: true, firstBrokenSeq: null, reason: null });
    expect(res.data!.verifyAuditLog.checkedEvents).toBeGreaterThan(5);
    expect(res.data!.verifyAuditLog.checkedCheckpoints).toBeGreaterThan(0);
  });

  it('publishes the audit key at /.well-known/jwks.json', async () => {
    const res = await gateway.yoga.fetch(new URL('http://govgate.test/.well-known/jwks.json'));
    expect(res.status).toBe(200);
    const jwks = (await res.json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(gateway.audit.signer.kid);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });
});

describe('evidence', () => {
  it('exports a signed bundle that the offline verifier accepts, and rejects when tampered', { timeout: 120_000 }, async () => {
    const carl = await token('carl', 'acme', ['compliance_officer']);
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await call(EvidenceBundleDocument, { from, to }, carl);
    expect(res.errors).toBeUndefined();
    const jws = res.data!.evidenceBundle;
    expect(decodeProtectedHeader(jws)).toMatchObject({ alg: 'EdDSA', kid: gateway.audit.signer.kid, typ: 'govgate-evidence+jws' });
    const payload = decodeJwt(jws) as unknown as { pack: string; packVersion: string; from: string; to: string; events: { id: string; seq: number; chainId: string; hash: string; prevHash: string; at: string }[]; checkpoints: unknown[]; verification: { ok: boolean; checkedEvents: number }; art28: Record<string, unknown> };
    expect(payload).toMatchObject({ pack: 'deepailab', packVersion: '003-2025.1', from, to, verification: { ok: true } });
    expect(payload.events.length).toBeGreaterThan(3);
    expect(payload.events[0]).toEqual(expect.objectContaining({ id: expect.any(String), seq: expect.any(Number), chainId: expect.any(String), hash: expect.any(String), prevHash: expect.any(String), at: expect.any(String) }));
    expect(payload.checkpoints.length).toBeGreaterThan(0);
    expect(Object.keys(payload.art28).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(JSON.stringify(payload).toLowerCase()).not.toContain(CANARY.toLowerCase());

    const dir = await mkdtemp(join(tmpdir(), 'govgate-evidence-'));
    const jwks = await (await gateway.yoga.fetch(new URL('http://govgate.test/.well-known/jwks.json'))).text();
    await writeFile(join(dir, 'jwks.json'), jwks);
    await writeFile(join(dir, 'bundle.jws'), jws);
    const ok = spawnTs('src/scripts/evidence-verify.ts', [join(dir, 'bundle.jws'), '--jwks', join(dir, 'jwks.json')], cleanEnv({}));
    expect(await ok.exited()).toBe(0);
    expect(ok.stdout()).toContain('OK: the bundle verifies');

    const [header, body, signature] = jws.split('.');
    const forged = JSON.parse(Buffer.from(body!, 'base64url').toString()) as typeof payload;
    forged.events.pop();
    await writeFile(join(dir, 'forged.jws'), `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`);
    const bad = spawnTs('src/scripts/evidence-verify.ts', [join(dir, 'forged.jws'), '--jwks', join(dir, 'jwks.json')], cleanEnv({}));
    expect(await bad.exited()).toBe(1);
    expect(bad.stdout()).toContain('FAILED');
  });

  it('generates the Art. 30 record of processing from the schema and the pack, also as Markdown', async () => {
    const carl = await token('carl', 'acme', ['compliance_officer']);
    const res = await call(RecordOfProcessingDocument, { article: 'PROCESSOR' }, carl);
    const record = res.data!.recordOfProcessing;
    expect(record).toMatchObject({ article: '30(2)', tenant: 'acme', pack: 'deepailab' });
    expect(record.categoriesOfData).toContainEqual(expect.objectContaining({ category: 'user.contact.email', name: 'User Contact Email', description: "User's contact email address.", fields: ['User.email'] }));
    expect(record.categoriesOfData.find((c) => c.category === 'user.content.private')?.retention).toBe('P90D');
    expect(record.purposes).toContainEqual({ purpose: 'train_ai_system', name: 'Train AI System', legalBasis: 'consent (Art. 6(1)(a))', consentRequired: true });
    expect(record.recipients).toContainEqual({ role: 'support', scope: 'tenant' });
    expect(record.markdown).toMatch(/^# Record of processing activities — GDPR Art\. 30\(2\)/);
    // Names and descriptions, not bare keys.
    expect(record.markdown).toContain("| User Contact Email (`user.contact.email`) | User's contact email address. | User.email |");
    expect(record.markdown).toContain('| Train AI System (`train_ai_system`) | Trains an AI system or data model for machine learning. |');
    const controller = await call(RecordOfProcessingDocument, { article: 'CONTROLLER' }, carl);
    expect(controller.data!.recordOfProcessing.article).toBe('30(1)');
    const forbidden = await call(RecordOfProcessingDocument, {}, await token('sam', 'acme', ['support']));
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
