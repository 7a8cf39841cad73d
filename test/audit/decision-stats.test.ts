/**
 * decisionStats: the compliance console's chart data, counted by the database from the audit log,
 * guarded and audited like auditEvents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEventsDocument, DecisionStatsDocument, MeDocument, RegisterAccountDocument, UserDocument, UsersDocument, VerifyAuditLogDocument } from '../generated/graphql.js';
import { auditEventsOf } from '../helpers/audited.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A day around now: every request of this file falls in it. */
const around = () => ({ from: new Date(Date.now() - DAY / 2).toISOString(), to: new Date(Date.now() + DAY / 2).toISOString() });

const register = async (sub: string, tenant: string) => {
  const res = await t.execute(RegisterAccountDocument, { input: { displayName: `${sub} Test`, email: `${sub}@example.com`, birthDate: '1990-01-01', country: 'FR' } }, { token: await t.token(sub, tenant, ['user']) });
  expect(res.errors).toBeUndefined();
};

/** The same counts computed from auditEvents, one decision per (subject, coordinate) as it lists them. */
async function countedFromAuditEvents(tenant: string): Promise<Map<string, number>> {
  const token = await t.token('reader', tenant, ['compliance_officer']);
  const counts = new Map<string, number>();
  let after: string | null | undefined;
  for (let more = true; more; ) {
    const page = await t.execute(AuditEventsDocument, { first: 100, ...(after ? { after } : {}) }, { token });
    for (const { node } of page.data!.auditEvents.edges) for (const d of node.decisions) counts.set(`${d.decision}:${d.reason}`, (counts.get(`${d.decision}:${d.reason}`) ?? 0) + 1);
    ({ hasNextPage: more, endCursor: after } = page.data!.auditEvents.pageInfo);
  }
  return counts;
}

const summed = (rows: { decision: string; reason?: string | null; count: number }[]) => {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(`${row.decision}:${row.reason ?? null}`, (counts.get(`${row.decision}:${row.reason ?? null}`) ?? 0) + row.count);
  return counts;
};

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url });
  for (const sub of ['alice', 'bob']) await register(sub, 'acme');
  await register('zoe', 'other');
  await t.execute(MeDocument, {}, { token: await t.token('alice', 'acme', ['user']) });
  // Support reads another user's profile: REDACT decisions (ROLE) beside ALLOW ones.
  await t.execute(UserDocument, { id: 'alice' }, { token: await t.token('sam', 'acme', ['support']) });
  await t.execute(UsersDocument, { first: 10 }, { token: await t.token('ana', 'acme', ['analyst']) });
  await t.execute(MeDocument, {}, { token: await t.token('zoe', 'other', ['user']) });
});
afterAll(() => t?.close());

describe('decisionStats', () => {
  it('counts the tenant\'s decisions by decision and reason exactly as auditEvents lists them', async () => {
    const res = await t.execute(DecisionStatsDocument, { ...around(), bucket: 'HOUR' }, { token: await t.token('carl', 'acme', ['compliance_officer']) });
    expect(res.errors).toBeUndefined();
    // Read after: decisionStats decides nothing, while reading auditEvents decides its identifier fields (audited after the response).
    const expected = await countedFromAuditEvents('acme');
    expect([...expected.keys()].some((k) => k.startsWith('REDACT:'))).toBe(true);
    expect(summed(res.data!.decisionStats)).toEqual(expected);
    for (const row of res.data!.decisionStats) {
      expect(new Date(row.bucketStart as string).getTime() % HOUR).toBe(0);
      expect(row.reason === null).toBe(row.decision === 'ALLOW');
    }
  });

  it('is the caller\'s own tenant only', async () => {
    const acme = await t.execute(DecisionStatsDocument, around(), { token: await t.token('carl', 'acme', ['compliance_officer']) });
    const other = await t.execute(DecisionStatsDocument, around(), { token: await t.token('olga', 'other', ['compliance_officer']) });
    expect(summed(other.data!.decisionStats)).toEqual(await countedFromAuditEvents('other'));
    expect(summed(other.data!.decisionStats)).not.toEqual(summed(acme.data!.decisionStats));
  });

  it('buckets by UTC hour or day, counts every subject of a stored decision, and takes [from, to)', async () => {
    // Events written straight into the audit store of a tenant of their own, at chosen times.
    const events = t.connection.db!.collection<{ _id: string } & Record<string, unknown>>('audit_events');
    const at = (iso: string, decisions: { decision: string; reason: string | null; subjects: (string | null)[] }[], seq: number) => ({
      _id: `synthetic-${seq}`, tenant: 'synthetic', chainId: 'synthetic-chain', seq, at: new Date(iso), decisions,
    });
    await events.insertMany([
      at('2024-03-01T09:59:59.999Z', [{ decision: 'ALLOW', reason: null, subjects: ['sr_a', 'sr_b'] }], 1),
      at('2024-03-01T10:00:00.000Z', [{ decision: 'ALLOW', reason: null, subjects: ['sr_a'] }, { decision: 'REDACT', reason: 'CONSENT', subjects: ['sr_a', null] }], 2),
      at('2024-03-01T10:30:00.000Z', [{ decision: 'REDACT', reason: 'CONSENT', subjects: ['sr_b'] }, { decision: 'DENY', reason: 'ROLE', subjects: ['sr_c'] }], 3),
      at('2024-03-02T00:00:00.000Z', [{ decision: 'ALLOW', reason: null, subjects: ['sr_a'] }], 4),
      at('2024-03-01T12:00:00.000Z', [], 5),
      // Kept as subject sets: a decision counts the set it names; one naming no set, nothing.
      { ...at('2024-03-01T10:15:00.000Z', [{ decision: 'ALLOW', reason: null, set: 0 }, { decision: 'REDACT', reason: 'CONSENT', set: 5 }, { decision: 'DENY', reason: 'ROLE' }] as never, 6), subjects: ['sr_a', 'sr_b'], subjectSets: [[-1, 0, 1]] },
    ]);
    const carl = await t.token('carl', 'synthetic', ['compliance_officer']);
    const hours = await t.execute(DecisionStatsDocument, { from: '2024-03-01T00:00:00Z', to: '2024-03-02T00:00:00Z', bucket: 'HOUR' }, { token: carl });
    expect(hours.errors).toBeUndefined();
    expect(hours.data!.decisionStats).toEqual([
      { bucketStart: '2024-03-01T09:00:00.000Z', decision: 'ALLOW', reason: null, count: 2 },
      { bucketStart: '2024-03-01T10:00:00.000Z', decision: 'ALLOW', reason: null, count: 4 },
      { bucketStart: '2024-03-01T10:00:00.000Z', decision: 'DENY', reason: 'ROLE', count: 1 },
      { bucketStart: '2024-03-01T10:00:00.000Z', decision: 'REDACT', reason: 'CONSENT', count: 3 },
    ]);
    const days = await t.execute(DecisionStatsDocument, { from: '2024-02-28T00:00:00Z', to: '2024-03-03T00:00:00Z' }, { token: carl });
    expect(days.data!.decisionStats).toEqual([
      { bucketStart: '2024-03-01T00:00:00.000Z', decision: 'ALLOW', reason: null, count: 6 },
      { bucketStart: '2024-03-01T00:00:00.000Z', decision: 'DENY', reason: 'ROLE', count: 1 },
      { bucketStart: '2024-03-01T00:00:00.000Z', decision: 'REDACT', reason: 'CONSENT', count: 3 },
      { bucketStart: '2024-03-02T00:00:00.000Z', decision: 'ALLOW', reason: null, count: 1 },
    ]);
  });

  it('counts what the hash covers: subjects written beside a decision that names its subject set change no count', async () => {
    for (const sub of ['dora', 'eve']) await register(sub, 'edited');
    await t.execute(UserDocument, { id: 'dora' }, { token: await t.token('sam', 'edited', ['support']) });
    const carl = await t.token('carl', 'edited', ['compliance_officer']);
    // A database writer adds inline subjects to every decision of the events kept with subject sets.
    const events = t.connection.db!.collection<{ _id: string; decisions: unknown[] }>('audit_events');
    const compact = await events.find({ tenant: 'edited', subjectSets: { $exists: true } }).toArray();
    expect(compact.length).toBeGreaterThan(0);
    const planted = Array.from({ length: 40 }, (_, i) => `sr_planted${i}`);
    for (const e of compact) await events.updateOne({ _id: e._id }, { $set: Object.fromEntries(e.decisions.map((_, i) => [`decisions.${i}.subjects`, planted])) });
    // The hash does not cover them (the event keeps its subjects as sets), so no reader may count them.
    const verified = await t.execute(VerifyAuditLogDocument, {}, { token: carl });
    expect(verified.data?.verifyAuditLog.problems).toEqual([]);
    const after = await t.execute(DecisionStatsDocument, around(), { token: carl });
    expect(after.errors).toBeUndefined();
    expect(summed(after.data!.decisionStats)).toEqual(await countedFromAuditEvents('edited'));
  });

  it('is FORBIDDEN to every role but compliance_officer, 401 without a token', async () => {
    for (const role of ['user', 'support', 'analyst', 'tenant_admin', 'developer']) {
      const res = await t.execute(DecisionStatsDocument, around(), { token: await t.token(`x-${role}`, 'acme', [role]) });
      expect(res.data ?? null, role).toBeNull();
      expect(res.errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
      expect(res.status, role).toBe(403);
    }
    const anonymous = await t.execute(DecisionStatsDocument, around());
    expect(anonymous.status).toBe(401);
  });

  it('is audited like auditEvents: the access is recorded for officers and for refused callers', async () => {
    await t.execute(DecisionStatsDocument, around(), { token: await t.token('cora', 'acme', ['compliance_officer']) });
    await t.execute(DecisionStatsDocument, around(), { token: await t.token('sid', 'acme', ['support']) });
    const [served] = await auditEventsOf(t, 'acme', 'cora', 'DecisionStats');
    expect(served).toMatchObject({ outcome: 'SERVED', accesses: ['Query.decisionStats'], decisions: [] });
    const [refused] = await auditEventsOf(t, 'acme', 'sid', 'DecisionStats');
    expect(refused).toMatchObject({ outcome: 'DENIED', code: 'FORBIDDEN', accesses: ['Query.decisionStats'] });
  });

  it('refuses an empty, reversed or too long range with BAD_USER_INPUT, without echoing it', async () => {
    const carl = await t.token('carl', 'acme', ['compliance_officer']);
    const cases: [string, string, 'HOUR' | 'DAY'][] = [
      ['2024-03-01T00:00:00Z', '2024-03-01T00:00:00Z', 'DAY'],
      ['2024-03-02T00:00:00Z', '2024-03-01T00:00:00Z', 'HOUR'],
      ['2024-03-01T00:00:00Z', '2024-03-08T00:00:01Z', 'HOUR'],
      ['2023-01-01T00:00:00Z', '2024-01-03T00:00:00Z', 'DAY'],
    ];
    for (const [from, to, bucket] of cases) {
      const res = await t.execute(DecisionStatsDocument, { from, to, bucket }, { token: carl });
      expect(res.errors?.[0]?.extensions?.code, `${from} ${to} ${bucket}`).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res.errors)).not.toContain(from.slice(0, 10));
    }
    // The longest ranges allowed: a week of hours, 366 days.
    expect((await t.execute(DecisionStatsDocument, { from: '2024-03-01T00:00:00Z', to: '2024-03-08T00:00:00Z', bucket: 'HOUR' }, { token: carl })).errors).toBeUndefined();
    expect((await t.execute(DecisionStatsDocument, { from: '2023-01-01T00:00:00Z', to: '2024-01-02T00:00:00Z', bucket: 'DAY' }, { token: carl })).errors).toBeUndefined();
  });
});
