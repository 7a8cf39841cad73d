/** Clauses of seed 000 (Human Intelligence Platform, Russian law) under the shipped `ihuman` pack. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationDocument, MeDocument, PolicyFactsDocument, RecordFactsDocument, UserWithContentDocument } from '../generated/graphql.js';
import { packHarness, reasonsAt, type PackHarness } from './pack-harness.js';

let h: PackHarness;
let ivan: { token: string; conversationId: string };
beforeAll(async () => {
  h = await packHarness('ihuman', import.meta.url);
  ivan = await h.subject('ivan', 'canary-ivan-history');
  await h.subject('olga', 'canary-olga-history');
  await h.consent('olga', 'train_ai_system');
});
afterAll(() => h.close());

describe('seed 000 (ihuman)', () => {
  it('000 §2.4: the platform service reads conversation history to answer', async () => {
    const res = await h.t.execute(ConversationDocument, { id: ivan.conversationId }, { token: await h.as('svc', ['service']) });
    expect(res.data?.conversation?.messages.map((m) => m.content)).toEqual(['canary-ivan-history']);
  });

  it('000 §2.7: an analyst reads no single record (aggregates only)', async () => {
    const res = await h.t.execute(UserWithContentDocument, { id: 'ivan' }, { token: await h.as('ana', ['analyst']) });
    expect(res.data?.user?.country).toBeNull();
    expect(reasonsAt(res.extensions, ['user', 'country'])).toEqual(['ROLE']);
  });

  it('000 §2.7: identifiable content reaches model training only with consent', async () => {
    const ml = await h.as('mo', ['ml_engineer']);
    const without = await h.t.execute(UserWithContentDocument, { id: 'ivan' }, { token: ml });
    expect(JSON.stringify(without.data)).not.toContain('canary-ivan-history');
    const withConsent = await h.t.execute(UserWithContentDocument, { id: 'olga' }, { token: ml });
    expect(withConsent.data?.user?.conversations.flatMap((c) => c.messages.map((m) => m.content))).toEqual(['canary-olga-history']);
  });

  it('000 §4.3: no role may declare third-party sharing', async () => {
    for (const role of ['user', 'service', 'support', 'ml_engineer', 'analyst', 'tenant_admin', 'compliance_officer', 'developer']) {
      const res = await h.t.execute(MeDocument, {}, { token: await h.as('x', [role]), headers: { 'x-purpose': 'third_party_sharing' } });
      expect(res.errors?.[0]?.extensions?.code, role).toBe('PURPOSE_NOT_ALLOWED');
    }
  });

  it('000 §4.2: policy names Telegram, OpenAI and Anthropic as the third-party services, countries not stated', async () => {
    const res = await h.t.execute(PolicyFactsDocument, {}, { token: ivan.token });
    const facts = res.data!.policy.facts;
    expect(facts.subProcessors.map((s) => s.name)).toEqual(['Telegram', 'OpenAI', 'Anthropic']);
    expect(facts.subProcessors.every((s) => s.country === null)).toBe(true);
    expect(facts).toMatchObject({ seed: '000', framework: 'RU-152-FZ', country: 'RU', dpoContact: null, controllerContact: 'support@ihuman.tech' });
  });

  it('000 §6.1, §6.3: the record of processing names Russian law and no invented DPO or transfer safeguard', async () => {
    const res = await h.t.execute(RecordFactsDocument, { article: 'CONTROLLER' }, { token: await h.as('cora', ['compliance_officer']) });
    const record = res.data!.recordOfProcessing;
    expect(record.markdown).toContain('laws of the Russian Federation');
    expect(record.markdown).toContain('Data protection officer: not stated');
    expect(record.transfers).toContain('no transfer safeguards named');
  });
});
