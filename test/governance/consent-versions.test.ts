/**
 * Consent versioned per purpose (pack `consent: [{ purpose, version, source }]`): a consent counts
 * when recorded under its purpose's current terms version, so a pack change that alters one
 * purpose's terms re-asks consent for that purpose only. Two gateways on one database, the second
 * with the changed pack, through the pipeline with real tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyPack, PackError } from '../../src/governance/packs/index.js';
import { ConversationDocument, GrantConsentDocument, PolicyDocument, RegisterAccountDocument, StartConversationDocument, AddMessageDocument, UserDocument, WithdrawConsentDocument } from '../generated/graphql.js';
import { testDatabaseName } from '../helpers/database.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { packOver, policyDir } from '../helpers/policy-dir.js';
import { redactionAt } from '../helpers/redactions.js';

const tenant = 'cv';
const dbName = testDatabaseName(import.meta.url);

/** Marketing e-mail to other subjects by a platform service, with consent; training as in base. */
const packWith = (version: string, marketingTerms: string) =>
  packOver('ihuman', {
    version,
    consent: [
      { purpose: 'marketing.communications', version: marketingTerms, source: 'test: marketing terms' },
      { purpose: 'train_ai_system', version: 'train-1', source: 'test: training terms' },
      { purpose: 'functional.service.improve', version: 'improve-1', source: 'test: improvement terms' },
    ],
    grants: [
      { role: 'user', scope: 'own', categories: ['user'], purposes: ['essential.service', 'marketing.communications'], source: 'test: own data' },
      { role: 'service', scope: 'tenant', categories: ['user.unique_id', 'user.contact.email'], purposes: ['marketing.communications'], source: 'test: the mailer sends marketing to consenting users' },
      { role: 'ml_engineer', scope: 'tenant', categories: ['user.unique_id', 'user.content.private'], purposes: ['train_ai_system'], source: 'test: training with consent' },
      { role: 'developer', scope: 'tenant', categories: ['user.unique_id'], purposes: ['essential.service'], source: 'test: developers' },
    ],
  });

const start = async (pack: Record<string, unknown>, keep: boolean): Promise<TestGateway> =>
  startTestGateway({ name: import.meta.url, dbName, keepDatabase: keep, env: { POLICY_DIR: await policyDir({ packs: { ihuman: pack } }), POLICY_PACK: 'ihuman' } });

describe('a pack change re-asks consent only where the terms changed', () => {
  let v1: TestGateway;
  let v2: TestGateway | undefined;
  let conversationId = '';
  const emailAs = async (t: TestGateway) =>
    t.execute(UserDocument, { id: 'uma' }, { token: await t.token('mailer', tenant, ['service']), headers: { 'x-purpose': 'marketing.communications' } });
  /** What training sees of the subject's messages (without consent: none, the list is dropped). */
  const messagesAs = async (t: TestGateway): Promise<(string | null)[] | undefined> => {
    const res = await t.execute(ConversationDocument, { id: conversationId }, { token: await t.token('mia', tenant, ['ml_engineer']), headers: { 'x-purpose': 'train_ai_system' } });
    expect(res.errors).toBeUndefined();
    return res.data?.conversation?.messages.map((m) => m.content);
  };

  beforeAll(async () => {
    v1 = await start(packWith('cv-1', 'marketing-1'), true);
    const uma = await v1.token('uma', tenant, ['user']);
    expect((await v1.execute(RegisterAccountDocument, { input: { displayName: 'Uma', email: 'uma@example.com', birthDate: '1985-05-05', country: 'FR' } }, { token: uma })).errors).toBeUndefined();
    conversationId = (await v1.execute(StartConversationDocument, { title: 'Ideas' }, { token: uma })).data!.startConversation.id;
    await v1.execute(AddMessageDocument, { conversationId, role: 'USER', content: 'my training-worthy words' }, { token: uma });
  });
  afterAll(async () => {
    await v1.close();
    await v2?.close();
  });

  it('publishes each consent purpose with its own terms version', async () => {
    const res = await v1.execute(PolicyDocument, {}, { token: await v1.token('dev', tenant, ['developer']) });
    expect(res.data?.policy.version).toBe('cv-1');
    expect(res.data?.policy.consentPurposes).toEqual([
      { purpose: 'marketing.communications', version: 'marketing-1', source: 'test: marketing terms', name: 'Marketing Communications' },
      { purpose: 'train_ai_system', version: 'train-1', source: 'test: training terms', name: 'Train AI System' },
      { purpose: 'functional.service.improve', version: 'improve-1', source: 'test: improvement terms', name: 'Improve Service' },
    ]);
  });

  it('records a grant under the purpose\'s current version by default; an older version given explicitly is kept but does not count', async () => {
    const uma = await v1.token('uma', tenant, ['user']);
    const stale = await v1.execute(GrantConsentDocument, { purpose: 'train_ai_system', policyVersion: 'train-0' }, { token: uma });
    expect(stale.data?.grantConsent).toMatchObject({ purpose: 'train_ai_system', status: 'GRANTED', policyVersion: 'train-0' });
    expect(await messagesAs(v1)).toEqual([]);

    const training = await v1.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token: uma });
    expect(training.data?.grantConsent).toMatchObject({ purpose: 'train_ai_system', status: 'GRANTED', policyVersion: 'train-1' });
    const marketing = await v1.execute(GrantConsentDocument, { purpose: 'marketing.communications' }, { token: uma });
    expect(marketing.data?.grantConsent.policyVersion).toBe('marketing-1');
    // A purpose no consent rule covers is recorded under the pack's version.
    expect((await v1.execute(GrantConsentDocument, { purpose: 'analytics.reporting' }, { token: uma })).data?.grantConsent.policyVersion).toBe('cv-1');

    expect(await messagesAs(v1)).toEqual(['my training-worthy words']);
    expect((await emailAs(v1)).data?.user?.email).toBe('uma@example.com');
  });

  it('under a pack whose marketing terms changed: marketing needs a new consent, training does not', async () => {
    v2 = await start(packWith('cv-2', 'marketing-2'), false);
    const email = await emailAs(v2);
    expect(email.data?.user?.email).toBe('u***@example.com');
    expect(redactionAt(email, ['user', 'email'])).toMatchObject({ reason: 'WITHHELD', category: 'user.contact.email' });
    // Training's terms are unchanged: the consent given under train-1 still counts.
    expect(await messagesAs(v2)).toEqual(['my training-worthy words']);

    const uma = await v2.token('uma', tenant, ['user']);
    expect((await v2.execute(GrantConsentDocument, { purpose: 'marketing.communications' }, { token: uma })).data?.grantConsent.policyVersion).toBe('marketing-2');
    expect((await emailAs(v2)).data?.user?.email).toBe('uma@example.com');
    // A withdrawal is recorded under the current terms and stops it again.
    expect((await v2.execute(WithdrawConsentDocument, { purpose: 'marketing.communications' }, { token: uma })).data?.withdrawConsent).toMatchObject({ status: 'WITHDRAWN', policyVersion: 'marketing-2' });
    expect((await emailAs(v2)).data?.user?.email).toBe('u***@example.com');
  });
});

describe('consent rules', () => {
  it('need a version each, and one rule per purpose', async () => {
    const issuesOf = async (consent: unknown[]): Promise<string[]> => {
      try {
        loadPolicyPack('ihuman', await policyDir({ packs: { ihuman: packOver('ihuman', { consent }) } }));
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(PackError);
        return (error as Error).message.split('\n').slice(1).map((l) => l.replace(/^\s+- /, ''));
      }
    };
    const base = [
      { purpose: 'train_ai_system', version: 't', source: 'test' },
      { purpose: 'functional.service.improve', version: 'f', source: 'test' },
    ];
    expect(await issuesOf(base)).toEqual([]);
    expect(await issuesOf([...base, { purpose: 'marketing.communications', source: 'test: no version' }])).toEqual([expect.stringMatching(/^consent\.2\.version: /)]);
    expect(await issuesOf([...base, { purpose: 'train_ai_system', version: 't2', source: 'test: again' }])).toEqual([expect.stringMatching(/^\[consent-duplicate\] purpose train_ai_system: /)]);
  });
});
