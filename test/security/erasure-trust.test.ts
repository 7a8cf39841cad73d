/**
 * The attacker can write to the database. Erasure request records (`dsr_requests`) are not sealed,
 * so they must not decide who is erased or when: the sweeper erases on the account's sealed state
 * (ERASURE_PENDING with a sealed due date, which only eraseMyAccount writes). A planted request
 * naming an active victim, a planted request moving a genuine pending erasure forward, an edited
 * request that "rejects" a genuine one, and an unsealed ERASURE_PENDING written on an account each
 * change nothing of what is erased, or when.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EraseMyAccountDocument, MeDocument, RegisterAccountDocument, StartConversationDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { policyDir } from '../helpers/policy-dir.js';

const tenant = 'erasure-trust';
const DAY = 86_400_000;

describe('erasure decided by sealed state, not by request records a database writer can plant or edit', () => {
  let t: TestGateway;

  const register = async (sub: string): Promise<string> => {
    const token = await t.token(sub, tenant, ['user']);
    const reg = await t.execute(RegisterAccountDocument, { input: { displayName: sub, email: `${sub}@example.test`, birthDate: '1980-01-01', country: 'DE' } }, { token });
    expect(reg.errors).toBeUndefined();
    expect((await t.execute(StartConversationDocument, { title: `${sub} keeps this` }, { token })).errors).toBeUndefined();
    return token;
  };
  const users = (subject: string) => t.connection.db!.collection('users').countDocuments({ tenant, subject });
  const plant = (id: string, subject: string) =>
    t.connection.db!.collection('dsr_requests').insertOne({
      _id: id as never, tenant, kind: 'ERASURE', subjectRef: 'sr_planted', subject, status: 'PENDING',
      receivedAt: new Date(), dueAt: new Date(), executeAt: new Date(Date.now() - 1000), completedAt: null, extensions: [], auditId: null,
    });

  beforeAll(async () => {
    const dir = await policyDir({ deepailab: (pack) => void ((pack.erasure as { graceDays: number }).graceDays = 7) });
    t = await startTestGateway({ name: import.meta.url, env: { POLICY_DIR: dir, ERASURE_SWEEP_INTERVAL_S: '0' } });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('a planted PENDING erasure for an active account erases nothing', async () => {
    const vic = await register('victim-vic');
    await plant('planted-1', 'victim-vic');
    expect(await t.gateway.sweepErasures(new Date(Date.now() + 30 * DAY))).toBe(0);
    expect(await users('victim-vic')).toBe(1);
    expect(await t.connection.db!.collection('conversations').countDocuments({ tenant, owner: 'victim-vic' })).toBe(1);
    expect(await t.connection.db!.collection('subject_keys').countDocuments({ tenant, subject: 'victim-vic' })).toBe(1);
    expect((await t.execute(MeDocument, undefined, { token: vic })).data!.me).toMatchObject({ displayName: 'victim-vic' });
  });

  it('an unsealed ERASURE_PENDING written on an account (with a planted request) erases nothing', async () => {
    await register('victim-wes');
    await t.connection.db!.collection('users').updateOne({ tenant, subject: 'victim-wes' }, { $set: { erasure: 'ERASURE_PENDING', erasureDueAt: new Date(0) } });
    await plant('planted-2', 'victim-wes');
    expect(await t.gateway.sweepErasures(new Date(Date.now() + 30 * DAY))).toBe(0);
    expect(await users('victim-wes')).toBe(1);
  });

  it('a planted request cannot bring a genuine pending erasure forward; the sealed due date decides', async () => {
    const bob = await register('victim-bob');
    expect((await t.execute(EraseMyAccountDocument, { confirm: true }, { token: bob })).data!.eraseMyAccount.status).toBe('PENDING');
    await plant('planted-3', 'victim-bob');
    expect(await t.gateway.sweepErasures(new Date())).toBe(0);
    expect(await users('victim-bob')).toBe(1);
    expect(await t.gateway.sweepErasures(new Date(Date.now() + 8 * DAY))).toBe(1);
    expect(await users('victim-bob')).toBe(0);
  });

  it('editing or deleting the genuine request does not stop the erasure', async () => {
    const dana = await register('victim-dana');
    expect((await t.execute(EraseMyAccountDocument, { confirm: true }, { token: dana })).data!.eraseMyAccount.status).toBe('PENDING');
    await t.connection.db!.collection('dsr_requests').updateMany({ tenant, subject: 'victim-dana' }, { $set: { status: 'REJECTED', subject: null, executeAt: new Date(Date.now() + 365 * DAY) } });
    expect(await t.gateway.sweepErasures(new Date(Date.now() + 8 * DAY))).toBe(1);
    expect(await users('victim-dana')).toBe(0);
    expect(await t.connection.db!.collection('conversations').countDocuments({ tenant, owner: 'victim-dana' })).toBe(0);
  });
});
