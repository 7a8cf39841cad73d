/**
 * Content at rest (000 §2.6, 003 §5 AES-256, 004 §4.4): what a user writes through the gateway is
 * stored only as AES-256-GCM ciphertext under their own data key, which is stored only wrapped by
 * the master key (outside the database). A database reader sees no plaintext; a database writer
 * who moves ciphertexts or wrapped keys between records or subjects releases nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageModel } from '../../src/features/conversations/index.js';
import { subjectKeyModel } from '../../src/keys/index.js';
import {
  AddAgentKnowledgeDocument,
  AddMessageDocument,
  AgentDocument,
  ConversationDocument,
  CreateAgentDocument,
  CreateGalleryImageDocument,
  CreateMediaUploadDocument,
  GalleryImageDocument,
  MediaUploadDocument,
  RegisterAccountDocument,
  StartConversationDocument,
} from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const tenant = 'vault';
const CANARY = 'canary-7f3a';
let t: TestGateway;
let alice: string;
let bob: string;
const ids = {} as Record<'conversation' | 'message' | 'agent' | 'image' | 'upload' | 'bobConversation' | 'bobMessage', string>;

async function register(sub: string): Promise<string> {
  const token = await t.token(sub, tenant, ['user', 'developer']);
  const res = await t.execute(RegisterAccountDocument, { input: { displayName: `${sub} Vault`, email: `${sub}@example.com`, birthDate: '1990-04-12', country: 'FR' } }, { token });
  expect(res.errors).toBeUndefined();
  return token;
}

/** Every document of every collection, as stored. */
async function everything(): Promise<string> {
  const db = t.connection.db!;
  const collections = await db.listCollections().toArray();
  const dumps = await Promise.all(collections.map(async (c) => JSON.stringify(await db.collection(c.name).find({}).toArray())));
  return dumps.join('\n');
}

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url });
  alice = await register('alice');
  bob = await register('bob');
  const conversation = await t.execute(StartConversationDocument, { title: `${CANARY} title` }, { token: alice });
  ids.conversation = conversation.data!.startConversation.id;
  const message = await t.execute(AddMessageDocument, { conversationId: ids.conversation, role: 'USER', content: `${CANARY} my diagnosis` }, { token: alice });
  ids.message = message.data!.addMessage.id;
  const agent = await t.execute(CreateAgentDocument, { name: 'Helper', instructions: `${CANARY} instructions` }, { token: alice });
  ids.agent = agent.data!.createAgent.id;
  expect((await t.execute(AddAgentKnowledgeDocument, { agentId: ids.agent, title: `${CANARY} doc`, content: `${CANARY} knowledge` }, { token: alice })).errors).toBeUndefined();
  const image = await t.execute(CreateGalleryImageDocument, { prompt: `${CANARY} prompt`, imageUrl: `https://cdn.example.test/${CANARY}.png` }, { token: alice });
  ids.image = image.data!.createGalleryImage.id;
  const upload = await t.execute(CreateMediaUploadDocument, { input: { kind: 'VOICE', contentType: 'audio/ogg', location: `https://files.example.test/${CANARY}.ogg`, durationSeconds: 3, transcript: `${CANARY} spoken words` } }, { token: alice });
  expect(upload.errors).toBeUndefined();
  ids.upload = upload.data!.createMediaUpload.id;
  const bobs = await t.execute(StartConversationDocument, { title: 'bob title' }, { token: bob });
  ids.bobConversation = bobs.data!.startConversation.id;
  ids.bobMessage = (await t.execute(AddMessageDocument, { conversationId: ids.bobConversation, role: 'USER', content: 'bob words' }, { token: bob })).data!.addMessage.id;
}, 60_000);
afterAll(() => t.close());

describe('content at rest', () => {
  it('stores no plaintext content anywhere in the database, and keys only wrapped', async () => {
    const stored = await everything();
    expect(stored).not.toContain(CANARY);
    const message = await messageModel(t.connection).collection.findOne({ _id: ids.message as never });
    expect(String(message?.content)).toMatch(/^gg1\./);
    const key = await subjectKeyModel(t.connection).findOne({ tenant, subject: 'alice' }).lean().exec();
    expect(key?.wrapped).toMatch(/^[A-Za-z0-9_-]{70,}$/);
    expect(Object.keys(key ?? {}).sort()).toEqual(['_id', 'createdAt', 'masterKeyId', 'ref', 'subject', 'tenant', 'wrapped']);
  });

  it('serves the owner every content field in clear', async () => {
    const conversation = await t.execute(ConversationDocument, { id: ids.conversation }, { token: alice });
    expect(conversation.data?.conversation?.title).toBe(`${CANARY} title`);
    expect(conversation.data?.conversation?.messages.map((m) => m.content)).toEqual([`${CANARY} my diagnosis`]);
    const agent = await t.execute(AgentDocument, { id: ids.agent }, { token: alice });
    expect(agent.data?.agent?.instructions).toBe(`${CANARY} instructions`);
    expect(agent.data?.agent?.knowledge.map((k) => [k.title, k.content])).toEqual([[`${CANARY} doc`, `${CANARY} knowledge`]]);
    const image = await t.execute(GalleryImageDocument, { id: ids.image }, { token: alice });
    expect(image.data?.galleryImage?.prompt).toBe(`${CANARY} prompt`);
    expect(image.data?.galleryImage?.imageUrl).toBe(`https://cdn.example.test/${CANARY}.png`);
    const upload = await t.execute(MediaUploadDocument, { id: ids.upload }, { token: alice });
    expect(upload.data?.mediaUpload?.transcript).toBe(`${CANARY} spoken words`);
    expect(upload.data?.mediaUpload?.voiceRecording).toBe(`https://files.example.test/${CANARY}.ogg`);
  });
});

describe('a database writer', () => {
  it('cannot move a ciphertext onto another record: it reads as nothing there', async () => {
    const Messages = messageModel(t.connection).collection;
    const alices = await Messages.findOne({ _id: ids.message as never });
    const original = await Messages.findOne({ _id: ids.bobMessage as never });
    // Alice's ciphertext on Bob's message (and, below, on another of Alice's own records).
    await Messages.updateOne({ _id: ids.bobMessage as never }, { $set: { content: alices!.content } });
    const bobReads = await t.execute(ConversationDocument, { id: ids.bobConversation }, { token: bob });
    expect(bobReads.data?.conversation?.messages.map((m) => m.content)).toEqual([null]);
    await Messages.updateOne({ _id: ids.bobMessage as never }, { $set: { content: original!.content } });
    expect((await t.execute(ConversationDocument, { id: ids.bobConversation }, { token: bob })).data?.conversation?.messages.map((m) => m.content)).toEqual(['bob words']);
    // Same owner, same key: Alice's message ciphertext as her own conversation's title (another field and record) does not open either.
    const Conversations = t.connection.db!.collection('conversations');
    const title = (await Conversations.findOne({ _id: ids.conversation as never }))!.title as string;
    await Conversations.updateOne({ _id: ids.conversation as never }, { $set: { title: alices!.content } });
    const moved = await t.execute(ConversationDocument, { id: ids.conversation }, { token: alice });
    expect(moved.data?.conversation?.title ?? null).toBeNull();
    expect(moved.data?.conversation?.messages.map((m) => m.content)).toEqual([`${CANARY} my diagnosis`]);
    await Conversations.updateOne({ _id: ids.conversation as never }, { $set: { title } });
  });

  it('cannot give one subject another subject\'s wrapped key, nor plant plaintext', async () => {
    const Keys = subjectKeyModel(t.connection).collection;
    const alicesKey = await Keys.findOne({ tenant, subject: 'alice' });
    const bobsKey = await Keys.findOne({ tenant, subject: 'bob' });
    // (refs are unique, so only the wrapped key can be copied; it is bound to Alice and does not unwrap as Bob's)
    await Keys.updateOne({ tenant, subject: 'bob' }, { $set: { wrapped: alicesKey!.wrapped } });
    // The gateway caches unwrapped keys for a minute; a fresh gateway on the same database reads the records as they are.
    const fresh = await startTestGateway({ name: import.meta.url, dbName: t.connection.name, keepDatabase: true });
    const bobNow = await fresh.token('bob', tenant, ['user']);
    const bobReads = await fresh.execute(ConversationDocument, { id: ids.bobConversation }, { token: bobNow });
    // Bob's key does not unwrap, so neither his content nor his audit pseudonym can be had: fail closed.
    expect(bobReads.status).toBe(503);
    expect(bobReads.errors?.[0]?.extensions?.code).toBe('AUDIT_UNAVAILABLE');
    expect(bobReads.data ?? null).toBeNull();
    // Alice is unaffected.
    const aliceReads = await fresh.execute(ConversationDocument, { id: ids.conversation }, { token: await fresh.token('alice', tenant, ['user']) });
    expect(aliceReads.data?.conversation?.messages.map((m) => m.content)).toEqual([`${CANARY} my diagnosis`]);
    await Keys.updateOne({ tenant, subject: 'bob' }, { $set: { wrapped: bobsKey!.wrapped } });
    expect((await fresh.execute(ConversationDocument, { id: ids.bobConversation }, { token: bobNow })).data?.conversation?.title).toBe('bob title');

    await messageModel(t.connection).collection.updateOne({ _id: ids.bobMessage as never }, { $set: { content: 'planted in clear' } });
    const planted = await fresh.execute(ConversationDocument, { id: ids.bobConversation }, { token: bobNow });
    expect(planted.data?.conversation?.messages.map((m) => m.content)).toEqual([null]);
    await fresh.close();
  });

  it('refuses plaintext through the models: content is written encrypted or not at all', async () => {
    await expect(messageModel(t.connection).updateOne({ _id: ids.message }, { $set: { content: 'rewritten in clear' } }).exec()).rejects.toThrow(/ciphertext only/);
  });
});
