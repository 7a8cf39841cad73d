/**
 * The data-subject-request log (GDPR Art. 12): every erasure and conversation deletion is recorded
 * with its receipt time and the Art. 12(3) one-month deadline; compliance officers of the tenant
 * list it (others: FORBIDDEN); a subject shows by id while their key exists, by pseudonym after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSubjectRequestsDocument, DeleteMyConversationsDocument, EraseMyAccountDocument, ExportMyDataDocument, RegisterAccountDocument, UpdateMyProfileDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { dsrDueAt } from '../../src/features/rights/dsr-log.js';

const tenant = 'dsrlog';
let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('dsrDueAt (Art. 12(3): one month)', () => {
  it('adds a calendar month, ending at the last day of a shorter month', () => {
    expect(dsrDueAt(new Date('2025-03-10T08:00:00Z')).toISOString()).toBe('2025-04-10T08:00:00.000Z');
    expect(dsrDueAt(new Date('2025-01-31T08:00:00Z')).toISOString()).toBe('2025-02-28T08:00:00.000Z');
  });
});

describe('dataSubjectRequests', () => {
  it('lists the requests with their deadlines for a compliance officer; the erased subject by pseudonym only', async () => {
    const dora = await t.token('dsr-dora', tenant, ['user']);
    const finn = await t.token('dsr-finn', tenant, ['user']);
    for (const [token, name] of [[dora, 'Dora'], [finn, 'Finn']] as const) {
      expect((await t.execute(RegisterAccountDocument, { input: { displayName: name, email: `${name}@example.test`, birthDate: '1990-01-01', country: 'FR' } }, { token })).errors).toBeUndefined();
    }
    const deletion = await t.execute(DeleteMyConversationsDocument, undefined, { token: dora });
    expect(deletion.errors).toBeUndefined();
    const erased = await t.execute(EraseMyAccountDocument, { confirm: true }, { token: finn });
    expect(erased.errors).toBeUndefined();

    const officer = await t.token('dsr-officer', tenant, ['compliance_officer']);
    const res = await t.execute(DataSubjectRequestsDocument, { first: 10 }, { token: officer });
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.dataSubjectRequests.edges.map((e) => e.node);
    expect(nodes.map((n) => [n.kind, n.status])).toEqual([['CONVERSATION_DELETION', 'COMPLETED'], ['ERASURE', 'COMPLETED']]);
    const [del, erasure] = nodes as [(typeof nodes)[number], (typeof nodes)[number]];
    expect(del.subject).toBe('dsr-dora');
    expect(erasure.subject).toMatch(/^sr_/);
    expect(erasure.auditId).toBe(erased.data!.eraseMyAccount.auditId);
    for (const n of nodes) {
      expect(new Date(n.dueAt).toISOString()).toBe(dsrDueAt(new Date(n.receivedAt)).toISOString());
      expect(n.completedAt).not.toBeNull();
      expect(n.overdue).toBe(false);
      expect(n.extensions).toEqual([]);
    }
    // Stored by pseudonym: the raw record names neither subject.
    const raw = await t.connection.db!.collection('dsr_requests').find({ tenant }).toArray();
    expect(JSON.stringify(raw)).not.toContain('dsr-finn');
    expect(JSON.stringify(raw)).not.toContain('dsr-dora');
  });

  it('pages with first/after', async () => {
    const officer = await t.token('dsr-officer', tenant, ['compliance_officer']);
    const first = await t.execute(DataSubjectRequestsDocument, { first: 1 }, { token: officer });
    expect(first.data!.dataSubjectRequests.pageInfo.hasNextPage).toBe(true);
    const next = await t.execute(DataSubjectRequestsDocument, { first: 1, after: first.data!.dataSubjectRequests.pageInfo.endCursor }, { token: officer });
    expect(next.data!.dataSubjectRequests.edges[0]!.node.kind).toBe('ERASURE');
  });

  it('is FORBIDDEN to other roles and shows another tenant nothing', async () => {
    for (const roles of [['user'], ['tenant_admin'], ['analyst']]) {
      const res = await t.execute(DataSubjectRequestsDocument, { first: 10 }, { token: await t.token('dsr-nosy', tenant, roles) });
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const elsewhere = await t.execute(DataSubjectRequestsDocument, { first: 10 }, { token: await t.token('other-officer', 'elsewhere', ['compliance_officer']) });
    expect(elsewhere.data!.dataSubjectRequests.edges).toEqual([]);
  });

  it('records exports and rectifications too, each with the audit id of its request', async () => {
    const other = 'dsrlog-2';
    const gus = await t.token('dsr-gus', other, ['user']);
    expect((await t.execute(RegisterAccountDocument, { input: { displayName: 'Gus', email: 'gus@example.test', birthDate: '1990-01-01', country: 'FR' } }, { token: gus })).errors).toBeUndefined();
    expect((await t.execute(ExportMyDataDocument, {}, { token: gus })).errors).toBeUndefined();
    expect((await t.execute(UpdateMyProfileDocument, { input: { displayName: 'Gustav' } }, { token: gus })).errors).toBeUndefined();
    const res = await t.execute(DataSubjectRequestsDocument, { first: 10 }, { token: await t.token('dsr-officer', other, ['compliance_officer']) });
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.dataSubjectRequests.edges.map((e) => e.node);
    expect(nodes.map((n) => [n.kind, n.status, n.subject])).toEqual([['EXPORT', 'COMPLETED', 'dsr-gus'], ['RECTIFICATION', 'COMPLETED', 'dsr-gus']]);
    expect(nodes.every((n) => typeof n.auditId === 'string')).toBe(true);
  });
});

