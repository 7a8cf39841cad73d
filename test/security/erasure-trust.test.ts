/**
 * The attacker can write to the database. An erasure request record (`dsr_requests`) is not sealed,
 * so it must not be what decides that someone is erased: a planted PENDING erasure naming a victim
 * makes the sweeper erase nothing (it requires the victim's sealed ERASURE_PENDING account, which
 * only eraseMyAccount writes) and the planted request ends REJECTED. A planted ERASURE_PENDING on
 * the account itself does not verify, so the sweeper does not erase on it either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EraseMyAccountDocument, MeDocument, RegisterAccountDocument, StartConversationDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { policyDir } from '../helpers/policy-dir.js';

const tenant = 'erasure-trust';

describe('erasure decided by sealed state, not by a request record a database writer can plant', () => {
  let t: TestGateway;
  let victim: string;

  beforeAll(async () => {
    const dir = await policyDir({ deepailab: (pack) => void ((pack.erasure as { graceDays: number }).graceDays = 7) });
    t = await startTestGateway({ name: import.meta.url, env: { POLICY_DIR: dir, ERASURE_SWEEP_INTERVAL_S: '0' } });
    victim = await t.token('victim-vic', tenant, ['user']);
    const reg = await t.execute(RegisterAccountDocument, { input: { displayName: 'Vic', email: 'vic@example.test', birthDate: '1980-01-01', country: 'DE' } }, { token: victim });
    expect(reg.errors).toBeUndefined();
    expect((await t.execute(StartConversationDocument, { title: 'vic keeps this' }, { token: victim })).errors).toBeUndefined();
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('a planted PENDING erasure erases nothing and ends REJECTED', async () => {
    const now = new Date();
    await t.connection.db!.collection('dsr_requests').insertOne({
      _id: 'planted-1' as never, tenant, kind: 'ERASURE', subjectRef: 'sr_planted', subject: 'victim-vic', status: 'PENDING',
      receivedAt: now, dueAt: now, executeAt: new Date(now.getTime() - 1000), completedAt: null, extensions: [], auditId: null, claimedUntil: null,
    });
    expect(await t.gateway.sweepErasures(new Date())).toBe(0);
    const db = t.connection.db!;
    expect(await db.collection('users').countDocuments({ tenant, subject: 'victim-vic' })).toBe(1);
    expect(await db.collection('conversations').countDocuments({ tenant, owner: 'victim-vic' })).toBe(1);
    expect(await db.collection('subject_keys').countDocuments({ tenant, subject: 'victim-vic' })).toBe(1);
    expect(await db.collection('dsr_requests').findOne({ _id: 'planted-1' as never })).toMatchObject({ status: 'REJECTED', subject: null });
    const me = await t.execute(MeDocument, undefined, { token: victim });
    expect(me.data!.me).toMatchObject({ displayName: 'Vic' });
  });

  it('a planted (unsealed) ERASURE_PENDING on the account with a planted request erases nothing', async () => {
    const other = await t.token('victim-wes', tenant, ['user']);
    expect((await t.execute(RegisterAccountDocument, { input: { displayName: 'Wes', email: 'wes@example.test', birthDate: '1980-01-01', country: 'DE' } }, { token: other })).errors).toBeUndefined();
    await t.connection.db!.collection('users').updateOne({ tenant, subject: 'victim-wes' }, { $set: { erasure: 'ERASURE_PENDING' } });
    // The unsealed value is not trusted: the sweeper does not erase on it...
    await t.connection.db!.collection('dsr_requests').insertOne({
      _id: 'planted-2' as never, tenant, kind: 'ERASURE', subjectRef: 'sr_planted2', subject: 'victim-wes', status: 'PENDING',
      receivedAt: new Date(), dueAt: new Date(), executeAt: new Date(Date.now() - 1000), completedAt: null, extensions: [], auditId: null, claimedUntil: null,
    });
    expect(await t.gateway.sweepErasures(new Date())).toBe(0);
    expect(await t.connection.db!.collection('users').countDocuments({ tenant, subject: 'victim-wes' })).toBe(1);
  });

  it('the subject\'s own request is backed by their sealed account: the sweeper completes it once due', async () => {
    const res = await t.execute(EraseMyAccountDocument, { confirm: true }, { token: victim });
    expect(res.errors).toBeUndefined();
    expect(res.data!.eraseMyAccount.status).toBe('PENDING');
    expect(await t.gateway.sweepErasures(new Date(Date.now() + 8 * 86_400_000))).toBe(1);
    expect(await t.connection.db!.collection('users').countDocuments({ tenant, subject: 'victim-vic' })).toBe(0);
  });
});
