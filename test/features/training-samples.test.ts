/**
 * trainingSamples (deepailab): only content whose subject consented under the current version of
 * the purpose's terms, and is not restricted, objecting, erased, a minor or opted out (request,
 * account, tenant; from the time of opt-out, never retroactively), each with its consentId; every
 * page recorded as a sealed delivery that the signed manifest and the lineage query trace.
 * Everything goes through the real pipeline with real tokens; the oracle is the list of messages
 * the test itself wrote and the consent records the subjects' own myConsents return.
 */
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainingDeliveryModel } from '../../src/features/training/index.js';
import {
  AddMessageDocument,
  EraseMyAccountDocument,
  GrantConsentDocument,
  MyConsentsDocument,
  ObjectToProcessingDocument,
  RegisterAccountDocument,
  RestrictProcessingDocument,
  SetModelImprovementOptOutDocument,
  SetTenantModelImprovementOptOutDocument,
  StartConversationDocument,
  TenantModelImprovementOptOutDocument,
  TrainingLineageDocument,
  TrainingManifestDocument,
  TrainingSamplesDocument,
  WithdrawConsentDocument,
  type TrainingSamplesQuery,
} from '../generated/graphql.js';
import { startTestGateway, type CallOptions, type GraphQLResponse, type TestGateway } from '../helpers/gateway.js';

const tenant = 'ts';
const otherTenant = 'ts2';
const YEAR = 365.25 * 86_400_000;
const THIRD_PARTY = { 'x-purpose': 'train_ai_system.third_party' };

let t: TestGateway;
let ml: string;
let startedAt: Date;
/** What each subject wrote, by content: the test's own record of what exists. */
const written = new Map<string, { subject: string; tenant: string; id: string }>();

async function userToken(subject: string, inTenant = tenant): Promise<string> {
  return t.token(subject, inTenant, ['user']);
}

async function register(subject: string, birthDate = '1988-02-03', inTenant = tenant): Promise<string> {
  const token = await userToken(subject, inTenant);
  const res = await t.execute(RegisterAccountDocument, { input: { displayName: `${subject} Person`, email: `${subject}@example.com`, birthDate, country: 'DE' } }, { token });
  expect(res.errors).toBeUndefined();
  return token;
}

async function consent(token: string, purpose = 'train_ai_system'): Promise<void> {
  const res = await t.execute(GrantConsentDocument, { purpose }, { token });
  expect(res.errors).toBeUndefined();
}

const conversations = new Map<string, string>();
async function say(subject: string, content: string, options: { inTenant?: string; headers?: Record<string, string> } = {}): Promise<string> {
  const inTenant = options.inTenant ?? tenant;
  const token = await userToken(subject, inTenant);
  let conversation = conversations.get(`${inTenant}/${subject}`);
  if (!conversation) {
    const started = await t.execute(StartConversationDocument, { title: `${subject} chat` }, { token });
    expect(started.errors).toBeUndefined();
    conversation = started.data!.startConversation.id;
    conversations.set(`${inTenant}/${subject}`, conversation);
  }
  const call: CallOptions = { token, ...(options.headers ? { headers: options.headers } : {}) };
  const added = await t.execute(AddMessageDocument, { conversationId: conversation, role: 'USER', content }, call);
  expect(added.errors).toBeUndefined();
  written.set(content, { subject, tenant: inTenant, id: added.data!.addMessage.id });
  return added.data!.addMessage.id;
}

/** Every sample the ml_engineer gets, following `next` to the end. */
async function allSamples(token: string, headers?: Record<string, string>) {
  const samples: { id: string | null; content: string | null; consentId: string | null }[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page += 1) {
    const res: GraphQLResponse<TrainingSamplesQuery> = await t.execute(TrainingSamplesDocument, { first: 3, after }, { token, ...(headers ? { headers } : {}) });
    expect(res.errors).toBeUndefined();
    samples.push(...res.data!.trainingSamples.samples);
    after = res.data!.trainingSamples.next ?? null;
    if (!after) return samples;
  }
  throw new Error('paging did not end');
}

const contents = (samples: { content: string | null }[]) => samples.map((s) => s.content).sort();
const tick = () => new Promise((r) => setTimeout(r, 5));

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url, env: { POLICY_PACK: 'deepailab' } });
  ml = await t.token('mlops', tenant, ['ml_engineer']);
  startedAt = new Date(Date.now() - 1000);
  const alice = await register('alice');
  await consent(alice);
  await say('alice', 'alice one');
  await register('bob');
  await say('bob', 'bob never consented');
  const carol = await register('carol');
  await consent(carol);
  await say('carol', 'carol objects');
  expect((await t.execute(ObjectToProcessingDocument, { purpose: 'train_ai_system' }, { token: carol })).errors).toBeUndefined();
  const dave = await register('dave');
  await consent(dave);
  await say('dave', 'dave restricted');
  expect((await t.execute(RestrictProcessingDocument, { restricted: true }, { token: dave })).errors).toBeUndefined();
  const erin = await register('erin', new Date(Date.now() - 17 * YEAR).toISOString().slice(0, 10));
  await consent(erin);
  await say('erin', 'erin is seventeen');
  const frank = await register('frank');
  await consent(frank);
  await say('frank', 'frank erased');
  // Request level: one message under X-MIP-Opt-Out, one without.
  const hank = await register('hank');
  await consent(hank);
  await say('hank', 'hank opted out on the request', { headers: { 'x-mip-opt-out': 'true' } });
  await say('hank', 'hank plain');
  // Account level: before, during and after an opt-out period.
  const gina = await register('gina');
  await consent(gina);
  await say('gina', 'gina before opting out');
  await tick();
  const out = await t.execute(SetModelImprovementOptOutDocument, { optOut: true }, { token: gina });
  expect(out.data?.setModelImprovementOptOut.optedOut).toBe(true);
  await tick();
  await say('gina', 'gina while opted out');
  await tick();
  const back = await t.execute(SetModelImprovementOptOutDocument, { optOut: false }, { token: gina });
  expect(back.data?.setModelImprovementOptOut).toMatchObject({ optedOut: false, periods: [{ until: expect.any(String) }] });
  await tick();
  await say('gina', 'gina after opting back in');
  // Third party: a first-party consent does not cover it; jack consented to both.
  const jack = await register('jack');
  await consent(jack);
  await consent(jack, 'train_ai_system.third_party');
  await say('jack', 'jack allows third parties');
  // Another tenant: its admin opts the whole tenant out between two messages of ivy.
  const ivy = await register('ivy', '1988-02-03', otherTenant);
  await consent(ivy);
  await say('ivy', 'ivy before the tenant opted out', { inTenant: otherTenant });
  await tick();
  const admin = await t.token('boss', otherTenant, ['tenant_admin']);
  const tenantOut = await t.execute(SetTenantModelImprovementOptOutDocument, { optOut: true }, { token: admin });
  expect(tenantOut.errors).toBeUndefined();
  expect(tenantOut.data?.setTenantModelImprovementOptOut.optedOut).toBe(true);
  await tick();
  await say('ivy', 'ivy after the tenant opted out', { inTenant: otherTenant });
  // Frank is erased last: his message existed, consented, until then.
  expect((await t.execute(EraseMyAccountDocument, { confirm: true }, { token: frank })).errors).toBeUndefined();
});
afterAll(() => t?.close());

describe('trainingSamples', () => {
  it('releases exactly the eligible content, each sample with the consent record that allowed it', async () => {
    const samples = await allSamples(ml);
    expect(contents(samples)).toEqual(['alice one', 'gina after opting back in', 'gina before opting out', 'hank plain', 'jack allows third parties'].sort());
    // Lineage against each subject's own consent history: the id of their latest GRANTED train_ai_system record.
    for (const sample of samples) {
      const owner = written.get(sample.content!)!;
      const history = await t.execute(MyConsentsDocument, {}, { token: await userToken(owner.subject) });
      const granted = history.data!.myConsents.filter((c) => c.purpose === 'train_ai_system' && c.status === 'GRANTED').at(-1)!;
      expect(sample.consentId).toBe(granted.id);
      expect(sample.id).toBe(owner.id);
    }
  });

  it('a withdrawal excludes the subject from the next page on', async () => {
    const alice = await userToken('alice');
    expect((await t.execute(WithdrawConsentDocument, { purpose: 'train_ai_system' }, { token: alice })).errors).toBeUndefined();
    try {
      expect(contents(await allSamples(ml))).not.toContain('alice one');
    } finally {
      await consent(alice);
    }
    expect(contents(await allSamples(ml))).toContain('alice one');
  });

  it('third-party training needs its own consent: a first-party consent does not cover it', async () => {
    expect(contents(await allSamples(ml, THIRD_PARTY))).toEqual(['jack allows third parties']);
  });

  it('a tenant opt-out excludes what was created after it, not before (and only in that tenant)', async () => {
    const other = await t.token('mlops2', otherTenant, ['ml_engineer']);
    expect(contents(await allSamples(other))).toEqual(['ivy before the tenant opted out']);
    const status = await t.execute(TenantModelImprovementOptOutDocument, {}, { token: other });
    expect(status.data?.tenantModelImprovementOptOut.optedOut).toBe(true);
  });

  it('a tenant opt-out edited in the database opts the tenant out entirely (fails closed)', async () => {
    const other = await t.token('mlops2', otherTenant, ['ml_engineer']);
    await t.connection.db!.collection('tenants').updateOne({ _id: otherTenant as never }, { $set: { mipOptOutPeriods: [] } });
    try {
      expect(await allSamples(other)).toEqual([]);
    } finally {
      await t.connection.db!.collection('tenants').updateOne({ _id: otherTenant as never }, { $set: { mipOptOutPeriods: [{ from: new Date(0), until: null }] } });
    }
  });

  it('an account opt-out removed in the database does not release: the account then fails its seal', async () => {
    await t.connection.db!.collection('users').updateOne({ tenant, subject: 'gina' }, { $unset: { mipOptOutPeriods: '' } });
    expect(contents(await allSamples(ml)).filter((c) => c?.startsWith('gina'))).toEqual([]);
  });

  it('a tenant opt-out removed with its seal in the database still counts (the record is sealed from its creation)', async () => {
    const other = await t.token('mlops2', otherTenant, ['ml_engineer']);
    const tenants = t.connection.db!.collection('tenants');
    const before = await tenants.findOne({ _id: otherTenant as never });
    await tenants.updateOne({ _id: otherTenant as never }, { $unset: { mipOptOutPeriods: '', seal: '' } });
    try {
      expect(await allSamples(other)).toEqual([]);
    } finally {
      await tenants.replaceOne({ _id: otherTenant as never }, before!);
    }
  });

  it('a token whose purposes stop at first-party training may not declare third-party training', async () => {
    const narrow = await t.token('mlops', tenant, ['ml_engineer'], ['train_ai_system']);
    const res = await t.execute(TrainingSamplesDocument, { first: 5 }, { token: narrow, headers: THIRD_PARTY });
    expect(res.errors?.[0]?.extensions?.code).toBe('PURPOSE_NOT_ALLOWED');
    expect(JSON.stringify(res)).not.toContain('jack allows third parties');
  });

  it('a message moved to a consenting owner in the database is not a sample of anyone', async () => {
    const moved = await say('bob', 'bob moved to alice');
    await t.connection.db!.collection('messages').updateOne({ _id: moved as never }, { $set: { owner: 'alice' } });
    try {
      const res = await t.execute(TrainingSamplesDocument, { first: 500 }, { token: ml });
      expect(res.errors).toBeUndefined();
      expect(res.data!.trainingSamples.samples.map((s) => s.id)).not.toContain(moved);
      const delivered = await trainingDeliveryModel(t.connection).find({ tenant, 'samples.sampleId': moved }).lean().exec();
      expect(delivered).toEqual([]);
    } finally {
      await t.connection.db!.collection('messages').deleteOne({ _id: moved as never });
    }
  });

  it('is for training purposes and roles granted content for them only', async () => {
    const asUser = await t.execute(TrainingSamplesDocument, { first: 5 }, { token: await userToken('alice') });
    expect(asUser.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(asUser)).not.toContain('alice one');
    const tooMany = await t.execute(TrainingSamplesDocument, { first: 100_000 }, { token: ml });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badCursor = await t.execute(TrainingSamplesDocument, { first: 5, after: 'nonsense' }, { token: ml });
    expect(badCursor.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('deliveries, the signed manifest and lineage', () => {
  it('the manifest lists every delivered sample with its consent id, signed with the audit key', async () => {
    const res = await t.execute(TrainingManifestDocument, { from: startedAt.toISOString(), to: new Date(Date.now() + 1000).toISOString() }, { token: ml });
    expect(res.errors).toBeUndefined();
    const manifest = res.data!.trainingManifest;
    expect(manifest.deliveries.length).toBeGreaterThan(0);
    expect(manifest.deliveries.every((d) => d.status === 'VERIFIED')).toBe(true);
    const delivered = new Set(manifest.deliveries.flatMap((d) => d.samples.map((s) => s.sampleId)));
    expect(delivered).toEqual(new Set(['alice one', 'gina after opting back in', 'gina before opting out', 'hank plain', 'jack allows third parties'].map((c) => written.get(c)!.id)));
    const jwks = (await (await t.fetch('/.well-known/jwks.json')).json()) as JSONWebKeySet;
    const { payload } = await compactVerify(manifest.manifest!, createLocalJWKSet(jwks));
    expect(decodeProtectedHeader(manifest.manifest!).typ).toBe('govgate-training-manifest+jws');
    const signed = JSON.parse(new TextDecoder().decode(payload)) as { sampleCount: number; deliveries: { samples: { sampleId: string; consentId: string }[] }[] };
    expect(signed.sampleCount).toBe(manifest.sampleCount);
    expect(signed.deliveries.flatMap((d) => d.samples)).toEqual(manifest.deliveries.flatMap((d) => d.samples));
    // Another tenant's ml_engineer sees none of these.
    const other = await t.execute(TrainingManifestDocument, { from: startedAt.toISOString(), to: new Date(Date.now() + 1000).toISOString() }, { token: await t.token('mlops2', otherTenant, ['ml_engineer']) });
    expect(other.data!.trainingManifest.deliveries.flatMap((d) => d.samples.map((s) => s.sampleId))).not.toContain(written.get('alice one')!.id);
  });

  it('lineage traces a subject to every delivery that included them, with the consent used', async () => {
    const officer = await t.token('olga', tenant, ['compliance_officer']);
    const res = await t.execute(TrainingLineageDocument, { subject: 'alice' }, { token: officer });
    expect(res.errors).toBeUndefined();
    const lineage = res.data!.trainingLineage;
    expect(lineage.length).toBeGreaterThan(0);
    const ids = new Set(lineage.flatMap((d) => d.samples.map((s) => s.sampleId)));
    expect(ids).toEqual(new Set([written.get('alice one')!.id]));
    const history = await t.execute(MyConsentsDocument, {}, { token: await userToken('alice') });
    const grants = new Set(history.data!.myConsents.filter((c) => c.status === 'GRANTED').map((c) => c.id));
    for (const s of lineage.flatMap((d) => d.samples)) expect(grants.has(s.consentId!)).toBe(true);
    // Bob never consented: no delivery names him. Others may not ask.
    expect((await t.execute(TrainingLineageDocument, { subject: 'bob' }, { token: officer })).data!.trainingLineage).toEqual([]);
    expect((await t.execute(TrainingLineageDocument, { subject: 'alice' }, { token: ml })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('one delivery per request id: a second page in the same request, or under a reused X-Request-Id, is refused', async () => {
    const twice = await t.post({ query: '{ a: trainingSamples(first: 1) { samples { content } } b: trainingSamples(first: 1) { samples { content } } }' }, { token: ml });
    const body = (await twice.json()) as { data: unknown; errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    // The field is non-null: the whole response fails, so no page leaves without its own delivery.
    expect(body.data).toBeNull();
    const id = { 'x-request-id': 'reused-request-id-0001' };
    expect((await t.execute(TrainingSamplesDocument, { first: 1 }, { token: ml, headers: id })).errors).toBeUndefined();
    const again = await t.execute(TrainingSamplesDocument, { first: 1 }, { token: ml, headers: id });
    expect(again.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(again.data?.trainingSamples ?? null).toBeNull();
  });

  it('a delivery edited in the database shows as ALTERED; one deleted shows as missing against the audit chain', async () => {
    const officer = await t.token('olga', tenant, ['compliance_officer']);
    const range = { from: startedAt.toISOString(), to: new Date(Date.now() + 1000).toISOString() };
    const deliveries = trainingDeliveryModel(t.connection);
    const [first, second] = await deliveries.find({ tenant }).sort({ at: 1 }).limit(2).lean().exec();
    await deliveries.collection.updateOne({ _id: first!._id as never }, { $set: { samples: [] } });
    await deliveries.collection.deleteOne({ _id: second!._id as never });
    const res = await t.execute(TrainingManifestDocument, range, { token: officer });
    expect(res.errors).toBeUndefined();
    const manifest = res.data!.trainingManifest;
    expect(manifest.deliveries.find((d) => d.id === first!._id)?.status).toBe('ALTERED');
    expect(manifest.missing.map((m) => m.requestId)).toContain(second!.requestId);
    expect(manifest.deliveries.filter((d) => d.id !== first!._id).every((d) => d.status === 'VERIFIED')).toBe(true);
  });
});
