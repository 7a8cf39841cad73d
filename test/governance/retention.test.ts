/**
 * Retention as a maximum or a legal-hold floor (pack `retention: [{ category, days, kind }]`),
 * through the pipeline on throwaway packs: a maximum redacts older values (RETENTION), a floor never
 * does and is not read as a maximum, the most specific category decides, and the data map and the
 * record of processing show what decisions enforce. Contradicting rules stop the pack loading.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationModel, messageModel } from '../../src/features/conversations/index.js';
import { loadPolicyPack, PackError } from '../../src/governance/packs/index.js';
import { ConversationDocument, DataMapDocument, RecordOfProcessingDocument, RegisterAccountDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { packOver, policyDir } from '../helpers/policy-dir.js';
import { redactionAt } from '../helpers/redactions.js';
import { encrypted } from '../helpers/encrypted.js';

const DAY = 86_400_000;
const tenant = 'ret';

/** Content (user.content.private) held at least 30 days; prompts (titles) at most 60; logs at most 365. */
const FLOOR_PACK = packOver('ihuman', {
  retention: [
    { category: 'user.content.private', days: 30, kind: 'floor', source: 'test: content is a legal record for 30 days' },
    { category: 'user.content.private.ai_prompt', days: 60, kind: 'max', source: 'test: prompts at most 60 days' },
  ],
});
/** The same content with a 30-day maximum instead. */
const MAX_PACK = packOver('ihuman', { retention: [{ category: 'user.content.private', days: 30, kind: 'max', source: 'test: content at most 30 days' }] });

async function gatewayWith(pack: Record<string, unknown>): Promise<TestGateway> {
  return startTestGateway({ name: import.meta.url, env: { POLICY_DIR: await policyDir({ packs: { ihuman: pack } }), POLICY_PACK: 'ihuman' } });
}

/** A registered user (through the API, so the record is sealed) with a conversation 100 days old. */
async function oldConversation(t: TestGateway, subject: string): Promise<string> {
  const token = await t.token(subject, tenant, ['user']);
  const reg = await t.execute(RegisterAccountDocument, { input: { displayName: 'Olga Old', email: `${subject}@example.com`, birthDate: '1980-01-01', country: 'FR' } }, { token });
  expect(reg.errors).toBeUndefined();
  const id = 'c0ffee'.padEnd(24, '0');
  const createdAt = new Date(Date.now() - 100 * DAY);
  // Raw inserts: the age is the point (mongoose timestamps would set it to now).
  await conversationModel(t.connection).collection.insertOne((await encrypted(t.connection, 'conversations', [{ _id: id as never, tenant, owner: subject, title: 'an old prompt', mipOptOut: false, createdAt, updatedAt: createdAt } as never]))[0]!);
  await messageModel(t.connection).collection.insertOne((await encrypted(t.connection, 'messages', [{ _id: 'beef'.padEnd(24, '0') as never, tenant, conversationId: id, owner: subject, role: 'USER', content: 'old content', mipOptOut: false, createdAt } as never]))[0]!);
  return id;
}

describe('a floor never redacts; a maximum does', () => {
  let t: TestGateway;
  let id: string;
  beforeAll(async () => {
    t = await gatewayWith(FLOOR_PACK);
    id = await oldConversation(t, 'olga');
  });
  afterAll(() => t.close());

  it('releases 100-day-old content under a 30-day floor, and redacts a 100-day-old prompt past its 60-day maximum', async () => {
    const res = await t.execute(ConversationDocument, { id }, { token: await t.token('svc', tenant, ['service']), headers: { 'x-purpose': 'essential.service' } });
    expect(res.errors).toBeUndefined();
    expect(res.data?.conversation?.messages.map((m) => m.content)).toEqual(['old content']);
    expect(redactionAt(res, ['conversation', 'messages', 0, 'content'])).toBeUndefined();
    expect(res.data?.conversation?.title).toBe('…');
    expect(redactionAt(res, ['conversation', 'title'])).toEqual({ path: ['conversation', 'title'], category: 'user.content.private.ai_prompt', reason: 'RETENTION', strategy: 'truncate' });
  });

  it('shows the floor as a floor, not a maximum, in the data map and the record of processing', async () => {
    const map = await t.execute(DataMapDocument, {}, { token: await t.token('dev', tenant, ['developer']) });
    const entry = (type: string, field: string) => map.data!.dataMap.find((e) => e.type === type && e.field === field);
    expect(entry('Message', 'content')).toMatchObject({ retention: null, retentionSource: null, retentionFloor: 'P30D', retentionFloorSource: 'test: content is a legal record for 30 days' });
    // The most specific category decides: the prompt's maximum, not the content floor.
    expect(entry('Conversation', 'title')).toMatchObject({ retention: 'P60D', retentionSource: 'test: prompts at most 60 days', retentionFloor: null });
    const record = await t.execute(RecordOfProcessingDocument, { article: 'PROCESSOR' }, { token: await t.token('dpo', tenant, ['compliance_officer']) });
    const rows = record.data!.recordOfProcessing.categoriesOfData;
    expect(rows.find((c) => c.category === 'user.content.private')).toMatchObject({ retention: null, retentionFloor: 'P30D' });
    expect(rows.find((c) => c.category === 'user.content.private.ai_prompt')).toMatchObject({ retention: 'P60D', retentionFloor: null });
    expect(record.data!.recordOfProcessing.markdown).toContain('at least P30D (legal hold)');
    expect(record.data!.recordOfProcessing.markdown).toContain('at most P60D');
  });
});

describe('the same content under a maximum', () => {
  let t: TestGateway;
  let id: string;
  beforeAll(async () => {
    t = await gatewayWith(MAX_PACK);
    id = await oldConversation(t, 'oleg');
  });
  afterAll(() => t.close());

  it('redacts 100-day-old content past a 30-day maximum', async () => {
    const res = await t.execute(ConversationDocument, { id }, { token: await t.token('svc', tenant, ['service']), headers: { 'x-purpose': 'essential.service' } });
    expect(res.data?.conversation?.messages[0]?.content).toBeNull();
    expect(redactionAt(res, ['conversation', 'messages', 0, 'content'])).toMatchObject({ reason: 'RETENTION' });
    // The owner's own data is always theirs to see.
    const own = await t.execute(ConversationDocument, { id }, { token: await t.token('oleg', tenant, ['user']) });
    expect(own.data?.conversation?.messages[0]?.content).toBe('old content');
  });
});

describe('contradicting retention rules do not load', () => {
  const issuesOf = async (retention: unknown[]): Promise<string[]> => {
    const dir = await policyDir({ packs: { ihuman: packOver('ihuman', { retention }) } });
    try {
      loadPolicyPack('ihuman', dir);
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(PackError);
      return (error as Error).message.split('\n').slice(1).map((l) => l.replace(/^\s+- /, ''));
    }
  };
  const rule = (category: string, days: number, kind: string) => ({ category, days, kind, source: `test ${kind} ${days}` });

  it('names two rules of one kind on one category', async () => {
    expect(await issuesOf([rule('user.behavior', 30, 'max'), rule('user.behavior', 60, 'max')])).toEqual([expect.stringMatching(/^\[retention-duplicate\] category user\.behavior: two max rules/)]);
  });

  it('names a floor longer than the maximum on the same category', async () => {
    expect(await issuesOf([rule('user.financial', 2557, 'floor'), rule('user.financial', 365, 'max')])).toEqual([expect.stringMatching(/^\[retention-floor-above-max\] category user\.financial: /)]);
  });

  it('names a narrower maximum that would cut a legal hold short, unless the narrower category has a floor of its own', async () => {
    expect(await issuesOf([rule('user.financial', 2557, 'floor'), rule('user.financial.credit_card', 90, 'max')])).toEqual([
      expect.stringMatching(/^\[retention-floor-shadowed\] category user\.financial\.credit_card: this maximum overrides the legal hold on user\.financial/),
    ]);
    expect(await issuesOf([rule('user.financial', 2557, 'floor'), rule('user.financial.credit_card', 90, 'max'), rule('user.financial.credit_card', 30, 'floor')])).toEqual([]);
    // A broader maximum does not shorten a narrower floor: the narrower rule decides.
    expect(await issuesOf([rule('user', 365, 'max'), rule('user.financial', 2557, 'floor')])).toEqual([]);
  });

  it('refuses a rule without its kind', async () => {
    expect(await issuesOf([{ category: 'user.behavior', days: 30, source: 'test' }])).toEqual([expect.stringMatching(/^retention\.0\.kind: /)]);
  });
});
