import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/db/ids.js';
import { conversationModel, messageModel } from '../../src/features/conversations/index.js';
import { userModel } from '../../src/features/users/index.js';
import {
  AddMessageDocument,
  ConversationDocument,
  MeDocument,
  RegisterAccountDocument,
  StartConversationDocument,
  UserDocument,
  UsersDocument,
  UsersWithMessagesDocument,
} from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let alice: string;
let bob: string;
let zoe: string;

const register = (token: string, displayName: string, email: string) =>
  t.execute(RegisterAccountDocument, { input: { displayName, email, birthDate: '1990-04-12', country: 'fr', phone: '+33 6 12 34 56 78' } }, { token });

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url, monitorCommands: true });
  alice = await t.token('alice', 'demo', ['user']);
  bob = await t.token('bob', 'demo', ['user']);
  zoe = await t.token('zoe', 'acme', ['user']);
  for (const [token, name, email] of [[alice, 'Alice', 'alice@example.com'], [bob, 'Bob', 'bob@example.org'], [zoe, 'Zoe', 'zoe@acme.test']] as const) {
    const res = await register(token, name, email);
    expect(res.errors).toBeUndefined();
  }
});
afterAll(() => t.close());

describe('accounts', () => {
  it('registers the caller under their token subject and tenant', async () => {
    const res = await t.execute(MeDocument, {}, { token: alice });
    expect(res.status).toBe(200);
    expect(res.data?.me).toMatchObject({ id: 'alice', displayName: 'Alice', email: 'alice@example.com', birthDate: '1990-04-12', country: 'FR', conversations: [] });
    const stored = await userModel(t.connection).findOne({ subject: 'alice' }).lean();
    expect(stored?.tenant).toBe('demo');
    expect(stored?.policyVersion).toBe('003-2025.1');
  });

  it('refuses a second registration of the same subject with BAD_USER_INPUT', async () => {
    const res = await register(alice, 'Alice again', 'a2@example.com');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await userModel(t.connection).countDocuments({ tenant: 'demo', subject: 'alice' })).toBe(1);
  });

  it('names the invalid field without echoing its value', async () => {
    const token = await t.token('carol', 'demo', ['user']);
    const res = await t.execute(RegisterAccountDocument, { input: { displayName: 'Carol', email: 'not-an-email-secret', birthDate: '1990-01-01', country: 'FR' } }, { token });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/^email:/);
    expect(JSON.stringify(res)).not.toContain('not-an-email-secret');
    expect(await userModel(t.connection).countDocuments({ subject: 'carol' })).toBe(0);
  });

  it('refuses a user under the pack\'s minimum age (003 §10: 16) with AGE_RESTRICTED, whatever a guardian says (003 has no guardian route)', async () => {
    const token = await t.token('kid', 'minors', ['user']);
    const birthDate = new Date(Date.now() - 12 * 365.25 * 86_400_000).toISOString().slice(0, 10);
    const refused = await t.execute(RegisterAccountDocument, { input: { displayName: 'Kid', email: 'kid@example.com', birthDate, country: 'FR' } }, { token });
    expect(refused.errors?.[0]?.extensions?.code).toBe('AGE_RESTRICTED');
    expect(refused.errors?.[0]?.message).toMatch(/003 §10/);
    const withGuardian = await t.execute(
      RegisterAccountDocument,
      { input: { displayName: 'Kid', email: 'kid@example.com', birthDate, country: 'FR', guardian: { name: 'Parent', email: 'parent@example.com', consent: true } } },
      { token },
    );
    expect(withGuardian.errors?.[0]?.extensions?.code).toBe('AGE_RESTRICTED');
    expect(await userModel(t.connection).countDocuments({ subject: 'kid' })).toBe(0);
  });

  it('returns null for me before registration', async () => {
    const res = await t.execute(MeDocument, {}, { token: await t.token('newcomer', 'demo', ['user']) });
    expect(res.errors).toBeUndefined();
    expect(res.data?.me).toBeNull();
  });
});

describe('conversations', () => {
  it('starts a conversation, adds messages and reads them back through me and conversation', async () => {
    const started = await t.execute(StartConversationDocument, { title: 'Lisbon' }, { token: alice });
    const id = started.data?.startConversation.id;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const [role, content] of [['USER', 'Plan three days'], ['ASSISTANT', 'Day 1: Alfama']] as const) {
      const added = await t.execute(AddMessageDocument, { conversationId: id!, role, content }, { token: alice });
      expect(added.errors).toBeUndefined();
      expect(added.data?.addMessage).toMatchObject({ role, content });
    }
    const me = await t.execute(MeDocument, {}, { token: alice });
    expect(me.data?.me?.conversations).toHaveLength(1);
    expect(me.data?.me?.conversations[0]?.messages.map((m) => m.content)).toEqual(['Plan three days', 'Day 1: Alfama']);
    const conv = await t.execute(ConversationDocument, { id: id! }, { token: alice });
    expect(conv.data?.conversation).toMatchObject({ id, title: 'Lisbon', owner: { id: 'alice' } });
  });

  it('does not let another user or tenant write into a conversation, and says so identically', async () => {
    const started = await t.execute(StartConversationDocument, { title: 'Private' }, { token: alice });
    const id = started.data!.startConversation.id;
    const asBob = await t.execute(AddMessageDocument, { conversationId: id, role: 'USER', content: 'hi' }, { token: bob });
    const asZoe = await t.execute(AddMessageDocument, { conversationId: id, role: 'USER', content: 'hi' }, { token: zoe });
    const missing = await t.execute(AddMessageDocument, { conversationId: newId(), role: 'USER', content: 'hi' }, { token: zoe });
    for (const res of [asBob, asZoe, missing]) {
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toBe('conversation not found');
    }
    expect(await messageModel(t.connection).countDocuments({ conversationId: id })).toBe(0);
  });

  it('records the model-improvement opt-out of the request that created data', async () => {
    const started = await t.execute(StartConversationDocument, { title: 'Opted out' }, { token: bob, headers: { 'x-mip-opt-out': 'true' } });
    const stored = await conversationModel(t.connection).findById(started.data!.startConversation.id).lean();
    expect(stored?.mipOptOut).toBe(true);
  });
});

describe('tenant isolation', () => {
  it('shows another tenant\'s user exactly as a missing one', async () => {
    const other = await t.execute(UserDocument, { id: 'alice' }, { token: zoe });
    const missing = await t.execute(UserDocument, { id: 'nobody' }, { token: zoe });
    expect(other).toEqual(missing);
    expect(other.data?.user).toBeNull();
  });

  it('shows another tenant\'s conversation exactly as a missing one', async () => {
    const started = await t.execute(StartConversationDocument, { title: 'Alice only' }, { token: alice });
    const other = await t.execute(ConversationDocument, { id: started.data!.startConversation.id }, { token: zoe });
    const missing = await t.execute(ConversationDocument, { id: 'a'.repeat(24) }, { token: zoe });
    expect(other).toEqual(missing);
  });

  it('lists only the caller\'s tenant, page by page', async () => {
    const admin = await t.token('tess', 'demo', ['tenant_admin']);
    const first = await t.execute(UsersDocument, { first: 1 }, { token: admin });
    expect(first.data?.users.edges.map((e) => e.node.id)).toEqual(['alice']);
    expect(first.data?.users.pageInfo.hasNextPage).toBe(true);
    const second = await t.execute(UsersDocument, { first: 10, after: first.data!.users.pageInfo.endCursor }, { token: admin });
    expect(second.data?.users.edges.map((e) => e.node.id)).toEqual(['bob']);
    expect(second.data?.users.pageInfo.hasNextPage).toBe(false);
    const acme = await t.execute(UsersDocument, { first: 10, after: first.data!.users.pageInfo.endCursor }, { token: zoe });
    expect(acme.data?.users.edges.map((e) => e.node.id)).toEqual(['zoe']);
    // A plain user sees the other members only as pseudonyms.
    const asAlice = await t.execute(UsersDocument, { first: 10 }, { token: alice });
    expect(asAlice.data?.users.edges.map((e) => e.node.id)).toEqual(['alice', expect.stringMatching(/^h_/)]);
  });

  it('rejects a malformed cursor and an oversized page with BAD_USER_INPUT', async () => {
    const bad = await t.execute(UsersDocument, { first: 1, after: 'garbage!' }, { token: alice });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const big = await t.execute(UsersDocument, { first: 1000 }, { token: alice });
    expect(big.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('authentication', () => {
  it('answers a bad token with 401 UNAUTHENTICATED and a safe message', async () => {
    const res = await t.execute(MeDocument, {}, { token: 'not.a.jwt' });
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.errors?.[0]?.message).toBe('token malformed');
    expect(JSON.stringify(res)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses anonymous access to personal data', async () => {
    const res = await t.execute(MeDocument, {});
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.data?.me ?? null).toBeNull();
  });

  it('rejects an expired token and one for another audience', async () => {
    const expired = await t.issuer.token({ sub: 'alice', tenant: 'demo', roles: ['user'] }, { expiresIn: Math.floor(Date.now() / 1000) - 120 });
    const wrongAud = await t.issuer.token({ sub: 'alice', tenant: 'demo', roles: ['user'] }, { audience: 'someone-else' });
    for (const token of [expired, wrongAud]) {
      const res = await t.execute(MeDocument, {}, { token });
      expect(res.status).toBe(401);
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('batching', () => {
  it('loads users → conversations → messages (+ subject state) in one round-trip per collection, not N+1', async () => {
    const tenant = 'bulk';
    const Users = userModel(t.connection);
    const Conversations = conversationModel(t.connection);
    const Messages = messageModel(t.connection);
    const users = Array.from({ length: 50 }, (_, i) => ({
      tenant, subject: `u${String(i).padStart(2, '0')}`, displayName: `U${i}`, email: `u${i}@bulk.test`, policyVersion: 'v',
    }));
    await Users.insertMany(users);
    const conversations = await Conversations.insertMany(users.flatMap((u) => [0, 1].map((k) => ({ tenant, owner: u.subject, title: `c${k}` }))));
    await Messages.insertMany(conversations.flatMap((c) => [0, 1, 2].map((k) => ({ tenant, conversationId: c._id, owner: c.owner, role: 'USER', content: `m${k}` }))));

    // A platform service may read every subject's content, so every value needs subject state.
    const client = t.connection.getClient();
    const commandsOf = async (token: string) => {
      const counted: string[] = [];
      const listener = (event: { commandName: string; databaseName: string; command: Record<string, unknown> }) => {
        if (event.databaseName === t.connection.name) counted.push(`${event.commandName}:${String(event.command[event.commandName])}`);
      };
      client.on('commandStarted', listener);
      const res = await t.execute(UsersWithMessagesDocument, { first: 50 }, { token });
      client.off('commandStarted', listener);
      return { res, counted: counted.sort() };
    };

    const { res, counted } = await commandsOf(await t.token('svc', tenant, ['service']));
    expect(res.errors).toBeUndefined();
    expect(res.data?.users.edges).toHaveLength(50);
    expect(res.data?.users.edges.every((e) => e.node.conversations.length === 2 && e.node.conversations.every((c) => c.messages.length === 3))).toBe(true);
    // essential.service needs no consent, so none is read; exactly one audit append, before the response.
    // The service caller is new: its audit pseudonym's key is created once (find, insert, read back);
    // the 50 owners' content keys were cached when their content was written.
    expect(counted).toEqual(['find:conversations', 'find:messages', 'find:subject_keys', 'find:subject_keys', 'find:users', 'insert:audit_events', 'insert:subject_keys']);
    const again = await commandsOf(await t.token('svc', tenant, ['service']));
    expect(again.counted).toEqual(['find:conversations', 'find:messages', 'find:users', 'insert:audit_events']);

    // Training needs consent: all 50 subjects' consents come in one more query, and the tenant's
    // model-improvement opt-outs in one more (once per request, whatever the number of subjects).
    const training = await commandsOf(await t.token('mia', tenant, ['ml_engineer']));
    expect(training.res.errors).toBeUndefined();
    expect(training.counted.filter((c) => !c.endsWith(':subject_keys'))).toEqual(['find:consents', 'find:tenants', 'find:users', 'insert:audit_events']);
  });
});

describe('http endpoints', () => {
  it('answers /health and /ready with 200 while the database is up', async () => {
    expect((await t.fetch('/health')).status).toBe(200);
    const ready = await t.fetch('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });
});
