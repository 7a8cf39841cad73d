/**
 * Art. 16 rectification (`updateMyProfile`): the caller corrects their own profile through the real
 * pipeline. Changes show in `me`, the audit names the changed coordinates and never the values,
 * bad input is BAD_USER_INPUT without echo, and the sealed birth date changes only through the
 * sealed writer, re-checked against the pack's age admission (deepailab: nobody under 16).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateSealOf } from '../../src/db/connection-seal.js';
import { userModel, type UserDoc } from '../../src/features/users/index.js';
import { MeDocument, RegisterAccountDocument, UpdateMyProfileDocument } from '../generated/graphql.js';
import { auditEventsOf } from '../helpers/audited.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const tenant = 'rectify';
let t: TestGateway;
let alice: string;

const yearsAgo = (years: number): string => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() - 10);
  return d.toISOString().slice(0, 10);
};

const stored = async (subject: string): Promise<UserDoc> => (await userModel(t.connection).findOne({ tenant, subject }).lean<UserDoc>().exec())!;

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url });
  alice = await t.token('alice', tenant, ['user']);
  const registered = await t.execute(RegisterAccountDocument, { input: { displayName: 'Alice', email: 'alice@example.com', phone: '+33 1 23 45 67', birthDate: '1990-04-12', country: 'FR' } }, { token: alice });
  expect(registered.errors).toBeUndefined();
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('updateMyProfile', () => {
  it('corrects the given fields only (trimmed, country upper-cased), visible in me afterwards', async () => {
    const res = await t.execute(UpdateMyProfileDocument, { input: { email: '  alice.new@example.com ', displayName: ' Alice Nouvelle ', country: 'be' } }, { token: alice });
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateMyProfile).toMatchObject({ id: 'alice', email: 'alice.new@example.com', displayName: 'Alice Nouvelle', country: 'BE', phone: '+33 1 23 45 67', birthDate: '1990-04-12' });
    const me = await t.execute(MeDocument, {}, { token: alice });
    expect(me.data!.me).toMatchObject({ email: 'alice.new@example.com', displayName: 'Alice Nouvelle', country: 'BE', birthDate: '1990-04-12' });
  });

  it('is audited: an INTENT before the effect, the outcome naming the changed coordinates, never a value', async () => {
    const events = await auditEventsOf(t, tenant, 'alice', 'UpdateMyProfile');
    const intent = events.find((e) => e.outcome === 'INTENT');
    const served = events.find((e) => e.outcome === 'SERVED');
    expect(intent?.accesses).toEqual(['Mutation.updateMyProfile']);
    expect(served?.intent).toBe(intent?.id);
    expect(served?.accesses).toEqual(expect.arrayContaining(['Mutation.updateMyProfile', 'User.email', 'User.displayName', 'User.country']));
    expect(served?.accesses).not.toContain('User.phone');
    expect(JSON.stringify(events)).not.toMatch(/alice\.new|Nouvelle|BE"/);
  });

  it('removes the phone number with phone: null', async () => {
    const res = await t.execute(UpdateMyProfileDocument, { input: { phone: null } }, { token: alice });
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateMyProfile.phone).toBeNull();
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, never echoing the value; nothing changes', async () => {
    const cases = [
      { email: 'canary-not-an-email' },
      { country: 'canary-land' },
      { phone: 'canary-phone' },
      { displayName: '   ' },
      { displayName: 'x'.repeat(201) },
      { email: null },
      {},
    ];
    for (const input of cases) {
      const res = await t.execute(UpdateMyProfileDocument, { input }, { token: alice });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res.errors)).not.toMatch(/canary|xxxxxxxxxx/);
    }
    expect((await stored('alice')).email).toBe('alice.new@example.com');
  });

  it('asks an unregistered caller to register first', async () => {
    const res = await t.execute(UpdateMyProfileDocument, { input: { displayName: 'Nobody' } }, { token: await t.token('nobody', tenant, ['user']) });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toBe('register an account first');
  });

  it('needs a token', async () => {
    const res = await t.execute(UpdateMyProfileDocument, { input: { displayName: 'Anon' } });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('the birth date (sealed)', () => {
  it('changes through the sealed writer: the record still verifies and decisions read the new date', async () => {
    const birthDate = yearsAgo(30);
    const res = await t.execute(UpdateMyProfileDocument, { input: { birthDate } }, { token: alice });
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateMyProfile.birthDate).toBe(birthDate);
    const record = await stored('alice');
    expect(record.birthDate?.toISOString().slice(0, 10)).toBe(birthDate);
    expect(stateSealOf(t.connection).verifyUser(record)).toBe(true);
    const served = (await auditEventsOf(t, tenant, 'alice', 'UpdateMyProfile')).at(-1)!;
    expect(served.accesses).toContain('User.birthDate');
  });

  it('refuses a date that would make the account inadmissible under the pack (deepailab: under 16) with AGE_RESTRICTED', async () => {
    const before = await stored('alice');
    const res = await t.execute(UpdateMyProfileDocument, { input: { birthDate: yearsAgo(14), displayName: 'Young Alice' } }, { token: alice });
    expect(res.errors?.[0]?.extensions?.code).toBe('AGE_RESTRICTED');
    expect(res.data).toBeNull();
    const after = await stored('alice');
    // Nothing changed: neither the sealed date nor the other field given with it.
    expect(after.birthDate).toEqual(before.birthDate);
    expect(after.displayName).toBe(before.displayName);
    expect(after.seal).toBe(before.seal);
  });

  it('refuses a future or implausible date as BAD_USER_INPUT', async () => {
    for (const birthDate of ['2999-01-01', '1700-01-01']) {
      const res = await t.execute(UpdateMyProfileDocument, { input: { birthDate } }, { token: alice });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res.errors)).not.toContain(birthDate);
    }
  });

  it('is refused on a record whose seal does not verify (a database writer changed it): nothing is re-sealed', async () => {
    await userModel(t.connection).collection.updateOne({ tenant, subject: 'alice' }, { $set: { restricted: true } });
    const res = await t.execute(UpdateMyProfileDocument, { input: { birthDate: yearsAgo(40) } }, { token: alice });
    expect(res.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(stateSealOf(t.connection).verifyUser(await stored('alice'))).toBe(false);
    await userModel(t.connection).collection.updateOne({ tenant, subject: 'alice' }, { $set: { restricted: false } });
  });
});
