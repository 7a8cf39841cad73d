/**
 * The records the platforms hold besides conversations, through the pipeline under the shipped
 * pack: uploads (voice, video, image: biometric and self-image categories, opt-out recorded), API
 * usage logs and payments (written by a `service` caller only), each readable by its owner and by
 * the roles the pack grants, and nobody else; every field of the new types classified as its data
 * is; their mutations audited with an INTENT first; bad input refused without echo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiUsageDocument,
  CreateMediaUploadDocument,
  DataMapDocument,
  GrantConsentDocument,
  MediaUploadDocument,
  MyMediaUploadsDocument,
  RecordApiUsageDocument,
  RecordTransactionDocument,
  RegisterAccountDocument,
  TransactionsDocument,
} from '../generated/graphql.js';
import { auditedReasons, auditEventsOf } from '../helpers/audited.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { redactionAt } from '../helpers/redactions.js';
import { rowLevelAnalysts } from '../helpers/policy-dir.js';

const tenant = 'recco';
const IP = '203.0.113.77';
const VOICE = 'uploads/alice/canary-voice.ogg';

let t: TestGateway;
let alice: string;
let service: string;
let voiceId: string;

const as = (sub: string, roles: string[]) => t.token(sub, tenant, roles);

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url, env: { POLICY_DIR: await rowLevelAnalysts() } });
  alice = await as('alice', ['user']);
  service = await as('svc-platform', ['service']);
  const registered = await t.execute(RegisterAccountDocument, { input: { displayName: 'Alice', email: 'alice@example.com', birthDate: '1990-04-12', country: 'FR' } }, { token: alice });
  expect(registered.errors).toBeUndefined();
  expect((await t.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token: alice })).errors).toBeUndefined();
  const voice = await t.execute(
    CreateMediaUploadDocument,
    { input: { kind: 'VOICE', contentType: 'audio/ogg', location: VOICE, durationSeconds: 12.5, transcript: 'canary-transcript: hello' } },
    { token: alice },
  );
  expect(voice.errors).toBeUndefined();
  voiceId = voice.data!.createMediaUpload.id;
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('media uploads', () => {
  it('keep the file under the category of its kind; the owner reads all of it', async () => {
    const image = await t.execute(CreateMediaUploadDocument, { input: { kind: 'IMAGE', contentType: 'image/png', location: 'https://cdn.example.test/alice/selfie.png' } }, { token: alice });
    expect(image.data!.createMediaUpload).toMatchObject({ kind: 'IMAGE', image: 'https://cdn.example.test/alice/selfie.png', voiceRecording: null, durationSeconds: null });
    const mine = await t.execute(MyMediaUploadsDocument, {}, { token: alice });
    expect(mine.data!.myMediaUploads[0]).toMatchObject({ kind: 'VOICE', voiceRecording: VOICE, videoRecording: null, image: null, transcript: 'canary-transcript: hello', durationSeconds: 12.5 });
  });

  it('give another user nothing; a consented ml_engineer the transcript but not the voice (biometric, not granted)', async () => {
    const kim = await t.execute(MediaUploadDocument, { id: voiceId }, { token: await as('kim', ['user']) });
    expect(kim.data!.mediaUpload).toMatchObject({ kind: 'VOICE', voiceRecording: null, transcript: null, owner: null });
    expect(JSON.stringify(kim)).not.toContain('canary');
    expect(redactionAt(kim, ['mediaUpload', 'voiceRecording'])).toMatchObject({ reason: 'ROLE', category: 'user.biometrics.voice' });
    const mia = await t.execute(MediaUploadDocument, { id: voiceId }, { token: await as('mia', ['ml_engineer']) });
    expect(mia.data!.mediaUpload).toMatchObject({ transcript: 'canary-transcript: hello', voiceRecording: null });
    expect(redactionAt(mia, ['mediaUpload', 'voiceRecording'])?.reason).toBe('ROLE');
  });

  it('record the request\'s model-improvement opt-out, which keeps them out of training', async () => {
    const optedOut = await t.execute(
      CreateMediaUploadDocument,
      { input: { kind: 'VIDEO', contentType: 'video/mp4', location: 'uploads/alice/clip.mp4', durationSeconds: 30, transcript: 'canary-opted-out' } },
      { token: alice, headers: { 'x-mip-opt-out': 'true' } },
    );
    const mia = await t.execute(MediaUploadDocument, { id: optedOut.data!.createMediaUpload.id }, { token: await as('mia', ['ml_engineer']) });
    expect(mia.data!.mediaUpload!.transcript).toBeNull();
    expect(await auditedReasons(t, tenant, 'mia', mia, 'MediaUpload.transcript')).toEqual(['OPTED_OUT']);
  });

  it('refuse a MIME type that does not fit the kind, a bad location and an image with a duration, without echoing them', async () => {
    for (const input of [
      { kind: 'VOICE', contentType: 'image/x-4242', location: 'uploads/a.ogg' },
      { kind: 'VOICE', contentType: 'audio/ogg', location: 'ftp://host.example/4242.ogg' },
      { kind: 'IMAGE', contentType: 'image/png', location: 'uploads/4242.png', durationSeconds: 4242 },
    ] as const) {
      const res = await t.execute(CreateMediaUploadDocument, { input }, { token: alice });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res.errors)).not.toContain('4242');
    }
  });

  it('of another tenant look missing', async () => {
    const other = await t.execute(MediaUploadDocument, { id: voiceId }, { token: await t.token('alice', 'other-tenant', ['user']) });
    expect(other.data!.mediaUpload).toBeNull();
  });
});

describe('API usage logs', () => {
  it('are written by a service only, for a registered user, with valid metadata', async () => {
    const input = { subject: 'alice', operation: 'POST /v1/images', model: 'diffusion-xl', statusCode: 200, latencyMs: 850, ipAddress: IP, userAgent: 'Mozilla/5.0 (iPhone; iOS 17)' };
    expect((await t.execute(RecordApiUsageDocument, { input }, { token: alice })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.execute(RecordApiUsageDocument, { input: { ...input, subject: 'nobody-4242' } }, { token: service })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badIp = await t.execute(RecordApiUsageDocument, { input: { ...input, ipAddress: '999.1.1.4242' } }, { token: service });
    expect(badIp.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(badIp.errors)).not.toContain('4242');
    const recorded = await t.execute(RecordApiUsageDocument, { input }, { token: service });
    expect(recorded.errors).toBeUndefined();
    expect(recorded.data!.recordApiUsage).toMatchObject({ operation: 'POST /v1/images', ipAddress: IP });
  });

  it('are the owner\'s to read; an analyst sees the usage but only a pseudonym of the address; another user nothing', async () => {
    const own = await t.execute(ApiUsageDocument, {}, { token: alice });
    expect(own.data!.apiUsage.edges.map((e) => e.node)).toMatchObject([{ operation: 'POST /v1/images', model: 'diffusion-xl', ipAddress: IP, userAgent: 'Mozilla/5.0 (iPhone; iOS 17)', owner: { id: 'alice' } }]);
    const analyst = await t.execute(ApiUsageDocument, { subject: 'alice' }, { token: await as('ana', ['analyst']) });
    const seen = analyst.data!.apiUsage.edges[0]!.node;
    expect(seen).toMatchObject({ operation: 'POST /v1/images', model: 'diffusion-xl', statusCode: 200, userAgent: null });
    expect(seen.ipAddress).toEqual(expect.any(String));
    expect(seen.ipAddress).not.toContain('203.0.113');
    expect(redactionAt(analyst, ['apiUsage', 'edges', 0, 'node', 'ipAddress'])).toMatchObject({ reason: 'ROLE', strategy: 'hash' });
    const kim = await t.execute(ApiUsageDocument, { subject: 'alice' }, { token: await as('kim', ['user']) });
    expect(kim.data!.apiUsage.edges[0]!.node).toMatchObject({ operation: null, model: null, statusCode: null, userAgent: null });
    expect(JSON.stringify(kim)).not.toContain(IP);
  });
});

describe('payments', () => {
  it('are recorded by a service only, with an ISO 4217 currency and an amount in minor units', async () => {
    const input = { subject: 'alice', amount: 1999, currency: 'EUR', status: 'SUCCEEDED' } as const;
    expect((await t.execute(RecordTransactionDocument, { input }, { token: alice })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = await t.execute(RecordTransactionDocument, { input: { ...input, currency: 'euro' } }, { token: service });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(bad.errors)).not.toContain('euro');
    expect((await t.execute(RecordTransactionDocument, { input }, { token: service })).data!.recordTransaction).toMatchObject({ amount: 1999, currency: 'EUR', status: 'SUCCEEDED' });
  });

  it('are read by the owner and by the roles the pack grants financial data (compliance), nobody else', async () => {
    const own = await t.execute(TransactionsDocument, {}, { token: alice });
    expect(own.data!.transactions.edges.map((e) => e.node)).toMatchObject([{ amount: 1999, currency: 'EUR', status: 'SUCCEEDED', owner: { id: 'alice' } }]);
    const compliance = await t.execute(TransactionsDocument, { subject: 'alice' }, { token: await as('carl', ['compliance_officer']) });
    expect(compliance.data!.transactions.edges[0]!.node).toMatchObject({ amount: 1999, currency: 'EUR' });
    for (const [sub, roles] of [['kim', ['user']], ['tess', ['tenant_admin']], ['ana', ['analyst']], ['sam', ['support']]] as const) {
      const res = await t.execute(TransactionsDocument, { subject: 'alice' }, { token: await as(sub, [...roles]) });
      expect(res.data!.transactions.edges[0]!.node, sub).toMatchObject({ amount: null, currency: null, status: null });
      expect(redactionAt(res, ['transactions', 'edges', 0, 'node', 'amount'])?.reason, sub).toBe('ROLE');
    }
  });
});

describe('classification and audit', () => {
  it('classifies every field of the new types, each under the category of what it holds', async () => {
    const res = await t.execute(DataMapDocument, {}, { token: alice });
    const category = new Map(res.data!.dataMap.map((e) => [`${e.type}.${e.field}`, e.category]));
    expect(Object.fromEntries(
      ['Agent.instructions', 'Agent.name', 'KnowledgeItem.content', 'SupportGrant.expiresAt', 'GalleryImage.prompt', 'GalleryImage.imageUrl', 'MediaUpload.voiceRecording', 'MediaUpload.videoRecording', 'MediaUpload.image', 'MediaUpload.transcript', 'ApiUsageRecord.operation', 'ApiUsageRecord.ipAddress', 'ApiUsageRecord.userAgent', 'Transaction.amount', 'Transaction.status'].map((c) => [c, category.get(c)]),
    )).toEqual({
      'Agent.instructions': 'user.content.private.agent_instruction',
      'Agent.name': 'user.content.private.agent_instruction',
      'KnowledgeItem.content': 'user.content.private.knowledge_base',
      'SupportGrant.expiresAt': 'user.privacy_preferences',
      'GalleryImage.prompt': 'user.content.private.generated_media',
      'GalleryImage.imageUrl': 'user.content.private.generated_media',
      'MediaUpload.voiceRecording': 'user.biometrics.voice',
      'MediaUpload.videoRecording': 'user.biometrics',
      'MediaUpload.image': 'user.content.self_image',
      'MediaUpload.transcript': 'user.content.private.upload',
      'ApiUsageRecord.operation': 'user.behavior.api_usage',
      'ApiUsageRecord.ipAddress': 'user.device.ip_address',
      'ApiUsageRecord.userAgent': 'user.device',
      'Transaction.amount': 'user.financial',
      'Transaction.status': 'user.financial',
    });
    // Every field of every new type is in the data map, i.e. classified.
    const introspected = await t.post({ query: '{ a: __type(name: "Agent") { fields { name } } k: __type(name: "KnowledgeItem") { fields { name } } g: __type(name: "GalleryImage") { fields { name } } m: __type(name: "MediaUpload") { fields { name } } u: __type(name: "ApiUsageRecord") { fields { name } } p: __type(name: "Transaction") { fields { name } } s: __type(name: "SupportGrant") { fields { name } } }' }, { token: alice });
    const types = ((await introspected.json()) as { data: Record<string, { fields: { name: string }[] }> }).data;
    const names: Record<string, string> = { a: 'Agent', k: 'KnowledgeItem', g: 'GalleryImage', m: 'MediaUpload', u: 'ApiUsageRecord', p: 'Transaction', s: 'SupportGrant' };
    const unclassified = Object.entries(types).flatMap(([alias, type]) => type.fields.map((f) => `${names[alias]}.${f.name}`)).filter((c) => !category.has(c));
    expect(unclassified).toEqual([]);
  });

  it('audits createMediaUpload, recordApiUsage and recordTransaction with their INTENT first, never a value', async () => {
    for (const [actor, operation] of [['alice', 'CreateMediaUpload'], ['svc-platform', 'RecordApiUsage'], ['svc-platform', 'RecordTransaction']] as const) {
      const events = await auditEventsOf(t, tenant, actor, operation);
      const served = events.find((e) => e.outcome === 'SERVED');
      expect(events.find((e) => e.id === served?.intent), operation).toMatchObject({ outcome: 'INTENT' });
      expect(JSON.stringify(events), operation).not.toMatch(/canary|203\.0\.113/);
    }
  });
});
