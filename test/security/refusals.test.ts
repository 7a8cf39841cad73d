/**
 * Refusing is cheap and leaves nothing behind: rate limiting runs before the body is parsed, an
 * anonymous caller's refusals are counted (GET /metrics) instead of written to the audit log,
 * client-chosen text in events is bounded, and audit ids carry no counter of other tenants' work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, RegisterAccountDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
const BURST = 10;

const metric = async (gateway: TestGateway, name: string, labels = ''): Promise<number> => {
  const text = await (await gateway.fetch('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
};

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url });
});
afterAll(() => t.close());

describe('rate limiting before parsing', () => {
  it('charges requests that would fail to parse: one peer gets 429 after its burst', async () => {
    const limited = await startTestGateway({ name: import.meta.url, env: { RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: String(BURST) } });
    try {
      await burst(limited);
    } finally {
      await limited.close();
    }
  });
});

describe('anonymous callers and bad tokens, charged by where they come from', () => {
  let limited: TestGateway;
  beforeAll(async () => {
    // A burst of 3 and next to no refill: the 4th request of one client is refused.
    limited = await startTestGateway({ name: import.meta.url, env: { RATE_LIMIT_PER_SECOND: '0.01', RATE_LIMIT_BURST: '3', RATE_LIMIT_SHARED: 'false' } });
  });
  afterAll(() => limited.close());

  /** A request as node:http hands it over, from this TCP peer. */
  const from = async (peer: string, authorization?: string): Promise<number> =>
    (
      await limited.gateway.yoga.fetch(
        'http://govgate.test/graphql',
        { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify({ query: '{ __typename }' }) },
        { req: { socket: { remoteAddress: peer } } },
      )
    ).status;

  it('an IPv6 client cannot escape its limit by taking another address of its /64', async () => {
    // One host is given a /64: every address in it is the same client.
    const addresses = ['2001:db8:1:2::a', '2001:db8:1:2::b', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2:0:0:0:c', '2001:DB8:1:2::d'];
    const statuses = [];
    for (const [i, peer] of addresses.entries()) statuses.push(await from(peer, i % 2 ? 'Bearer not-a-token' : undefined));
    expect(statuses.slice(0, 3)).not.toContain(429);
    expect(statuses.slice(3)).toEqual([429, 429]);
    // Another /64 is another client.
    expect(await from('2001:db8:1:3::a')).toBe(200);
  });

  it('IPv4 addresses, also written IPv4-mapped, are one client each (not one /64 for all of them)', async () => {
    for (let i = 0; i < 3; i++) expect(await from('::ffff:192.0.2.20')).toBe(200);
    expect(await from('192.0.2.20')).toBe(429);
    expect(await from('::ffff:192.0.2.21')).toBe(200);
    expect(await from('192.0.2.22')).toBe(200);
  });
});

async function burst(t: TestGateway): Promise<void> {
  // A syntax error is found by the parser; today's limiter must have refused the request earlier.
  const codes: number[] = [];
  for (let i = 0; i < 3 * BURST; i += 1) codes.push((await t.post({ query: `{ me { id ${'('.repeat(50)} } }` }, {})).status);
  expect(codes.filter((c) => c === 400).length).toBeLessThanOrEqual(BURST + 2);
  expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(2 * BURST - 2);
  const limited = await t.post({ query: '{ __typename }' });
  expect(limited.status).toBe(429);
  expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(((await limited.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('RATE_LIMITED');
  expect(await metric(t, 'govgate_refused_requests_total', '{code="RATE_LIMITED"}')).toBeGreaterThanOrEqual(2 * BURST - 2);
}

describe('anonymous refusals', () => {
  it('are counted, never written: a 90 000-character operation name from an anonymous caller leaves no event', async () => {
    const before = await t.gateway.audit.store.events.countDocuments({});
    const name = `Q${'x'.repeat(90_000)}`;
    const anonymous = await t.post({ query: `query ${name} { me { id } }` });
    expect(anonymous.status).toBe(401);
    const badToken = await t.post({ query: `query ${name} { me { id } }` }, { headers: { authorization: 'Bearer not.a.token' } });
    expect(badToken.status).toBe(401);
    expect(await t.gateway.audit.store.events.countDocuments({})).toBe(before);
    expect(await metric(t, 'govgate_anonymous_requests_total')).toBe(1);
    expect(await metric(t, 'govgate_refused_requests_total', '{code="UNAUTHENTICATED"}')).toBe(1);
  });

  it("bounds an authenticated caller's operation name in its event", async () => {
    const token = await t.token('nina', 'refusals', ['user']);
    const name = `Q${'y'.repeat(90_000)}`;
    const res = await t.post({ query: `query ${name} { me { id } }` }, { token });
    expect(res.status).toBeLessThan(500);
    const events = await t.gateway.audit.store.events.find({ tenant: 'refusals' }).toArray();
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expect(JSON.stringify(event).length).toBeLessThan(4000);
    expect(events.some((e) => e.operationName?.startsWith('Qyyy'))).toBe(true);
  });
});

describe('audit ids', () => {
  it("say nothing about how much other tenants did between a caller's two requests", async () => {
    const mine = await t.token('ivy', 'ids-mine', ['user']);
    await t.execute(RegisterAccountDocument, { input: { displayName: 'Ivy', email: 'ivy@example.com', birthDate: '1990-01-01', country: 'FR' } }, { token: mine });
    const auditId = async (): Promise<string> => ((await t.execute(MeDocument, {}, { token: mine })).extensions!.governance as { auditId: string }).auditId;
    const first = await auditId();
    const other = await t.token('oz', 'ids-other', ['user']);
    await t.execute(RegisterAccountDocument, { input: { displayName: 'Oz', email: 'oz@example.com', birthDate: '1990-01-01', country: 'FR' } }, { token: other });
    for (let i = 0; i < 5; i += 1) await t.execute(MeDocument, {}, { token: other });
    await new Promise((r) => setTimeout(r, 5));
    const second = await auditId();
    // ObjectIds end in a process-wide counter; a random tail differs by far more than the 7 ids made in between.
    const tail = (id: string) => BigInt(`0x${id.replace(/-/g, '').slice(-12)}`);
    const gap = tail(second) - tail(first);
    expect(gap < 0n ? -gap : gap).toBeGreaterThan(1_000_000n);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
