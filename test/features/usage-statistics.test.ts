/**
 * usageStatistics: aggregates only, for analysts and compliance officers. Groups of fewer than
 * k = 5 distinct subjects are not returned (a group of 4 is suppressed, a group of 5 shown) and
 * one row says how many groups were left out; no subject id appears anywhere in a response; a
 * subject the engine would not release to the caller (here: one who restricted processing) is
 * not counted; `groupBy` is checked against an allow-list without echoing it; the access is
 * audited. Calls are recorded by a `service` caller through the pipeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiUsageModel } from '../../src/features/usage/index.js';
import { RecordApiUsageDocument, RegisterAccountDocument, RestrictProcessingDocument, UsageStatisticsDocument, type UsageStatisticsQuery } from '../generated/graphql.js';
import { auditEventOf, auditEventsOf } from '../helpers/audited.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const tenant = 'statco';
const FR = ['stat-fr-1', 'stat-fr-2', 'stat-fr-3', 'stat-fr-4', 'stat-fr-5'];
const DE = ['stat-de-1', 'stat-de-2', 'stat-de-3', 'stat-de-4'];
const EVERYONE = [...FR, ...DE];

let t: TestGateway;

type Row = UsageStatisticsQuery['usageStatistics'][number];
const valuesOf = (row: Row): string[] => row.dimensions.map((d) => `${d.name}=${d.value}`);

async function statistics(groupBy: string[], roles: string[] = ['analyst'], sub = 'ana') {
  return t.execute(UsageStatisticsDocument, { groupBy }, { token: await t.token(sub, tenant, roles) });
}

function expectNoSubjectIds(res: unknown): void {
  const body = JSON.stringify(res);
  for (const subject of EVERYONE) expect(body).not.toContain(subject);
}

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url });
  const service = await t.token('svc-api', tenant, ['service']);
  for (const subject of EVERYONE) {
    const token = await t.token(subject, tenant, ['user']);
    const country = subject.startsWith('stat-fr') ? 'FR' : 'DE';
    const registered = await t.execute(RegisterAccountDocument, { input: { displayName: subject, email: `${subject}@example.com`, birthDate: '1990-04-12', country } }, { token });
    expect(registered.errors).toBeUndefined();
    // Two calls per French subject, one per German one.
    for (let i = 0; i < (country === 'FR' ? 2 : 1); i += 1) {
      const call = await t.execute(RecordApiUsageDocument, { input: { subject, operation: 'POST /v1/chat', model: 'gpt-x', statusCode: 200, latencyMs: 120 + i } }, { token: service });
      expect(call.errors).toBeUndefined();
    }
  }
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('k-anonymity', () => {
  it('shows the group of 5, suppresses the group of 4, and says only how many groups were left out', async () => {
    const res = await statistics(['country']);
    expect(res.errors).toBeUndefined();
    const rows = res.data!.usageStatistics;
    expect(rows).toEqual([
      { dimensions: [{ name: 'country', value: 'FR' }], count: 10, subjects: 5, suppressed: false, suppressedGroups: 0 },
      { dimensions: [], count: null, subjects: null, suppressed: true, suppressedGroups: 1 },
    ]);
    expectNoSubjectIds(res);
  });

  it('groups by several allowed dimensions, in the order asked', async () => {
    const res = await statistics(['model', 'country']);
    expect(res.data!.usageStatistics.filter((r) => !r.suppressed).map(valuesOf)).toEqual([['model=gpt-x', 'country=FR']]);
    const ages = await statistics(['ageBand']);
    expect(ages.data!.usageStatistics).toHaveLength(1);
    expect(ages.data!.usageStatistics[0]).toMatchObject({ count: 14, subjects: 9 });
    expect(ages.data!.usageStatistics[0]!.dimensions[0]!.value).toMatch(/^\d\d-\d\d$/);
    expectNoSubjectIds(ages);
  });

  it('counts the whole tenant as one group without groupBy, and answers compliance officers too', async () => {
    for (const [sub, roles] of [['ana', ['analyst']], ['carl', ['compliance_officer']]] as const) {
      const res = await statistics([], [...roles], sub);
      expect(res.data!.usageStatistics, sub).toEqual([{ dimensions: [], count: 14, subjects: 9, suppressed: false, suppressedGroups: 0 }]);
    }
  });

  it('does not count a subject who restricted processing: the group of 5 becomes 4 and is suppressed', async () => {
    const restricted = FR[4]!;
    const token = await t.token(restricted, tenant, ['user']);
    expect((await t.execute(RestrictProcessingDocument, { restricted: true }, { token })).errors).toBeUndefined();
    const res = await statistics(['country']);
    expect(res.data!.usageStatistics).toEqual([{ dimensions: [], count: null, subjects: null, suppressed: true, suppressedGroups: 2 }]);
    expectNoSubjectIds(res);
    // The audit event holds the precise decision per subject (identifiers, never values).
    const event = await auditEventOf(t, tenant, 'ana', res);
    expect(event.accesses).toContain('Query.usageStatistics');
    const country = event.decisions.filter((d) => d.coordinate === 'User.country');
    expect(country.find((d) => d.subject === restricted)).toMatchObject({ decision: 'REDACT', reason: 'RESTRICTED' });
    expect(country.filter((d) => d.decision === 'ALLOW').map((d) => d.subject).sort()).toEqual(EVERYONE.filter((s) => s !== restricted).sort());
    expect((await t.execute(RestrictProcessingDocument, { restricted: false }, { token })).errors).toBeUndefined();
    expect((await statistics(['country'])).data!.usageStatistics[0]).toMatchObject({ subjects: 5 });
  });
});

describe('retention', () => {
  it('reads only calls inside the pack\'s retention window for usage data (deepailab: 365 days)', async () => {
    // Five subjects' calls from 400 days ago: counted, they would be a group of 5 of their own.
    const old = new Date(Date.now() - 400 * 86_400_000);
    await apiUsageModel(t.connection).collection.insertMany(
      FR.map((owner, i) => ({ _id: `old-call-${i}` as never, tenant, owner, operation: 'POST /v1/chat', model: 'legacy-model', statusCode: 200, latencyMs: 1, mipOptOut: false, createdAt: old })),
    );
    const res = await statistics(['model']);
    expect(res.data!.usageStatistics).toEqual([{ dimensions: [{ name: 'model', value: 'gpt-x' }], count: 14, subjects: 9, suppressed: false, suppressedGroups: 0 }]);
  });
});

describe('who may ask, and what', () => {
  it('refuses a dimension outside the allow-list, or one named twice, without echoing it', async () => {
    for (const groupBy of [['subject-4242'], ['country', 'email-4242'], ['country', 'country']]) {
      const res = await statistics(groupBy);
      expect(res.errors?.[0]?.extensions?.code, groupBy.join()).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res.errors)).not.toContain('4242');
    }
  });

  it('is FORBIDDEN to every other role, and the attempt is audited', async () => {
    for (const role of ['user', 'support', 'ml_engineer', 'tenant_admin', 'developer', 'service']) {
      const res = await statistics(['country'], [role], `asker-${role}`);
      expect(res.errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
      expect(res.data ?? null, role).toBeNull();
      const events = await auditEventsOf(t, tenant, `asker-${role}`);
      expect(events.map((e) => [e.outcome, e.accesses]), role).toEqual([['DENIED', ['Query.usageStatistics']]]);
    }
  });
});
