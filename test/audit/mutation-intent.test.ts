/**
 * A mutation's audit intent is persisted before its effect: with the audit store down, grantConsent,
 * addMessage and registerAccount answer 503 AUDIT_UNAVAILABLE and change nothing in the data
 * database — the consent is not stored, so it is not used either. The audit log is on a server of
 * its own (a second mongo-java-server), stopped for real; nothing is mocked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJavaMongoServer, type RunningMongoServer } from '../../src/db/java-mongo-server.js';
import { consentModel } from '../../src/features/consents/index.js';
import { messageModel } from '../../src/features/conversations/index.js';
import { userModel } from '../../src/features/users/index.js';
import { AddMessageDocument, AuditEventsDocument, GrantConsentDocument, RegisterAccountDocument, StartConversationDocument } from '../generated/graphql.js';
import { testDatabaseName } from '../helpers/database.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { connectDatabase } from '../../src/db/connect.js';
import type { Connection } from 'mongoose';

const tenant = 'intent-co';
let b: RunningMongoServer;
let t: TestGateway;
let auditConnection: Connection;
let ana: string;
let conversationId: string;

beforeAll(async () => {
  b = await startJavaMongoServer();
  const auditDb = testDatabaseName(import.meta.url);
  auditConnection = await connectDatabase({ uri: b.uri, dbName: auditDb, writeConcern: 1, serverSelectionTimeoutMS: 1000 });
  t = await startTestGateway({
    name: import.meta.url,
    auditConnection,
    env: { AUDIT_MONGODB_URI: b.uri, AUDIT_WRITE_TIMEOUT_MS: '1500', MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000' },
  });
  ana = await t.token('ana', tenant, ['user']);
  const registered = await t.execute(RegisterAccountDocument, { input: { displayName: 'Ana', email: 'ana@example.com', birthDate: '1990-02-03', country: 'PT' } }, { token: ana });
  expect(registered.errors).toBeUndefined();
  const started = await t.execute(StartConversationDocument, { title: 'Plans' }, { token: ana });
  conversationId = started.data!.startConversation.id;
}, 60_000);

afterAll(async () => {
  await t?.close();
  await auditConnection?.close().catch(() => undefined);
  await b?.stop();
});

function expectRefused(res: { status: number; errors?: readonly { extensions?: Record<string, unknown> }[]; data?: unknown }): void {
  expect(res.status).toBe(503);
  expect(res.errors?.[0]?.extensions?.code).toBe('AUDIT_UNAVAILABLE');
  expect(res.data ?? null).toBeNull();
}

describe('with the audit store down, a mutation changes nothing', () => {
  it('grantConsent, addMessage, registerAccount → 503 AUDIT_UNAVAILABLE and no effect in the data database', { timeout: 60_000 }, async () => {
    const consentsBefore = await consentModel(t.connection).countDocuments({ tenant });
    const messagesBefore = await messageModel(t.connection).countDocuments({ tenant });
    await b.stop();

    expectRefused(await t.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token: ana }));
    expectRefused(await t.execute(AddMessageDocument, { conversationId, role: 'USER', content: 'should never be stored' }, { token: ana }));
    const bea = await t.token('bea', tenant, ['user']);
    expectRefused(await t.execute(RegisterAccountDocument, { input: { displayName: 'Bea', email: 'bea@example.com', birthDate: '1992-01-01', country: 'ES' } }, { token: bea }));

    expect(await consentModel(t.connection).countDocuments({ tenant })).toBe(consentsBefore);
    expect(await messageModel(t.connection).countDocuments({ tenant })).toBe(messagesBefore);
    expect(await messageModel(t.connection).countDocuments({ content: 'should never be stored' })).toBe(0);
    expect(await userModel(t.connection).countDocuments({ tenant, subject: 'bea' })).toBe(0);
  });

  it('after the store returns, a mutation writes its intent first and its outcome after, naming it', { timeout: 60_000 }, async () => {
    b = await startJavaMongoServer({ port: b.port });
    let granted: Awaited<ReturnType<typeof t.execute<unknown, unknown>>> | undefined;
    for (let i = 0; i < 100; i += 1) {
      granted = await t.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token: ana });
      if (granted.status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(granted?.status).toBe(200);
    const officer = await t.token('olga', tenant, ['compliance_officer']);
    const events = await t.execute(AuditEventsDocument, { filter: { operationName: 'GrantConsent' }, first: 50 }, { token: officer });
    const nodes = events.data!.auditEvents.edges.map((e) => e.node);
    const outcome = nodes.find((n) => n.outcome === 'SERVED');
    const intent = nodes.find((n) => n.id === outcome?.intent);
    expect(intent).toMatchObject({ outcome: 'INTENT', accesses: ['Mutation.grantConsent'] });
    expect(intent!.seq).toBeLessThan(outcome!.seq);
    expect(await consentModel(t.connection).countDocuments({ tenant, purpose: 'train_ai_system' })).toBe(1);
  });
});
