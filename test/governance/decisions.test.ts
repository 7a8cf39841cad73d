import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentModel } from '../../src/features/consents/index.js';
import { conversationModel, messageModel } from '../../src/features/conversations/index.js';
import { userModel } from '../../src/features/users/index.js';
import { AuditEventsDocument, ConversationDocument, MeDocument, UserDocument, UserWithContentDocument, UsersDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { redactionAt, redactionsOf } from '../helpers/redactions.js';
import { rowLevelAnalysts } from '../helpers/policy-dir.js';
import { encrypted } from '../helpers/encrypted.js';

let t: TestGateway;
const tenant = 'gov';
const DAY = 86_400_000;
const ids: Record<string, string> = {};


/**
 * The precise reasons the audit event of a response recorded for a coordinate (API.md: reasons
 * that reveal the subject's state are WITHHELD in responses, never in the audit record).
 */
async function auditedReasons(res: { extensions?: Record<string, unknown> }, actor: string, coordinate: string): Promise<(string | null)[]> {
  const auditId = (res.extensions?.governance as { auditId: string }).auditId;
  const token = await t.token('auditor', tenant, ['compliance_officer']);
  let after: string | null | undefined;
  for (;;) {
    const page = await t.execute(AuditEventsDocument, { filter: { actor }, first: 100, ...(after ? { after } : {}) }, { token });
    const event = page.data!.auditEvents.edges.find((e) => e.node.id === auditId);
    if (event) return event.node.decisions.filter((d) => d.coordinate === coordinate).map((d) => d.reason);
    if (!page.data!.auditEvents.pageInfo.hasNextPage) throw new Error(`audit event ${auditId} not found`);
    after = page.data!.auditEvents.pageInfo.endCursor;
  }
}

async function seed(): Promise<void> {
  const version = t.gateway.pack.version;
  const Users = userModel(t.connection);
  const base = { tenant, policyVersion: version, country: 'FR', phone: '+33 6 12 34 56 78' };
  const adult = new Date('1990-04-12T00:00:00Z');
  const minor = new Date(Date.now() - 16 * 365.25 * DAY);
  await Users.insertMany([
    { ...base, subject: 'alice', displayName: 'Alice Martin', email: 'alice@example.com', birthDate: adult },
    { ...base, subject: 'bob', displayName: 'Bob Young', email: 'bob@example.com', birthDate: minor },
    { ...base, subject: 'carol', displayName: 'Carol Quiet', email: 'carol@example.com', birthDate: adult, restricted: true },
    { ...base, subject: 'dave', displayName: 'Dave Object', email: 'dave@example.com', birthDate: adult, objections: ['analytics.reporting'] },
    { ...base, subject: 'erin', displayName: 'Erin Trainer', email: 'erin@example.com', birthDate: adult },
    { ...base, subject: 'frank', displayName: 'Frank Old', email: 'frank@example.com', birthDate: adult },
    { ...base, subject: 'gina', displayName: 'Gina Gone', email: 'gina@example.com', birthDate: adult, erasure: 'ERASED' },
  ]);
  await consentModel(t.connection).insertMany([
    { tenant, subject: 'erin', purpose: 'train_ai_system', status: 'GRANTED', policyVersion: version },
    { tenant, subject: 'bob', purpose: 'train_ai_system', status: 'GRANTED', policyVersion: version },
    { tenant, subject: 'frank', purpose: 'train_ai_system', status: 'GRANTED', policyVersion: 'an-older-version' },
  ]);
  // Raw inserts: tests set createdAt and ids explicitly (mongoose timestamps would overwrite them).
  const make = async (key: string, owner: string, extra: { createdAt?: Date; mipOptOut?: boolean } = {}) => {
    const id = key.padEnd(24, '0');
    ids[key] = id;
    const createdAt = extra.createdAt ?? new Date();
    const mipOptOut = extra.mipOptOut ?? false;
    await conversationModel(t.connection).collection.insertOne((await encrypted(t.connection, 'conversations', [{ _id: id as never, tenant, owner, title: `${key} title`, mipOptOut, createdAt, updatedAt: createdAt } as never]))[0]!);
    await messageModel(t.connection).collection.insertOne((await encrypted(t.connection, 'messages', [{ _id: `${id.slice(0, 20)}ffff` as never, tenant, conversationId: id, owner, role: 'USER', content: `${key} secret content`, mipOptOut, createdAt } as never]))[0]!);
  };
  await make('a1ce', 'alice');
  await make('b0b0', 'bob');
  await make('e1e1', 'erin');
  await make('e2e2', 'erin', { mipOptOut: true });
  await make('e3e3', 'erin', { createdAt: new Date(Date.now() - 100 * DAY) });
  await make('f1f1', 'frank');
  await make('6161', 'gina');
}

beforeAll(async () => {
  // Analysts with row-level grants (deepailab's are aggregate-only, 003 §3): the rules are tested on them here.
  t = await startTestGateway({ name: import.meta.url, env: { POLICY_DIR: await rowLevelAnalysts() } });
  await seed();
});
afterAll(() => t.close());

describe('the owner', () => {
  it('sees all of their own data, with an audit id and no redactions', async () => {
    const res = await t.execute(MeDocument, {}, { token: await t.token('alice', tenant, ['user']) });
    expect(res.errors).toBeUndefined();
    expect(res.data?.me).toMatchObject({ id: 'alice', email: 'alice@example.com', phone: '+33 6 12 34 56 78', birthDate: '1990-04-12', country: 'FR' });
    expect(res.data?.me?.conversations[0]?.messages[0]?.content).toBe('a1ce secret content');
    const governance = res.extensions?.governance as { auditId: string; redactions: unknown[] };
    expect(governance.auditId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(governance.redactions).toEqual([]);
  });

  it('gets a different audit id on every request', async () => {
    const token = await t.token('alice', tenant, ['user']);
    const a = await t.execute(MeDocument, {}, { token });
    const b = await t.execute(MeDocument, {}, { token });
    expect((a.extensions?.governance as { auditId: string }).auditId).not.toBe((b.extensions?.governance as { auditId: string }).auditId);
  });
});

describe('reason codes and strategies', () => {
  it('ROLE: support sees masks — email and phone masked, birth date generalised to the year, country null', async () => {
    const res = await t.execute(UserDocument, { id: 'alice' }, { token: await t.token('sam', tenant, ['support']) });
    expect(res.errors).toBeUndefined();
    expect(res.data?.user).toEqual({
      id: 'alice',
      displayName: 'Alice Martin',
      email: 'a***@example.com',
      phone: '+** * ** ** ** 78',
      birthDate: '1990-01-01',
      country: null,
    });
    expect(redactionsOf(res)).toEqual(
      expect.arrayContaining([
        { path: ['user', 'email'], category: 'user.contact.email', reason: 'ROLE', strategy: 'mask' },
        { path: ['user', 'phone'], category: 'user.contact.phone_number', reason: 'ROLE', strategy: 'mask' },
        { path: ['user', 'birthDate'], category: 'user.demographic.date_of_birth', reason: 'ROLE', strategy: 'generalize' },
        { path: ['user', 'country'], category: 'user.location.coarse', reason: 'ROLE', strategy: 'null' },
      ]),
    );
    expect(redactionsOf(res)).toHaveLength(4);
  });

  it('ROLE: another user is seen only as a stable pseudonym (hash) and a truncated name', async () => {
    const token = await t.token('alice', tenant, ['user']);
    const first = await t.execute(UserDocument, { id: 'erin' }, { token });
    const second = await t.execute(UserDocument, { id: 'erin' }, { token });
    expect(first.data?.user?.id).toMatch(/^h_[A-Za-z0-9_-]{22}$/);
    expect(first.data?.user?.id).toBe(second.data?.user?.id);
    expect(first.data?.user?.displayName).toBe('E…');
    expect(redactionAt(first, ['user', 'id'])).toMatchObject({ reason: 'ROLE', strategy: 'hash' });
    expect(redactionAt(first, ['user', 'displayName'])).toMatchObject({ reason: 'ROLE', strategy: 'truncate' });
  });

  it('PURPOSE: a field that may not serve the declared purpose is redacted even for its owner', async () => {
    const res = await t.execute(MeDocument, {}, { token: await t.token('alice', tenant, ['user']), headers: { 'x-purpose': 'marketing.communications' } });
    expect(res.data?.me?.email).toBe('alice@example.com');
    expect(res.data?.me?.phone).toBe('+** * ** ** ** 78');
    expect(redactionAt(res, ['me', 'phone'])).toMatchObject({ reason: 'PURPOSE', strategy: 'mask', category: 'user.contact.phone_number' });
  });

  it('CONSENT: training data needs consent under the current policy version', async () => {
    const mia = await t.token('mia', tenant, ['ml_engineer']);
    const withoutConsent = await t.execute(UserWithContentDocument, { id: 'alice' }, { token: mia });
    expect(withoutConsent.data?.user?.conversations).toEqual([]);
    // ml_engineer is not granted user.privacy_preferences: whether alice consented is not its business.
    expect(redactionAt(withoutConsent, ['user', 'conversations'])).toMatchObject({ reason: 'WITHHELD', strategy: 'drop' });
    expect(await auditedReasons(withoutConsent, 'mia', 'User.conversations')).toEqual(['CONSENT']);

    const oldVersion = await t.execute(UserWithContentDocument, { id: 'frank' }, { token: mia });
    expect(oldVersion.data?.user?.conversations).toEqual([]);
    expect(redactionAt(oldVersion, ['user', 'conversations'])).toMatchObject({ reason: 'WITHHELD' });
    expect(await auditedReasons(oldVersion, 'mia', 'User.conversations')).toEqual(['CONSENT']);

    const consented = await t.execute(UserWithContentDocument, { id: 'erin' }, { token: mia });
    const contents = consented.data?.user?.conversations.flatMap((c) => c.messages.map((m) => m.content));
    expect(contents).toContain('e1e1 secret content');
  });

  it('RESTRICTED: a restricted subject\'s data is withheld from others but not from legal obligations', async () => {
    const support = await t.execute(UserDocument, { id: 'carol' }, { token: await t.token('sam', tenant, ['support']) });
    expect(support.data?.user?.displayName).toBe('C…');
    expect(redactionAt(support, ['user', 'displayName'])).toMatchObject({ reason: 'WITHHELD', strategy: 'truncate' });
    expect(await auditedReasons(support, 'sam', 'User.displayName')).toEqual(['RESTRICTED']);
    // The service role is granted user.privacy_preferences for its purpose: it sees why.
    const service = await t.execute(UserDocument, { id: 'carol' }, { token: await t.token('svc', tenant, ['service']) });
    expect(redactionAt(service, ['user', 'displayName'])).toMatchObject({ reason: 'RESTRICTED', strategy: 'truncate' });
    // A legal obligation is not stopped by a restriction (Art. 18(2)): the officer reads what the obligation needs.
    const legal = await t.execute(UserDocument, { id: 'carol' }, { token: await t.token('carl', tenant, ['compliance_officer']) });
    expect(legal.data?.user).toMatchObject({ id: 'carol', displayName: 'Carol Quiet' });
    expect(redactionAt(legal, ['user', 'displayName'])).toBeUndefined();
  });

  it('OBJECTED: an objection to a purpose stops it', async () => {
    const analyst = await t.token('ana', tenant, ['analyst']);
    const objected = await t.execute(UserDocument, { id: 'dave' }, { token: analyst });
    expect(objected.data?.user?.country).toBeNull();
    expect(redactionAt(objected, ['user', 'country'])).toMatchObject({ reason: 'WITHHELD', strategy: 'null' });
    expect(await auditedReasons(objected, 'ana', 'User.country')).toEqual(['OBJECTED']);
    const other = await t.execute(UserDocument, { id: 'alice' }, { token: analyst });
    expect(other.data?.user?.country).toBe('FR');
  });

  it('RETENTION: data past the pack\'s retention window (003 §6: 90 days) is withheld, judged by its own age', async () => {
    const res = await t.execute(ConversationDocument, { id: ids.e3e3! }, { token: await t.token('svc', tenant, ['service']) });
    expect(res.data?.conversation?.title).toBe('…');
    expect(redactionAt(res, ['conversation', 'title'])).toMatchObject({ reason: 'RETENTION', strategy: 'truncate' });
    expect(res.data?.conversation?.messages.map((m) => m.content)).toEqual([null]);
    expect(redactionAt(res, ['conversation', 'messages', 0, 'content'])).toMatchObject({ reason: 'RETENTION', strategy: 'null' });
    // An old account does not age its recent conversations.
    await userModel(t.connection).collection.updateOne({ tenant, subject: 'erin' }, { $set: { createdAt: new Date(Date.now() - 400 * DAY) } });
    const owner = await t.execute(UserWithContentDocument, { id: 'erin' }, { token: await t.token('svc', tenant, ['service']) });
    expect(owner.data?.user?.conversations.flatMap((c) => c.messages.map((m) => m.content))).toContain('e1e1 secret content');
    const fresh = await t.execute(ConversationDocument, { id: ids.e1e1! }, { token: await t.token('svc', tenant, ['service']) });
    expect(fresh.data?.conversation?.messages.map((m) => m.content)).toEqual(['e1e1 secret content']);
  });

  it('MINOR: a minor\'s data is not used for training even with consent', async () => {
    const res = await t.execute(UserWithContentDocument, { id: 'bob' }, { token: await t.token('mia', tenant, ['ml_engineer']) });
    expect(res.data?.user?.conversations).toEqual([]);
    expect(redactionAt(res, ['user', 'conversations'])).toMatchObject({ reason: 'WITHHELD' });
    expect(await auditedReasons(res, 'mia', 'User.conversations')).toEqual(['MINOR']);
  });

  it('OPTED_OUT: content created under a model-improvement opt-out never trains a model', async () => {
    const res = await t.execute(ConversationDocument, { id: ids.e2e2! }, { token: await t.token('mia', tenant, ['ml_engineer']) });
    expect(res.data?.conversation?.messages).toEqual([]);
    expect(redactionAt(res, ['conversation', 'messages'])).toMatchObject({ reason: 'WITHHELD' });
    expect(await auditedReasons(res, 'mia', 'Conversation.messages')).toEqual(['OPTED_OUT']);
  });

  it('ERASED: an erased subject\'s data does not leave', async () => {
    const res = await t.execute(ConversationDocument, { id: ids['6161']! }, { token: await t.token('svc', tenant, ['service']) });
    expect(res.data?.conversation?.messages).toEqual([]);
    expect(redactionAt(res, ['conversation', 'messages'])).toMatchObject({ reason: 'ERASED' });
  });

  it('TENANT: another tenant\'s record returns exactly what a missing id returns, for every role', async () => {
    for (const roles of [['user'], ['support'], ['service'], ['compliance_officer']]) {
      const token = await t.token('outsider', 'other-tenant', roles);
      const other = await t.execute(UserDocument, { id: 'alice' }, { token });
      const missing = await t.execute(UserDocument, { id: 'no-such-user' }, { token });
      expect(other).toEqual(missing);
      const otherConv = await t.execute(ConversationDocument, { id: ids.a1ce! }, { token });
      const missingConv = await t.execute(ConversationDocument, { id: 'f'.repeat(24) }, { token });
      expect(otherConv).toEqual(missingConv);
      expect(JSON.stringify(other)).not.toContain('TENANT');
    }
  });

  it('lists: a plain user listing the tenant sees only their own profile in clear', async () => {
    const res = await t.execute(UsersDocument, { first: 10 }, { token: await t.token('alice', tenant, ['user']) });
    const nodes = res.data!.users.edges.map((e) => e.node);
    const own = nodes.find((n) => n.id === 'alice');
    expect(own?.email).toBe('alice@example.com');
    for (const node of nodes.filter((n) => n !== own)) {
      expect(node.id).toMatch(/^h_/);
      expect(node.email).toMatch(/^\w\*\*\*@example\.com$/);
    }
  });
});

describe('purpose', () => {
  it('rejects an unknown purpose with BAD_USER_INPUT before execution', async () => {
    const res = await t.execute(MeDocument, {}, { token: await t.token('alice', tenant, ['user']), headers: { 'x-purpose': 'world_domination' } });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.data).toBeUndefined();
  });

  it('rejects a purpose outside the role\'s grants with PURPOSE_NOT_ALLOWED (403) and writes nothing', async () => {
    const before = await conversationModel(t.connection).countDocuments();
    const res = await t.post(
      { query: 'mutation { startConversation(title: "x") { id } }' },
      { token: await t.token('alice', tenant, ['user']), headers: { 'x-purpose': 'train_ai_system' } },
    );
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('PURPOSE_NOT_ALLOWED');
    expect(await conversationModel(t.connection).countDocuments()).toBe(before);
  });

  it('rejects a purpose outside the token\'s purposes claim', async () => {
    const token = await t.token('sam', tenant, ['support', 'analyst'], ['analytics.reporting']);
    const res = await t.execute(UserDocument, { id: 'alice' }, { token, headers: { 'x-purpose': 'essential.service.operations.support' } });
    expect(res.status).toBe(403);
    expect(res.errors?.[0]?.extensions?.code).toBe('PURPOSE_NOT_ALLOWED');
  });

  it('defaults the purpose per role', async () => {
    // ml_engineer defaults to train_ai_system: consent applies without any header.
    const res = await t.execute(UserWithContentDocument, { id: 'alice' }, { token: await t.token('mia', tenant, ['ml_engineer']) });
    expect(redactionAt(res, ['user', 'conversations'])).toMatchObject({ reason: 'WITHHELD' });
    expect(await auditedReasons(res, 'mia', 'User.conversations')).toEqual(['CONSENT']);
  });
});

describe('plan cache', () => {
  it('builds one plan per (document, operation, roles, purpose) and reuses it', async () => {
    const token = await t.token('sam', tenant, ['support']);
    const query = 'query PlanProbe($id: ID!) { user(id: $id) { id email phone } }';
    const before = t.gateway.planCache.stats().built;
    await t.post({ query, variables: { id: 'alice' } }, { token });
    expect(t.gateway.planCache.stats().built).toBe(before + 1);
    const hits = t.gateway.planCache.stats().hits;
    const again = await t.post({ query, variables: { id: 'erin' } }, { token });
    expect(again.status).toBe(200);
    expect(t.gateway.planCache.stats().built).toBe(before + 1);
    expect(t.gateway.planCache.stats().hits).toBe(hits + 1);
    // Another purpose is another plan.
    await t.post({ query, variables: { id: 'alice' } }, { token: await t.token('ana', tenant, ['analyst']) });
    expect(t.gateway.planCache.stats().built).toBe(before + 2);
  });
});
