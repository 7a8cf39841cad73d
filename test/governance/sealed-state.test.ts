/**
 * Decisions hold against a database writer: subject state (consents, restriction, objections,
 * age) is sealed by the gateway under a key outside the database, so what someone with only
 * database access writes with the raw driver does not release anything.
 */
import { stat, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/db/ids.js';
import { consentModel } from '../../src/features/consents/index.js';
import { userModel } from '../../src/features/users/index.js';
import {
  AddMessageDocument,
  GrantConsentDocument,
  ObjectToProcessingDocument,
  RegisterAccountDocument,
  RestrictProcessingDocument,
  StartConversationDocument,
  UserDocument,
  UsersWithContentDocument,
  UserWithContentDocument,
  WithdrawConsentDocument,
} from '../generated/graphql.js';
import { testDatabaseName } from '../helpers/database.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
const tenant = 'seal';
const YEAR_MS = 365.25 * 86_400_000;
const logLines: Record<string, unknown>[] = [];

const canary = (subject: string): string => `canary-${subject}-content`;
const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

/** Registers through the API (the gateway's own, sealed, write path) and writes one message. */
async function register(subject: string, birthDate = '1990-04-12', g: TestGateway = t): Promise<string> {
  const token = await g.token(subject, tenant, ['user']);
  const registered = await g.execute(RegisterAccountDocument, { input: { displayName: `Name ${subject}`, email: `${subject}@example.com`, birthDate, country: 'FR' } }, { token });
  expect(registered.errors).toBeUndefined();
  const conversation = await g.execute(StartConversationDocument, { title: `title ${subject}` }, { token });
  const conversationId = conversation.data!.startConversation.id;
  const message = await g.execute(AddMessageDocument, { conversationId, role: 'USER', content: canary(subject) }, { token });
  expect(message.errors).toBeUndefined();
  return token;
}

async function grant(token: string, purpose = 'train_ai_system', g: TestGateway = t): Promise<void> {
  const res = await g.execute(GrantConsentDocument, { purpose }, { token });
  expect(res.errors).toBeUndefined();
}

/** What an ml_engineer training a model (purpose train_ai_system) gets of a subject's messages. */
async function trainable(subject: string, g: TestGateway = t): Promise<(string | null)[]> {
  const res = await g.execute(UserWithContentDocument, { id: subject }, { token: await g.token('mia', tenant, ['ml_engineer']) });
  expect(res.errors).toBeUndefined();
  return res.data?.user?.conversations.flatMap((c) => c.messages.map((m) => m.content)) ?? [];
}

/** The same over the tenant's user list (the primed, batched path). */
async function trainableInList(): Promise<string[]> {
  const res = await t.execute(UsersWithContentDocument, { first: 100 }, { token: await t.token('mia', tenant, ['ml_engineer']) });
  expect(res.errors).toBeUndefined();
  return res.data!.users.edges.flatMap((e) => e.node.conversations.flatMap((c) => c.messages.map((m) => m.content ?? '')));
}

const rawUsers = () => t.connection.db!.collection('users');
const rawConsents = () => t.connection.db!.collection('consents');

let tokens: Record<string, string> = {};

beforeAll(async () => {
  const stream = { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) };
  t = await startTestGateway({ name: import.meta.url, logger: pino({ level: 'warn' }, stream) });
  const minor = isoDay(new Date(Date.now() - 17 * YEAR_MS));
  tokens = {
    gail: await register('gail'),
    nora: await register('nora'),
    rhea: await register('rhea'),
    otto: await register('otto'),
    mina: await register('mina', minor),
    lift: await register('lift'),
    wade: await register('wade'),
  };
  for (const s of ['gail', 'rhea', 'otto', 'mina', 'lift', 'wade']) await grant(tokens[s]!);
}, 60_000);
afterAll(() => t?.close());

describe('the gateway\'s own writes still decide (no false negatives)', () => {
  it('a consent granted through grantConsent makes content eligible, in a single read and in the list', async () => {
    expect(await trainable('gail')).toEqual([canary('gail')]);
    expect(await trainableInList()).toContain(canary('gail'));
  });

  it('withdrawConsent, restrictProcessing and objectToProcessing through the API take effect, and a lifted restriction is lifted', async () => {
    expect(await trainable('wade')).toEqual([canary('wade')]);
    expect((await t.execute(WithdrawConsentDocument, { purpose: 'train_ai_system' }, { token: tokens.wade! })).errors).toBeUndefined();
    expect(await trainable('wade')).toEqual([]);

    expect((await t.execute(RestrictProcessingDocument, { restricted: true }, { token: tokens.lift! })).errors).toBeUndefined();
    expect(await trainable('lift')).toEqual([]);
    expect((await t.execute(RestrictProcessingDocument, { restricted: false }, { token: tokens.lift! })).errors).toBeUndefined();
    expect(await trainable('lift')).toEqual([canary('lift')]);
  });

  it('records written through the models (seed, tests) are sealed: they decide like the API\'s', async () => {
    const version = t.gateway.pack.version;
    await userModel(t.connection).create({ tenant, subject: 'modl', displayName: 'Model Made', email: 'modl@example.com', birthDate: new Date('1985-01-02'), country: 'FR', policyVersion: version });
    await consentModel(t.connection).insertMany([{ tenant, subject: 'modl', purpose: 'train_ai_system', status: 'GRANTED', policyVersion: version }]);
    const token = await t.token('modl', tenant, ['user']);
    const conversation = await t.execute(StartConversationDocument, { title: 'm' }, { token });
    await t.execute(AddMessageDocument, { conversationId: conversation.data!.startConversation.id, role: 'USER', content: canary('modl') }, { token });
    expect(await trainable('modl')).toEqual([canary('modl')]);
  });
});

describe('a database writer cannot release content', () => {
  it('(a) a consent record inserted with the raw driver does not make content eligible', async () => {
    await rawConsents().insertOne({ _id: newId() as never, tenant, subject: 'nora', purpose: 'train_ai_system', status: 'GRANTED', policyVersion: t.gateway.pack.version, at: new Date() });
    expect(await trainable('nora')).toEqual([]);
    expect(await trainableInList()).not.toContain(canary('nora'));
  });

  it('(a) ...nor does one carrying a seal copied from another subject\'s genuine record', async () => {
    const genuine = await rawConsents().findOne({ tenant, subject: 'gail', purpose: 'train_ai_system' });
    expect(genuine).not.toBeNull();
    const { _id: _ignored, ...copy } = genuine!;
    await rawConsents().insertOne({ ...copy, _id: newId() as never, subject: 'nora' });
    expect(await trainable('nora')).toEqual([]);
  });

  it('(b) restricted: false written with the raw driver onto a restricted subject does not lift the restriction', async () => {
    expect((await t.execute(RestrictProcessingDocument, { restricted: true }, { token: tokens.rhea! })).errors).toBeUndefined();
    expect(await trainable('rhea')).toEqual([]);
    await rawUsers().updateOne({ tenant, subject: 'rhea' }, { $set: { restricted: false } });
    expect(await trainable('rhea')).toEqual([]);
    expect(await trainableInList()).not.toContain(canary('rhea'));
    // Fail closed, not fail everything: a legal obligation still reads the record (Art. 18(2)).
    const legal = await t.execute(UserDocument, { id: 'rhea' }, { token: await t.token('carl', tenant, ['compliance_officer']) });
    expect(legal.data?.user?.displayName).toBe('Name rhea');
  });

  it('(b) an objection removed with the raw driver ($pull) still stops the purpose', async () => {
    expect((await t.execute(ObjectToProcessingDocument, { purpose: 'train_ai_system' }, { token: tokens.otto! })).errors).toBeUndefined();
    expect(await trainable('otto')).toEqual([]);
    await rawUsers().updateOne({ tenant, subject: 'otto' }, { $pull: { objections: 'train_ai_system' } as never });
    expect(await trainable('otto')).toEqual([]);
    expect(await trainableInList()).not.toContain(canary('otto'));
  });

  it('(b) an adult birthDate written with the raw driver onto a minor still decides as a minor', async () => {
    expect(await trainable('mina')).toEqual([]);
    await rawUsers().updateOne({ tenant, subject: 'mina' }, { $set: { birthDate: new Date('1990-04-12T00:00:00Z') } });
    expect(await trainable('mina')).toEqual([]);
    expect(await trainableInList()).not.toContain(canary('mina'));
  });

  it('a user record inserted with the raw driver (no seal) is decided as restricted, whatever consent sits beside it', async () => {
    const at = new Date();
    await rawUsers().insertOne({
      _id: newId() as never, tenant, subject: 'xavi', displayName: 'X', email: 'xavi@example.com', phone: null, birthDate: new Date('1980-01-01'),
      country: 'FR', policyVersion: t.gateway.pack.version, guardian: null, restricted: false, objections: [], erasure: 'ACTIVE', erasedAt: null, createdAt: at, updatedAt: at,
    });
    await consentModel(t.connection).create({ tenant, subject: 'xavi', purpose: 'train_ai_system', status: 'GRANTED', policyVersion: t.gateway.pack.version });
    const token = await t.token('xavi', tenant, ['user']);
    const conversation = await t.execute(StartConversationDocument, { title: 'x' }, { token });
    await t.execute(AddMessageDocument, { conversationId: conversation.data!.startConversation.id, role: 'USER', content: canary('xavi') }, { token });
    expect(await trainable('xavi')).toEqual([]);
  });

  it('a later gateway write does not re-seal (launder) a tampered record: it is refused and the record stays decided as restricted', async () => {
    // mina's birthDate was tampered above.
    const res = await t.execute(ObjectToProcessingDocument, { purpose: 'marketing.communications' }, { token: tokens.mina! });
    expect(res.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(res.errors)).not.toContain('1990');
    expect(await trainable('mina')).toEqual([]);
  });

  it('an update of sealed fields through the model that bypasses the sealed writer is refused', async () => {
    await expect(userModel(t.connection).updateOne({ tenant, subject: 'gail' }, { $set: { restricted: true } })).rejects.toThrow(/seal/);
    await expect(userModel(t.connection).findOneAndUpdate({ tenant, subject: 'gail' }, { $addToSet: { objections: 'personalize' } })).rejects.toThrow(/seal/);
    await expect(userModel(t.connection).bulkWrite([{ updateOne: { filter: { tenant, subject: 'gail' }, update: { $set: { restricted: true } } } }])).rejects.toThrow(/seal/);
    const doc = await userModel(t.connection).findOne({ tenant, subject: 'gail' }).exec();
    doc!.restricted = true;
    await expect(doc!.save()).rejects.toThrow(/seal/);
    expect(await trainable('gail')).toEqual([canary('gail')]);
  });

  it('logs each unverified user record at warn with identifiers only', async () => {
    const lines = logLines.filter((l) => l.level === 40 && l.subject === 'mina');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatchObject({ tenant, subject: 'mina' });
    const all = JSON.stringify(logLines);
    for (const value of ['1990-04-12', 'mina@example.com', 'Name mina', canary('mina')]) expect(all).not.toContain(value);
  });
});

describe('the key lives outside the database', () => {
  it('STATE_SEAL_KEY: records verify under the same key after a restart, and under another key decide as unsealed', async () => {
    const dbName = testDatabaseName(import.meta.url);
    const key = 'k'.repeat(40);
    const first = await startTestGateway({ name: import.meta.url, dbName, keepDatabase: true, env: { STATE_SEAL_KEY: key } });
    await grant(await register('kate', '1990-04-12', first), 'train_ai_system', first);
    expect(await trainable('kate', first)).toEqual([canary('kate')]);
    await first.close();
    const again = await startTestGateway({ name: import.meta.url, dbName, keepDatabase: true, env: { STATE_SEAL_KEY: key } });
    expect(await trainable('kate', again)).toEqual([canary('kate')]);
    await again.close();
    const other = await startTestGateway({ name: import.meta.url, dbName, env: { STATE_SEAL_KEY: 'o'.repeat(40) } });
    expect(await trainable('kate', other)).toEqual([]);
    await other.close();
  });

  it('development: the key is generated once in the state directory (0600), so a restart keeps records sealed', async () => {
    const dbName = testDatabaseName(import.meta.url);
    const env = { NODE_ENV: 'development', GOVGATE_STATE_DIR: await mkdtemp(join(tmpdir(), 'govgate-seal-')) };
    const first = await startTestGateway({ name: import.meta.url, dbName, keepDatabase: true, env });
    await grant(await register('dev', '1990-04-12', first), 'train_ai_system', first);
    await first.close();
    expect((await stat(join(env.GOVGATE_STATE_DIR, 'state-seal.key'))).mode & 0o777).toBe(0o600);
    const again = await startTestGateway({ name: import.meta.url, dbName, env });
    expect(await trainable('dev', again)).toEqual([canary('dev')]);
    await again.close();
  });
});
