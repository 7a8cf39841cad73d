/**
 * Art. 15 / 20 (`exportMyData`): a seeded subject's export holds their record from every collection
 * of EXPORT_SOURCES, content decrypted, and nothing else — no seal, wrapped key, ciphertext or
 * pseudonym, nothing of another subject of the tenant, nothing of the same subject id in another
 * tenant. The list of sources is checked against every collection the registered models use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentModel, knowledgeModel, supportGrantModel } from '../../src/features/agents/index.js';
import { consentModel } from '../../src/features/consents/index.js';
import { conversationModel, messageModel } from '../../src/features/conversations/index.js';
import { galleryImageModel } from '../../src/features/gallery/index.js';
import { mediaUploadModel } from '../../src/features/media/index.js';
import { transactionModel } from '../../src/features/payments/index.js';
import { EXPORT_KEYS, EXPORT_SOURCES, NOT_ABOUT_THE_SUBJECT } from '../../src/features/rights/index.js';
import { apiUsageModel } from '../../src/features/usage/index.js';
import { guardianConfirmationModel, stateHistoryModel } from '../../src/features/users/index.js';
import { CIPHERTEXT_PREFIX, subjectKeyModel } from '../../src/keys/index.js';
import { ExportMyDataDocument, RegisterAccountDocument, UserDocument } from '../generated/graphql.js';
import { auditEventsOf } from '../helpers/audited.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { redactionAt } from '../helpers/redactions.js';

const tenant = 'exporter';
const otherTenant = 'elsewhere';
let t: TestGateway;

type Data = Record<string, unknown> & { tenant: string; subject: string; profile: Record<string, unknown> | null };
type Row = Record<string, unknown> & { id: string };

/** What was seeded for one subject, by export key: the ids, and the clear content. */
const seeded = new Map<string, Record<string, string[]>>();

async function register(sub: string, tenantId: string, tag: string): Promise<void> {
  const token = await t.token(sub, tenantId, ['user']);
  const res = await t.execute(RegisterAccountDocument, { input: { displayName: `Name ${tag}`, email: `${tag}@example.com`, birthDate: '1990-04-12', country: 'FR' } }, { token });
  expect(res.errors).toBeUndefined();
}

/** One record (two consents, two messages) in every collection for (tenant, subject), content tagged. */
async function seed(tenantId: string, owner: string, tag: string): Promise<void> {
  const c = t.connection;
  const at = new Date();
  const ids: Record<string, string[]> = {};
  const keep = (key: string, ...docs: { _id: string }[]) => (ids[key] = [...(ids[key] ?? []), ...docs.map((d) => d._id)]);
  keep('consents', await consentModel(c).create({ tenant: tenantId, subject: owner, purpose: 'marketing', status: 'GRANTED', policyVersion: 'v1', at }));
  keep('consents', await consentModel(c).create({ tenant: tenantId, subject: owner, purpose: 'marketing', status: 'WITHDRAWN', policyVersion: 'v1', at: new Date(at.getTime() + 1) }));
  const conversation = await conversationModel(c).create({ tenant: tenantId, owner, title: `title-${tag}` });
  keep('conversations', conversation);
  keep('messages', await messageModel(c).create({ tenant: tenantId, owner, conversationId: conversation._id, role: 'USER', content: `prompt-${tag}` }));
  keep('messages', await messageModel(c).create({ tenant: tenantId, owner, conversationId: conversation._id, role: 'ASSISTANT', content: `answer-${tag}` }));
  const agent = await agentModel(c).create({ tenant: tenantId, owner, name: `agent-${tag}`, instructions: `instructions-${tag}` });
  keep('agents', agent);
  keep('agentKnowledge', await knowledgeModel(c).create({ tenant: tenantId, owner, agentId: agent._id, title: `ktitle-${tag}`, content: `kcontent-${tag}` }));
  keep('supportGrants', await supportGrantModel(c).create({ tenant: tenantId, owner, agentId: agent._id, expiresAt: new Date(Date.now() + 3_600_000) }));
  keep('galleryImages', await galleryImageModel(c).create({ tenant: tenantId, owner, prompt: `gprompt-${tag}`, imageUrl: `https://cdn.example.test/${tag}.png` }));
  keep('mediaUploads', await mediaUploadModel(c).create({ tenant: tenantId, owner, kind: 'VOICE', contentType: 'audio/ogg', location: `https://files.example.test/${tag}.ogg`, durationSeconds: 3, transcript: `transcript-${tag}` }));
  keep('apiUsage', await apiUsageModel(c).create({ tenant: tenantId, owner, operation: 'POST /v1/chat', model: 'm-1', statusCode: 200, latencyMs: 12, ipAddress: '203.0.113.7', userAgent: `agent/${tag}` }));
  keep('transactions', await transactionModel(c).create({ tenant: tenantId, owner, amount: 1299, currency: 'EUR', status: 'SUCCEEDED' }));
  keep('guardianConfirmations', await guardianConfirmationModel(c).create({ tenant: tenantId, subject: owner, expiresAt: new Date(Date.now() + 86_400_000) }));
  seeded.set(`${tenantId}/${owner}`, ids);
}

const exportAs = async (sub: string, tenantId = tenant, roles = ['user'], variables: { collection?: string; after?: string; first?: number } = {}) =>
  t.execute(ExportMyDataDocument, variables, { token: await t.token(sub, tenantId, roles) });

let alice: { data: Data; json: string; raw: Awaited<ReturnType<typeof exportAs>> };

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url });
  await register('alice', tenant, 'alice-here');
  await register('bob', tenant, 'bob-here');
  await register('alice', otherTenant, 'alice-elsewhere');
  await seed(tenant, 'alice', 'alice-here');
  await seed(tenant, 'bob', 'bob-here');
  await seed(otherTenant, 'alice', 'alice-elsewhere');
  const raw = await exportAs('alice');
  expect(raw.errors).toBeUndefined();
  alice = { raw, data: raw.data!.exportMyData.data as Data, json: JSON.stringify(raw.data) };
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('the export sources', () => {
  const collections = () => Object.values(t.connection.models).map((m) => ({ name: m.collection.name, model: m }));

  it('cover every collection the registered models use: exported, or listed as not about the subject with a reason', () => {
    const exported = new Set(EXPORT_SOURCES.map((s) => s.collection));
    const unaccounted = collections().filter(({ name }) => !exported.has(name) && !NOT_ABOUT_THE_SUBJECT[name]);
    expect(unaccounted.map((c) => c.name)).toEqual([]);
    for (const [name, reason] of Object.entries(NOT_ABOUT_THE_SUBJECT)) expect(reason.length, name).toBeGreaterThan(20);
    // Every model was registered: the check above is not vacuous.
    expect(collections().length).toBeGreaterThanOrEqual(14);
  });

  it('cover every collection in the database after a run, also those written without a model (audit log, readiness probe)', async () => {
    const exported = new Set(EXPORT_SOURCES.map((s) => s.collection));
    const stored = (await t.connection.db!.listCollections().toArray()).map((c) => c.name);
    expect(stored).toEqual(expect.arrayContaining(['audit_events', 'users', 'messages', 'subject_keys']));
    expect(stored.filter((name) => !exported.has(name) && !NOT_ABOUT_THE_SUBJECT[name])).toEqual([]);
  });

  it('account for every stored path of an exported collection: exported or omitted with a reason, never both', () => {
    for (const source of EXPORT_SOURCES) {
      const schema = source.model(t.connection).schema;
      const paths = Object.entries(schema.paths).flatMap(([path, type]) => {
        const nested = (type as { schema?: typeof schema }).schema;
        return nested ? Object.keys(nested.paths).map((p) => `${path}.${p}`) : [path];
      });
      const accounted = new Set([...source.fields, ...Object.keys(source.omitted)]);
      expect(paths.filter((p) => !accounted.has(p)), source.collection).toEqual([]);
      expect(source.fields.filter((f) => source.omitted[f] !== undefined), source.collection).toEqual([]);
      expect(source.fields.filter((f) => /seal|wrapped|mac|token/i.test(f)), source.collection).toEqual([]);
      expect(paths, `${source.collection} has ${source.subjectPath}`).toContain(source.subjectPath);
    }
  });

  it('name every collection whose records carry a subject or owner id as exported (subject_keys: key material, with its reason)', () => {
    const exported = new Set(EXPORT_SOURCES.map((s) => s.collection));
    const aboutSomeone = collections().filter(({ model }) => model.schema.path('owner') || model.schema.path('subject'));
    // dsr_requests: keyed by pseudonym, not exported yet (its reason in NOT_ABOUT_THE_SUBJECT says so).
    expect(aboutSomeone.filter(({ name }) => !exported.has(name)).map((c) => c.name).sort()).toEqual(['dsr_requests', 'subject_keys']);
  });
});

describe('exportMyData', () => {
  it('is JSON of the caller in the caller\'s tenant', () => {
    const res = alice.raw.data!.exportMyData;
    expect(res.format).toBe('json');
    expect(new Date(res.generatedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(res.complete).toBe(true);
    expect(res.next).toEqual([]);
    expect(alice.data).toMatchObject({ tenant, subject: 'alice' });
    expect(Object.keys(alice.data).sort()).toEqual(['subject', 'tenant', ...EXPORT_KEYS].sort());
  });

  it('holds the caller\'s records of every collection, and only theirs', async () => {
    const ids = seeded.get(`${tenant}/alice`)!;
    // The state history is written by the gateway itself (registration, every state change): read from the database.
    ids.stateHistory = (await stateHistoryModel(t.connection).find({ tenant, subject: 'alice' }, { _id: 1 }).lean().exec()).map((h) => h._id);
    expect(ids.stateHistory.length).toBeGreaterThan(0);
    for (const source of EXPORT_SOURCES) {
      if (source.single) continue;
      const rows = alice.data[source.key] as Row[];
      expect(rows.map((r) => r.id).sort(), source.key).toEqual([...ids[source.key]!].sort());
    }
    expect(alice.data.profile).toMatchObject({ displayName: 'Name alice-here', email: 'alice-here@example.com', birthDate: '1990-04-12T00:00:00.000Z', country: 'FR', restricted: false, objections: [], erasure: 'ACTIVE' });
  });

  it('has the full consent history, oldest first', () => {
    expect((alice.data.consents as Row[]).map((c) => c.status)).toEqual(['GRANTED', 'WITHDRAWN']);
  });

  it('holds content in clear, which the database holds encrypted', async () => {
    const messages = alice.data.messages as Row[];
    expect(messages.map((m) => m.content).sort()).toEqual(['answer-alice-here', 'prompt-alice-here']);
    expect((alice.data.conversations as Row[])[0]!.title).toBe('title-alice-here');
    expect((alice.data.agents as Row[])[0]).toMatchObject({ name: 'agent-alice-here', instructions: 'instructions-alice-here' });
    expect((alice.data.agentKnowledge as Row[])[0]).toMatchObject({ title: 'ktitle-alice-here', content: 'kcontent-alice-here' });
    expect((alice.data.galleryImages as Row[])[0]).toMatchObject({ prompt: 'gprompt-alice-here', imageUrl: 'https://cdn.example.test/alice-here.png', visibility: 'PRIVATE' });
    expect((alice.data.mediaUploads as Row[])[0]).toMatchObject({ location: 'https://files.example.test/alice-here.ogg', transcript: 'transcript-alice-here', kind: 'VOICE' });
    expect((alice.data.apiUsage as Row[])[0]).toMatchObject({ operation: 'POST /v1/chat', ipAddress: '203.0.113.7' });
    expect((alice.data.transactions as Row[])[0]).toMatchObject({ amount: 1299, currency: 'EUR', status: 'SUCCEEDED' });
    expect((alice.data.guardianConfirmations as Row[])[0]).toMatchObject({ status: 'PENDING' });
    const stored = await messageModel(t.connection).collection.findOne({ _id: messages[0]!.id as never });
    expect(String(stored!.content).startsWith(CIPHERTEXT_PREFIX)).toBe(true);
  });

  it('never holds seals, wrapped keys, ciphertext, pseudonyms or internal fields', async () => {
    expect(alice.json).not.toContain(CIPHERTEXT_PREFIX);
    expect(alice.json).not.toMatch(/"seal"|"wrapped"|"owner"|"_id"|"__v"|"confirmedBy"|"sr_/);
    const keys = await subjectKeyModel(t.connection).find({ tenant }).lean().exec();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(alice.json).not.toContain(key.wrapped);
      expect(alice.json).not.toContain(key.ref);
    }
    const seals = [
      ...(await supportGrantModel(t.connection).find({ tenant }).lean().exec()),
      ...(await galleryImageModel(t.connection).find({ tenant }).lean().exec()),
      ...(await consentModel(t.connection).find({ tenant }).lean().exec()),
    ].map((d) => d.seal).filter((s): s is string => typeof s === 'string');
    expect(seals.length).toBeGreaterThan(0);
    for (const seal of seals) expect(alice.json).not.toContain(seal);
  });

  it('excludes other subjects of the tenant and the same subject id in another tenant', () => {
    expect(alice.json).not.toMatch(/bob|alice-elsewhere/);
    for (const ids of [seeded.get(`${tenant}/bob`)!, seeded.get(`${otherTenant}/alice`)!]) {
      for (const id of Object.values(ids).flat()) expect(alice.json).not.toContain(id);
    }
  });

  it('gives the other tenant\'s alice her own records only', async () => {
    const res = await exportAs('alice', otherTenant);
    const json = JSON.stringify(res.data);
    expect((res.data!.exportMyData.data as Data).messages).toHaveLength(2);
    expect(json).toContain('prompt-alice-elsewhere');
    expect(json).not.toContain('alice-here');
  });

  it('is audited as a mutation (INTENT before, outcome after), naming the access and no values', async () => {
    const events = await auditEventsOf(t, tenant, 'alice', 'ExportMyData');
    const served = events.find((e) => e.outcome === 'SERVED')!;
    expect(events.find((e) => e.id === served.intent)?.outcome).toBe('INTENT');
    expect(served.accesses).toContain('Mutation.exportMyData');
    expect(JSON.stringify(events)).not.toMatch(/alice-here|prompt-/);
  });

  it('lists the caller\'s access log, their own earlier export included (self), never the actor\'s id', async () => {
    const support = await t.token('sam-support', tenant, ['support']);
    expect((await t.execute(UserDocument, { id: 'alice' }, { token: support })).errors).toBeUndefined();
    const res = await exportAs('alice');
    const log = (res.data!.exportMyData.data as Data).accessLog as Row[];
    expect(log.find((e) => e.self === true && (e.coordinates as string[]).includes('Mutation.exportMyData'))).toBeDefined();
    expect(log.find((e) => e.actorRole === 'support' && (e.coordinates as string[]).includes('User.email'))).toMatchObject({ self: false, purpose: 'essential.service.operations.support' });
    expect(JSON.stringify(log)).not.toContain('sam-support');
  });

  it('goes to a role the pack grants the subject\'s own data (a developer with `user`), not to a developer-only token; others register first', async () => {
    const dev = await exportAs('alice', tenant, ['developer', 'user']);
    expect(dev.errors).toBeUndefined();
    expect(((dev.data!.exportMyData.data as Data).messages as Row[]).length).toBe(2);
    // Like every read of one's own records: the baseline grants them to `user`, not to `developer`.
    const exportsOnRecord = () => t.connection.db!.collection('dsr_requests').countDocuments({ tenant, kind: 'EXPORT' });
    const before = await exportsOnRecord();
    const devOnly = await exportAs('alice', tenant, ['developer']);
    expect(devOnly.errors).toBeUndefined();
    // Nothing was released, so no export is on record in the DSR log.
    expect(await exportsOnRecord()).toBe(before);
    expect(devOnly.data!.exportMyData.data).toBeNull();
    expect(redactionAt(devOnly, ['exportMyData', 'data'])?.reason).toBe('ROLE');
    expect(JSON.stringify(devOnly)).not.toMatch(/alice-here/);
    const nobody = await exportAs('nobody');
    expect(nobody.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(nobody.errors?.[0]?.message).toBe('register an account first');
  });

  it('records the export as a decision about its subject (DataExport.data), so it is in the subject\'s access log', async () => {
    const events = await auditEventsOf(t, tenant, 'alice', 'ExportMyData');
    const served = events.filter((e) => e.outcome === 'SERVED').at(-1)!;
    expect(served.decisions).toEqual(expect.arrayContaining([expect.objectContaining({ subject: 'alice', coordinate: 'DataExport.data' })]));
  });
});

describe('paging a large export', () => {
  it('cuts every collection at `first` and names what continues in `next`; `collection` + `after` exports the rest of one', async () => {
    const res = await exportAs('alice', tenant, ['user'], { first: 1 });
    expect(res.errors).toBeUndefined();
    const page = res.data!.exportMyData;
    expect(page.complete).toBe(false);
    expect(page.next.map((n) => n.collection)).toEqual(expect.arrayContaining(['consents', 'messages', 'accessLog']));
    const data = page.data as Data;
    expect(data.messages).toHaveLength(1);
    const cont = page.next.find((n) => n.collection === 'messages')!;
    const rest = await exportAs('alice', tenant, ['user'], { collection: 'messages', after: cont.after, first: 1 });
    expect(rest.errors).toBeUndefined();
    const restData = rest.data!.exportMyData.data as Data;
    expect(Object.keys(restData).sort()).toEqual(['messages', 'subject', 'tenant']);
    const all = [...(data.messages as Row[]), ...(restData.messages as Row[])].map((m) => m.id).sort();
    expect(all).toEqual([...seeded.get(`${tenant}/alice`)!.messages!].sort());
    expect(rest.data!.exportMyData.complete).toBe(true);
  });

  it('refuses an unknown collection, a cursor without its collection and a bad size, without echo', async () => {
    for (const variables of [{ collection: 'canary_collection' }, { after: 'canary' }, { first: 0 }, { first: 10_001 }, { collection: 'messages', after: 'canary-cursor' }, { collection: 'messages', after: Buffer.from('x:').toString('base64url') }]) {
      const res = await exportAs('alice', tenant, ['user'], variables);
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res.errors)).not.toContain('canary');
    }
  });
});
