/**
 * The guardian route per pack (`minimumAge`, `guardian: { mode, belowAge }`, `admittedBand`):
 * 003-like packs admit no one under the minimum age whatever a guardian says; 002-like packs admit
 * a minor as PENDING, decided as a minor without consent, until the guardian confirms with the
 * one-time token the gateway left for them — from an account of their own, never the child's; an
 * admitted band (004-like 13–15) registers on its own. Through the pipeline, real tokens, real DB.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardianConfirmationModel, userModel } from '../../src/features/users/index.js';
import { loadPolicyPack, PackError } from '../../src/governance/packs/index.js';
import {
  ConfirmGuardianConsentDocument, MyGuardianStatusDocument, PolicyDocument, RecordOfProcessingDocument, RegisterAccountDocument, RequestGuardianConfirmationDocument, UserDocument,
} from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { packOver, policyDir } from '../helpers/policy-dir.js';
import { redactionAt } from '../helpers/redactions.js';

const tenant = 'gd';
const YEAR = 365.25 * 86_400_000;
const bornYearsAgo = (years: number): string => new Date(Date.now() - years * YEAR).toISOString().slice(0, 10);

/** 002-like: under 18 only with the guardian's confirmed consent; nobody under 6. */
const CONFIRMED = packOver('ihuman', {
  minimumAge: { age: 6, source: 'test: nobody under 6' },
  guardian: { mode: 'confirmed', belowAge: 18, source: '002 §7 (test): minors need verifiable guardian consent' },
});

interface Outbox {
  dir: string;
  /** The messages left so far, oldest first. */
  messages(): Promise<{ to: string; childName: string; token: string; tenant: string }[]>;
}
async function outbox(): Promise<Outbox> {
  const dir = await mkdtemp(join(tmpdir(), 'govgate-test-outbox-'));
  return {
    dir,
    async messages() {
      const files = (await readdir(dir)).sort();
      return Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as { to: string; childName: string; token: string; tenant: string }));
    },
  };
}

const gatewayWith = async (pack: Record<string, unknown>, box?: Outbox): Promise<TestGateway> =>
  startTestGateway({
    name: import.meta.url,
    env: { POLICY_DIR: await policyDir({ packs: { ihuman: pack } }), POLICY_PACK: 'ihuman', ...(box ? { GUARDIAN_OUTBOX_DIR: box.dir } : {}) },
  });

const register = (t: TestGateway, token: string, name: string, birthDate: string, guardian?: { name: string; email: string; consent: boolean }) =>
  t.execute(RegisterAccountDocument, { input: { displayName: name, email: `${name.toLowerCase()}@example.com`, birthDate, country: 'FR', ...(guardian ? { guardian } : {}) } }, { token });

describe('003: no guardian route', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ name: import.meta.url });
  });
  afterAll(() => t.close());

  it('refuses under 16 whatever the guardian says, admits 16 on their own', async () => {
    const kid = await register(t, await t.token('kid', tenant, ['user']), 'Kid', bornYearsAgo(15), { name: 'Parent', email: 'parent@example.com', consent: true });
    expect(kid.errors?.[0]?.extensions?.code).toBe('AGE_RESTRICTED');
    expect(kid.errors?.[0]?.message).toMatch(/whatever a guardian says \(003 §10/);
    expect(await userModel(t.connection).countDocuments({ tenant, subject: 'kid' })).toBe(0);
    const teen = await t.token('teen', tenant, ['user']);
    expect((await register(t, teen, 'Teen', bornYearsAgo(16.1))).errors).toBeUndefined();
    expect((await t.execute(MyGuardianStatusDocument, {}, { token: teen })).data?.me?.guardianStatus).toBe('NOT_REQUIRED');
  });
});

describe('002-like: a guardian\'s consent confirmed by the guardian', () => {
  let t: TestGateway;
  let box: Outbox;
  let kim: string;
  beforeAll(async () => {
    box = await outbox();
    t = await gatewayWith(CONFIRMED, box);
    kim = await t.token('kim', tenant, ['user']);
  });
  afterAll(() => t.close());

  const displayNameAsService = async (subject: string) => t.execute(UserDocument, { id: subject }, { token: await t.token('svc', tenant, ['service']) });

  it('refuses a minor who names no guardian', async () => {
    const res = await register(t, kim, 'Kim', bornYearsAgo(15));
    expect(res.errors?.[0]?.extensions?.code).toBe('AGE_RESTRICTED');
    expect(res.errors?.[0]?.message).toMatch(/guardian's name and e-mail.*002 §7/);
  });

  it('admits the minor as PENDING; the child\'s own consent flag counts for nothing; the token goes to the guardian only', async () => {
    const res = await register(t, kim, 'Kim', bornYearsAgo(15), { name: 'Gwen Guardian', email: 'gwen@example.com', consent: true });
    expect(res.errors).toBeUndefined();
    expect(JSON.stringify(res)).not.toMatch(/token/i);
    expect((await t.execute(MyGuardianStatusDocument, {}, { token: kim })).data?.me?.guardianStatus).toBe('PENDING');
    const stored = await userModel(t.connection).findOne({ tenant, subject: 'kim' }).lean();
    expect(stored?.guardian).toMatchObject({ name: 'Gwen Guardian', email: 'gwen@example.com', consent: false });
    const [message, ...more] = await box.messages();
    expect(more).toEqual([]);
    expect(message).toMatchObject({ to: 'gwen@example.com', childName: 'Kim', tenant, token: expect.stringMatching(/^[0-9a-f-]+\.[A-Za-z0-9_-]{43}$/) });
    // The token is in the outbox only, not in the database.
    const record = await guardianConfirmationModel(t.connection).findOne({ tenant, subject: 'kim' }).lean();
    expect(JSON.stringify(record)).not.toContain(message!.token.split('.')[1]);
  });

  it('until confirmed the account is decided as a minor without consent: others see nothing but what a legal obligation needs; the child sees their own', async () => {
    const service = await displayNameAsService('kim');
    expect(service.data?.user?.displayName).toBe('K…');
    expect(redactionAt(service, ['user', 'displayName'])).toMatchObject({ reason: 'MINOR' });
    const officer = await t.execute(UserDocument, { id: 'kim' }, { token: await t.token('dpo', tenant, ['compliance_officer']) });
    expect(officer.data?.user?.displayName).toBe('Kim');
    const own = await t.execute(UserDocument, { id: 'kim' }, { token: kim });
    expect(own.data?.user?.displayName).toBe('Kim');
  });

  it('refuses the child\'s own confirmation, another tenant\'s, and a forged token — all without a change', async () => {
    const [message] = await box.messages();
    const byChild = await t.execute(ConfirmGuardianConsentDocument, { token: message!.token }, { token: kim });
    expect(byChild.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const otherTenant = await t.execute(ConfirmGuardianConsentDocument, { token: message!.token }, { token: await t.token('gwen', 'elsewhere', ['user']) });
    expect(otherTenant.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const [id] = message!.token.split('.');
    const forged = await t.execute(ConfirmGuardianConsentDocument, { token: `${id}.${'A'.repeat(43)}` }, { token: await t.token('gwen', tenant, ['user']) });
    expect(forged.errors?.[0]).toMatchObject({ message: 'token: invalid, expired or replaced by a newer one', extensions: { code: 'BAD_USER_INPUT' } });
    expect(JSON.stringify(forged)).not.toContain('AAAA');
    // A record a database writer inserts has no token that redeems it.
    await guardianConfirmationModel(t.connection).collection.insertOne({ _id: 'f0rged' as never, tenant, subject: 'kim', expiresAt: new Date(Date.now() + YEAR), status: 'PENDING', createdAt: new Date() });
    const planted = await t.execute(ConfirmGuardianConsentDocument, { token: 'f0rged.xyz' }, { token: await t.token('gwen', tenant, ['user']) });
    expect(planted.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await t.execute(MyGuardianStatusDocument, {}, { token: kim })).data?.me?.guardianStatus).toBe('PENDING');
  });

  it('the guardian confirms with an account of their own: the child is then processed, still as a minor', async () => {
    const [message] = await box.messages();
    const gwen = await t.token('gwen', tenant, ['user']);
    const confirmed = await t.execute(ConfirmGuardianConsentDocument, { token: message!.token }, { token: gwen });
    expect(confirmed.errors).toBeUndefined();
    expect(confirmed.data?.confirmGuardianConsent.status).toBe('CONFIRMED');
    expect((await t.execute(MyGuardianStatusDocument, {}, { token: kim })).data?.me?.guardianStatus).toBe('CONFIRMED');
    expect((await displayNameAsService('kim')).data?.user?.displayName).toBe('Kim');
    expect(await userModel(t.connection).findOne({ tenant, subject: 'kim' }).lean()).toMatchObject({ guardian: { consent: true, confirmedBy: 'gwen' } });
    // Redeeming again changes nothing.
    expect((await t.execute(ConfirmGuardianConsentDocument, { token: message!.token }, { token: gwen })).data?.confirmGuardianConsent.status).toBe('CONFIRMED');
  });

  it('a consent flag written into the database is not a confirmation: the record stops verifying and is decided most restrictively', async () => {
    const lea = await t.token('lea', tenant, ['user']);
    expect((await register(t, lea, 'Lea', bornYearsAgo(14), { name: 'Leo', email: 'leo@example.com', consent: true })).errors).toBeUndefined();
    await userModel(t.connection).collection.updateOne({ tenant, subject: 'lea' }, { $set: { 'guardian.consent': true } });
    expect((await displayNameAsService('lea')).data?.user?.displayName).toBe('L…');
  });

  it('the child can name their guardian again: earlier tokens stop working, the new one confirms', async () => {
    const max = await t.token('max', tenant, ['user']);
    expect((await register(t, max, 'Max', bornYearsAgo(12), { name: 'Old Address', email: 'old@example.com', consent: false })).errors).toBeUndefined();
    const again = await t.execute(RequestGuardianConfirmationDocument, { guardian: { name: 'Mara', email: 'mara@example.com' } }, { token: max });
    expect(again.data?.requestGuardianConfirmation.guardianStatus).toBe('PENDING');
    const forMax = (await box.messages()).filter((m) => m.childName === 'Max');
    expect(forMax.map((m) => m.to)).toEqual(['old@example.com', 'mara@example.com']);
    const mara = await t.token('mara', tenant, ['user']);
    expect((await t.execute(ConfirmGuardianConsentDocument, { token: forMax[0]!.token }, { token: mara })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await t.execute(ConfirmGuardianConsentDocument, { token: forMax[1]!.token }, { token: mara })).data?.confirmGuardianConsent.status).toBe('CONFIRMED');
    // Nothing left to ask for, and an adult never needs it.
    expect((await t.execute(RequestGuardianConfirmationDocument, { guardian: { name: 'M', email: 'm@example.com' } }, { token: max })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const ada = await t.token('ada', tenant, ['user']);
    expect((await register(t, ada, 'Ada', '1980-01-01')).errors).toBeUndefined();
    expect((await t.execute(RequestGuardianConfirmationDocument, { guardian: { name: 'M', email: 'm@example.com' } }, { token: ada })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('publishes the route in policy and the record of processing', async () => {
    const policy = await t.execute(PolicyDocument, {}, { token: kim });
    expect(policy.data?.policy).toMatchObject({ minimumAge: 6, guardian: { mode: 'confirmed', belowAge: 18 }, admittedBand: null });
    const record = await t.execute(RecordOfProcessingDocument, {}, { token: await t.token('dpo', tenant, ['compliance_officer']) });
    expect(record.data?.recordOfProcessing.categoriesOfSubjects).toContainEqual(expect.stringMatching(/^users under 18 only with their guardian's confirmed consent \(002 §7/));
  });
});

describe('004-like: under 13 refused, 13–15 admitted on their own', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await gatewayWith(
      packOver('ihuman', {
        minimumAge: { age: 13, source: '004 §9.1 (test): not intended for users under 13' },
        guardian: { mode: 'confirmed', belowAge: 16, source: 'GDPR Art. 8(1) (test)' },
        admittedBand: { fromAge: 13, belowAge: 16, source: '004 §9.1 (test): 13 and over register themselves' },
        minors: { age: 18, restrictedPurposes: ['marketing.communications', 'train_ai_system', 'functional.service.improve', 'personalize', 'third_party_sharing'], source: 'test' },
      }),
    );
  });
  afterAll(() => t.close());

  it('refuses 12 whatever the guardian says, admits 14 without a guardian, decided as a minor only where minors are restricted', async () => {
    const twelve = await register(t, await t.token('twelve', tenant, ['user']), 'Twelve', bornYearsAgo(12.5), { name: 'P', email: 'p@example.com', consent: true });
    expect(twelve.errors?.[0]?.extensions?.code).toBe('AGE_RESTRICTED');
    const fourteen = await t.token('fourteen', tenant, ['user']);
    expect((await register(t, fourteen, 'Fourteen', bornYearsAgo(14.5))).errors).toBeUndefined();
    expect((await t.execute(MyGuardianStatusDocument, {}, { token: fourteen })).data?.me?.guardianStatus).toBe('NOT_REQUIRED');
    const service = await t.execute(UserDocument, { id: 'fourteen' }, { token: await t.token('svc', tenant, ['service']) });
    expect(service.data?.user?.displayName).toBe('Fourteen');
    const record = await t.execute(RecordOfProcessingDocument, {}, { token: await t.token('dpo', tenant, ['compliance_officer']) });
    expect(record.data?.recordOfProcessing.categoriesOfSubjects).toContainEqual(expect.stringMatching(/^users aged 13–15 admitted on their own \(004 §9\.1/));
  });
});

describe('age rules that cannot mean what they say do not load', () => {
  const issuesOf = async (rules: Record<string, unknown>): Promise<string[]> => {
    try {
      loadPolicyPack('ihuman', await policyDir({ packs: { ihuman: packOver('ihuman', rules) } }));
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(PackError);
      return (error as Error).message.split('\n').slice(1).map((l) => l.replace(/^\s+- /, ''));
    }
  };

  it('names each', async () => {
    const minimum = (age: number) => ({ age, source: 'test' });
    expect(await issuesOf({ minimumAge: minimum(16), guardian: { mode: 'confirmed', belowAge: 16, source: 'test' } })).toEqual([expect.stringMatching(/^\[guardian-unreachable\] /)]);
    expect(await issuesOf({ minimumAge: minimum(6), guardian: { mode: 'confirmed', belowAge: 21, source: 'test' } })).toEqual([expect.stringMatching(/^\[guardian-not-minor\] guardian below 21, minors below 18/)]);
    expect(await issuesOf({ admittedBand: { fromAge: 10, belowAge: 16, source: 'test' } })).toEqual([expect.stringMatching(/^\[band-below-minimum\] admitted band from 10, minimum age 13/)]);
    expect(await issuesOf({ admittedBand: { fromAge: 14, belowAge: 14, source: 'test' } })).toEqual([expect.stringMatching(/^\[band-empty\] /)]);
    expect(await issuesOf({ guardian: { mode: 'none', belowAge: 16, source: 'test' } })).toEqual([expect.stringMatching(/^guardian: /)]);
    expect(await issuesOf({ guardian: { mode: 'flag', source: 'test' } })).toEqual([expect.stringMatching(/^guardian\.mode: /)]);
  });
});
