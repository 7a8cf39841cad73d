/**
 * Per-pack field purpose overrides (`fieldPurposes: [{ coordinate, add, remove, source }]`): the
 * plan decides on the pack's effective purposes, `dataMap` and the record of processing show them,
 * and a rule naming a field or purpose that is not there stops the gateway from starting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { governedFieldsOf } from '../../src/governance/index.js';
import { loadPolicyPack, PackError } from '../../src/governance/packs/index.js';
import { buildSchema } from '../../src/schema.js';
import { DataMapDocument, GrantConsentDocument, RecordOfProcessingDocument, RegisterAccountDocument, UserDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { packOver, policyDir, shippedPack } from '../helpers/policy-dir.js';
import { redactionAt } from '../helpers/redactions.js';

const tenant = 'fp';
const SMS = { coordinate: 'User.phone', add: ['marketing.communications'], source: '002 1.2(6) (test): commercial SMS to the registered phone number, with consent' };

/** base's grants plus a platform mailer that may text users for marketing (consent still decides per value). */
async function packWith(rules: Record<string, unknown>): Promise<Record<string, unknown>> {
  const base = await shippedPack('base');
  const grants = [...(base.grants as unknown[]), { role: 'service', scope: 'tenant', categories: ['user.unique_id', 'user.contact.phone_number'], purposes: ['marketing.communications'], source: 'test: the SMS sender' }];
  return packOver('ihuman', { grants, ...rules });
}

const gatewayWith = async (pack: Record<string, unknown>): Promise<TestGateway> =>
  startTestGateway({ name: import.meta.url, env: { POLICY_DIR: await policyDir({ packs: { ihuman: pack } }), POLICY_PACK: 'ihuman' } });

async function registerPaula(t: TestGateway): Promise<string> {
  const token = await t.token('paula', tenant, ['user']);
  const res = await t.execute(RegisterAccountDocument, { input: { displayName: 'Paula', email: 'paula@example.com', phone: '+33 6 11 22 33 44', birthDate: '1987-03-03', country: 'FR' } }, { token });
  expect(res.errors).toBeUndefined();
  return token;
}

const phoneForMarketing = async (t: TestGateway) =>
  t.execute(UserDocument, { id: 'paula' }, { token: await t.token('sms', tenant, ['service']), headers: { 'x-purpose': 'marketing.communications' } });

describe('a pack that adds SMS marketing to User.phone', () => {
  let t: TestGateway;
  let paula: string;
  beforeAll(async () => {
    t = await gatewayWith(await packWith({ fieldPurposes: [SMS] }));
    paula = await registerPaula(t);
  });
  afterAll(() => t.close());

  it('releases the phone for marketing only with consent (the purpose now reaches the field; consent decides)', async () => {
    const before = await phoneForMarketing(t);
    expect(before.data?.user?.phone).toBe('+** * ** ** ** 44');
    expect(redactionAt(before, ['user', 'phone'])).toMatchObject({ reason: 'WITHHELD' });
    expect((await t.execute(GrantConsentDocument, { purpose: 'marketing.communications' }, { token: paula })).errors).toBeUndefined();
    const after = await phoneForMarketing(t);
    expect(after.data?.user?.phone).toBe('+33 6 11 22 33 44');
    expect(redactionAt(after, ['user', 'phone'])).toBeUndefined();
  });

  it('shows the effective purposes in the data map (with the schema\'s and the rule\'s clause) and the record of processing', async () => {
    const map = await t.execute(DataMapDocument, {}, { token: await t.token('dev', tenant, ['developer']) });
    const phone = map.data!.dataMap.find((e) => e.type === 'User' && e.field === 'phone')!;
    expect(phone.purposes).toEqual(['essential.service', 'essential.legal_obligation', 'marketing.communications']);
    expect(phone.declaredPurposes).toEqual(['essential.service', 'essential.legal_obligation']);
    expect(phone.purposesSource).toBe(SMS.source);
    expect(phone.purposeEntries.map((p) => p.name)).toContain('Marketing Communications');
    const email = map.data!.dataMap.find((e) => e.type === 'User' && e.field === 'email')!;
    expect(email.purposesSource).toBeNull();
    const record = await t.execute(RecordOfProcessingDocument, { article: 'PROCESSOR' }, { token: await t.token('dpo', tenant, ['compliance_officer']) });
    expect(record.data!.recordOfProcessing.categoriesOfData.find((c) => c.category === 'user.contact.phone_number')?.purposes).toContain('marketing.communications');
  });
});

describe('the same grants without the override', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await gatewayWith(await packWith({}));
    const paula = await registerPaula(t);
    await t.execute(GrantConsentDocument, { purpose: 'marketing.communications' }, { token: paula });
  });
  afterAll(() => t.close());

  it('keeps the phone out of marketing whatever the consent: the field does not serve the purpose (PURPOSE)', async () => {
    const res = await phoneForMarketing(t);
    expect(res.data?.user?.phone).toBe('+** * ** ** ** 44');
    expect(redactionAt(res, ['user', 'phone'])).toMatchObject({ reason: 'PURPOSE' });
  });
});

describe('a pack that removes a purpose', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await gatewayWith(packOver('ihuman', { fieldPurposes: [{ coordinate: 'User.birthDate', remove: ['analytics.reporting'], source: 'test: no age statistics' }] }));
    await registerPaula(t);
  });
  afterAll(() => t.close());

  it('stops the analyst reading the birth date (PURPOSE), where the shipped classification would release it', async () => {
    const res = await t.execute(UserDocument, { id: 'paula' }, { token: await t.token('ana', tenant, ['analyst']) });
    expect(res.data?.user?.birthDate).toBe('1987-01-01');
    expect(redactionAt(res, ['user', 'birthDate'])).toMatchObject({ reason: 'PURPOSE' });
    // Other fields are untouched: country still serves analytics.
    expect(res.data?.user?.country).toBe('FR');
  });
});

describe('field purpose rules are checked against the served schema', () => {
  const fields = governedFieldsOf(buildSchema());
  const issuesOf = async (fieldPurposes: unknown[]): Promise<string[]> => {
    try {
      loadPolicyPack('ihuman', await policyDir({ packs: { ihuman: packOver('ihuman', { fieldPurposes }) } }), { fields });
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(PackError);
      return (error as Error).message.split('\n').slice(1).map((l) => l.replace(/^\s+- /, ''));
    }
  };

  it('names an unknown coordinate, an undeclared removal, a redundant addition, a non-personal field and a duplicate', async () => {
    expect(await issuesOf([{ coordinate: 'User.phon', add: ['marketing.communications'], source: 'test: typo' }])).toEqual([expect.stringMatching(/^\[field-purposes\] coordinate User\.phon: no governed field has this coordinate/)]);
    expect(await issuesOf([{ coordinate: 'User.phone', remove: ['marketing'], source: 'test' }])).toEqual([
      expect.stringMatching(/^\[field-purposes\] coordinate User\.phone: removes marketing, which the field does not declare/),
    ]);
    expect(await issuesOf([{ coordinate: 'User.email', add: ['marketing.communications'], source: 'test' }])).toEqual([expect.stringMatching(/adds marketing\.communications, already covered by marketing\.communications/)]);
    expect(await issuesOf([{ coordinate: 'Message.createdAt', add: ['marketing.communications'], source: 'test' }])).toEqual([expect.stringMatching(/coordinate Message\.createdAt: not personal data/)]);
    expect(await issuesOf([SMS, SMS])).toEqual([expect.stringMatching(/coordinate User\.phone: listed twice/)]);
    expect(await issuesOf([SMS])).toEqual([]);
  });

  it('refuses a malformed coordinate or an unknown purpose at validation', async () => {
    expect(await issuesOf([{ coordinate: 'phone', add: ['marketing.communications'], source: 'test' }])).toEqual([expect.stringMatching(/^fieldPurposes\.0\.coordinate: a field coordinate is Type\.field/)]);
    expect(await issuesOf([{ coordinate: 'User.phone', add: ['marketing.sms'], source: 'test' }])).toEqual([expect.stringMatching(/^fieldPurposes\.0\.add\.0: unknown purpose/)]);
  });

  it('a gateway does not start on a pack naming a field its schema lacks', async () => {
    const pack = await packWith({ fieldPurposes: [{ ...SMS, coordinate: 'User.mobile' }] });
    await expect(gatewayWith(pack)).rejects.toThrow(/\[field-purposes\] coordinate User\.mobile: no governed field has this coordinate/);
  });
});
