/**
 * `myAccessLog`: who accessed my data, from the audit log — the events whose decisions name my
 * pseudonym, newest first, with the actor's roles and purpose but never the actor's identity, only
 * my own decisions, and my own requests marked `self`. Reading the log is audited and does not
 * list itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, MyAccessLogDocument, RegisterAccountDocument, RestrictProcessingDocument, UserDocument, UsersDocument, type MyAccessLogQuery } from '../generated/graphql.js';
import { auditEventsOf } from '../helpers/audited.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const tenant = 'logged';
let t: TestGateway;
let alice: string;
let bob: string;

type Entry = MyAccessLogQuery['myAccessLog']['edges'][number]['node'];

const logOf = async (token: string, first = 100): Promise<Entry[]> => {
  const res = await t.execute(MyAccessLogDocument, { first }, { token });
  expect(res.errors).toBeUndefined();
  return res.data!.myAccessLog.edges.map((e) => e.node);
};

async function register(sub: string, tenantId = tenant): Promise<string> {
  const token = await t.token(sub, tenantId, ['user']);
  const res = await t.execute(RegisterAccountDocument, { input: { displayName: `Name ${sub}`, email: `${sub}@example.com`, birthDate: '1990-04-12', country: 'FR' } }, { token });
  expect(res.errors).toBeUndefined();
  return token;
}

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url });
  alice = await register('alice');
  bob = await register('bob');
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('myAccessLog', () => {
  it('shows a support agent\'s read of my e-mail with role, purpose and decision, but not who the agent is', async () => {
    const read = await t.execute(UserDocument, { id: 'alice' }, { token: await t.token('sam-support-7', tenant, ['support']) });
    expect(read.errors).toBeUndefined();
    const res = await t.execute(MyAccessLogDocument, {}, { token: alice });
    const entry = res.data!.myAccessLog.edges[0]!.node;
    expect(entry).toMatchObject({
      actorRole: 'support',
      actorRoles: ['support'],
      self: false,
      purpose: 'essential.service.operations.support',
      operationType: 'query',
      outcome: 'SERVED',
      // The base pack grants support names and account data, not contact details.
      decision: 'REDACT',
      reasons: ['ROLE'],
    });
    expect(entry.coordinates).toEqual(expect.arrayContaining(['User.email', 'User.displayName', 'User.phone']));
    expect(JSON.stringify(res)).not.toContain('sam-support-7');
    // It is the audit event a compliance officer sees for that request.
    expect(entry.auditId).toBe((read.extensions?.governance as { auditId: string }).auditId);
  });

  it('lists my own requests as self', async () => {
    expect((await t.execute(MeDocument, {}, { token: alice })).errors).toBeUndefined();
    const [latest] = await logOf(alice);
    expect(latest).toMatchObject({ self: true, actorRole: 'user', decision: 'ALLOW', reasons: [], purpose: 'essential.service' });
    expect(latest!.coordinates).toContain('User.email');
  });

  it('does not show another user\'s reads of their own data, which show in theirs', async () => {
    const before = await logOf(alice);
    expect((await t.execute(MeDocument, {}, { token: bob })).errors).toBeUndefined();
    expect(await logOf(alice)).toEqual(before);
    expect((await logOf(bob))[0]).toMatchObject({ self: true, actorRole: 'user' });
  });

  it('holds only my decisions of a request that read several subjects', async () => {
    expect((await t.execute(RestrictProcessingDocument, { restricted: true }, { token: bob })).errors).toBeUndefined();
    const admin = await t.token('ada-admin', tenant, ['tenant_admin']);
    const list = await t.execute(UsersDocument, { first: 10 }, { token: admin });
    expect(list.errors).toBeUndefined();
    const auditId = (list.extensions?.governance as { auditId: string }).auditId;
    const mine = (await logOf(alice)).find((e) => e.auditId === auditId);
    const bobs = (await logOf(bob)).find((e) => e.auditId === auditId);
    expect(mine).toMatchObject({ actorRole: 'tenant_admin', decision: 'ALLOW', reasons: [], self: false });
    expect(bobs).toMatchObject({ actorRole: 'tenant_admin', decision: 'REDACT', reasons: ['RESTRICTED'], self: false });
    expect((await t.execute(RestrictProcessingDocument, { restricted: false }, { token: bob })).errors).toBeUndefined();
  });

  it('is newest first, paged with opaque cursors', async () => {
    const all = await logOf(alice);
    expect(all.length).toBeGreaterThanOrEqual(4);
    const times = all.map((e) => new Date(e.at).getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const first = await t.execute(MyAccessLogDocument, { first: 2 }, { token: alice });
    expect(first.data!.myAccessLog.pageInfo.hasNextPage).toBe(true);
    const cursor = first.data!.myAccessLog.pageInfo.endCursor!;
    expect(cursor).not.toContain(first.data!.myAccessLog.edges[1]!.node.auditId);
    const second = await t.execute(MyAccessLogDocument, { first: 2, after: cursor }, { token: alice });
    expect([...first.data!.myAccessLog.edges, ...second.data!.myAccessLog.edges].map((e) => e.node.auditId)).toEqual(all.slice(0, 4).map((e) => e.auditId));
    for (const variables of [{ after: 'canary-cursor' }, { first: 101 }, { first: -1 }]) {
      const bad = await t.execute(MyAccessLogDocument, variables, { token: alice });
      expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(bad.errors)).not.toContain('canary');
    }
  });

  it('is audited as an access to Query.myAccessLog, yet reading it does not grow it', async () => {
    const once = await logOf(alice);
    const twice = await logOf(alice);
    expect(twice).toEqual(once);
    const reads = await auditEventsOf(t, tenant, 'alice', 'MyAccessLog');
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads.every((e) => e.accesses.includes('Query.myAccessLog') && e.decisions.length === 0)).toBe(true);
  });

  it('is empty for a caller nothing was ever recorded about, and scoped to the tenant', async () => {
    expect(await logOf(await t.token('ghost', tenant, ['user']))).toEqual([]);
    // The same subject id in another tenant has a log of its own.
    const elsewhere = await register('alice', 'other-tenant');
    const theirs = await logOf(elsewhere);
    const ours = new Set((await logOf(alice)).map((e) => e.auditId));
    // Both logs hold entries (the registration there), so the disjointness below is not vacuous.
    expect(theirs.length).toBeGreaterThan(0);
    expect(ours.size).toBeGreaterThan(0);
    expect(theirs.filter((e) => ours.has(e.auditId))).toEqual([]);
  });

  it('needs a token', async () => {
    const res = await t.execute(MyAccessLogDocument, {});
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
