/**
 * Objectable purposes per pack (`objectable: [{ purpose, source }]`, GDPR Art. 21):
 * objectToProcessing accepts only what the pack lists (never `essential`), withdrawObjection lifts
 * an objection, both through the sealed writer (a tampered record is refused, never re-sealed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userModel } from '../../src/features/users/index.js';
import { loadPolicyPack, PackError } from '../../src/governance/packs/index.js';
import { AuditEventsDocument, MyObjectionsDocument, ObjectToProcessingDocument, PolicyDocument, RegisterAccountDocument, UserDocument, WithdrawObjectionDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { packOver, policyDir } from '../helpers/policy-dir.js';
import { redactionAt } from '../helpers/redactions.js';
import { rowLevelAnalysts } from '../helpers/policy-dir.js';

const tenant = 'obj';

async function register(t: TestGateway, subject: string): Promise<string> {
  const token = await t.token(subject, tenant, ['user']);
  const res = await t.execute(RegisterAccountDocument, { input: { displayName: subject, email: `${subject}@example.com`, birthDate: '1984-06-15', country: 'FR' } }, { token });
  expect(res.errors).toBeUndefined();
  return token;
}

describe('under the shipped pack (deepailab: legitimate interests, marketing, profiling, training; 003 §7)', () => {
  let t: TestGateway;
  let olive: string;
  beforeAll(async () => {
    t = await startTestGateway({ name: import.meta.url, env: { POLICY_DIR: await rowLevelAnalysts() } });
    olive = await register(t, 'olive');
  });
  afterAll(() => t.close());

  const birthDateAsAnalyst = async () => t.execute(UserDocument, { id: 'olive' }, { token: await t.token('ana', tenant, ['analyst']) });

  it('publishes what may be objected to, with the clause', async () => {
    const res = await t.execute(PolicyDocument, {}, { token: olive });
    expect(res.data?.policy.objectablePurposes.map((o) => o.purpose)).toEqual(['marketing', 'analytics', 'personalize', 'train_ai_system', 'functional.service.improve']);
    // Each cites the clause of 003 it rests on (§7 Objection).
    expect(res.data?.policy.objectablePurposes.every((o) => /^003 §7 Objection/.test(o.source))).toBe(true);
  });

  it('refuses an objection to essential processing or a legal obligation (BAD_USER_INPUT, nothing changes, nothing echoed)', async () => {
    for (const purpose of ['essential', 'essential.service', 'essential.legal_obligation', 'essential.service.security']) {
      const res = await t.execute(ObjectToProcessingDocument, { purpose }, { token: olive });
      expect(res.errors?.[0]?.extensions?.code, purpose).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toBe('purpose: not open to objection under the active policy (see policy.objectablePurposes)');
    }
    const unknown = await t.execute(ObjectToProcessingDocument, { purpose: 'essential.secret-canary' }, { token: olive });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(unknown.errors)).not.toContain('secret-canary');
    expect((await t.execute(MyObjectionsDocument, {}, { token: olive })).data?.me?.objections).toEqual([]);
  });

  it('an objection to analytics.reporting stops the analyst; withdrawing it lets analytics resume', async () => {
    expect((await birthDateAsAnalyst()).data?.user?.birthDate).toBe('1984-06-15');

    const objected = await t.execute(ObjectToProcessingDocument, { purpose: 'analytics.reporting' }, { token: olive });
    expect(objected.data?.objectToProcessing.objections).toEqual(['analytics.reporting']);
    const stopped = await birthDateAsAnalyst();
    // Generalised to the year (the field's strategy).
    expect(stopped.data?.user?.birthDate).toBe('1984-01-01');
    // The analyst is not granted the subject's privacy choices: the reason is withheld from them, kept in the audit.
    expect(redactionAt(stopped, ['user', 'birthDate'])).toMatchObject({ reason: 'WITHHELD' });
    const auditId = (stopped.extensions?.governance as { auditId: string }).auditId;
    const events = await t.execute(AuditEventsDocument, { filter: { actor: 'ana' }, first: 100 }, { token: await t.token('dpo', tenant, ['compliance_officer']) });
    const event = events.data!.auditEvents.edges.find((e) => e.node.id === auditId)!.node;
    expect(event.decisions.find((d) => d.coordinate === 'User.birthDate')).toMatchObject({ decision: 'REDACT', reason: 'OBJECTED', subject: 'olive' });

    const withdrawn = await t.execute(WithdrawObjectionDocument, { purpose: 'analytics.reporting' }, { token: olive });
    expect(withdrawn.data?.withdrawObjection.objections).toEqual([]);
    expect((await birthDateAsAnalyst()).data?.user?.birthDate).toBe('1984-06-15');
    // Withdrawing an objection that is not on record changes nothing.
    expect((await t.execute(WithdrawObjectionDocument, { purpose: 'marketing' }, { token: olive })).data?.withdrawObjection.objections).toEqual([]);
  });

  it('withdrawObjection goes through the sealed writer: an objection removed in the database is not laundered, the change is refused', async () => {
    const oscar = await register(t, 'oscar');
    expect((await t.execute(ObjectToProcessingDocument, { purpose: 'analytics' }, { token: oscar })).errors).toBeUndefined();
    await userModel(t.connection).collection.updateOne({ tenant, subject: 'oscar' }, { $set: { objections: [] } });
    const res = await t.execute(WithdrawObjectionDocument, { purpose: 'analytics' }, { token: oscar });
    expect(res.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    // Still decided most restrictively (a record that does not verify is restricted).
    const analyst = await t.execute(UserDocument, { id: 'oscar' }, { token: await t.token('ana', tenant, ['analyst']) });
    expect(analyst.data?.user?.birthDate).toBe('1984-01-01');
  });

  it('needs an account', async () => {
    const res = await t.execute(WithdrawObjectionDocument, { purpose: 'analytics' }, { token: await t.token('ghost', tenant, ['user']) });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('a pack that opens only marketing to objection', () => {
  let t: TestGateway;
  beforeAll(async () => {
    const pack = packOver('ihuman', { objectable: [{ purpose: 'marketing', source: 'test: only marketing' }] });
    t = await startTestGateway({ name: import.meta.url, env: { POLICY_DIR: await policyDir({ packs: { ihuman: pack } }), POLICY_PACK: 'ihuman' } });
  });
  afterAll(() => t.close());

  it('accepts marketing and its children, refuses analytics', async () => {
    const token = await register(t, 'mona');
    expect((await t.execute(ObjectToProcessingDocument, { purpose: 'marketing.communications' }, { token })).data?.objectToProcessing.objections).toEqual(['marketing.communications']);
    expect((await t.execute(ObjectToProcessingDocument, { purpose: 'analytics' }, { token })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('objectable rules', () => {
  it('may not open a legal obligation to objection', async () => {
    const dir = await policyDir({ packs: { ihuman: packOver('ihuman', { objectable: [{ purpose: 'essential', source: 'test: everything' }] }) } });
    expect(() => loadPolicyPack('ihuman', dir)).toThrow(PackError);
    expect(() => loadPolicyPack('ihuman', dir)).toThrow(/\[objectable-legal-obligation\] purpose essential: covers essential\.legal_obligation/);
  });
});
