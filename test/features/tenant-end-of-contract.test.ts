/**
 * 001 §5.3(h) "delete or return all personal data, as the Customer decides", through the pipeline
 * with real tokens under the shipped interhuman pack: the tenant admin's exportTenantData returns
 * every record of the tenant (content decrypted, paged, other tenants absent, subjects whose state
 * cannot be vouched for withheld), the grant behind it opens that one field only, and
 * deleteTenantData leaves no readable record of the tenant in the raw database (keys destroyed,
 * ciphertexts undecryptable, audit chain verifying) and returns a signed receipt. Under a pack with
 * a legal hold the held records stay, anonymised.
 */
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddMessageDocument,
  AuditEventsDocument,
  ConversationDocument,
  CreateGalleryImageDocument,
  DeleteTenantDataDocument,
  ExportTenantDataDocument,
  type ExportTenantDataMutation,
  MeDocument,
  MyAccessLogDocument,
  RecordTransactionDocument,
  RegisterAccountDocument,
  StartConversationDocument,
  VerifyAuditLogDocument,
} from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { policyDir, shippedPack } from '../helpers/policy-dir.js';
import { decryptField, subjectKeysOf } from '../../src/keys/index.js';

const tenant = 'eoc';
const other = 'eoc-other';

async function register(t: TestGateway, token: string, name: string, email: string): Promise<void> {
  const res = await t.execute(RegisterAccountDocument, { input: { displayName: name, email, birthDate: '1985-04-05', country: 'DK' } }, { token });
  expect(res.errors).toBeUndefined();
}

async function converse(t: TestGateway, token: string, title: string, content: string): Promise<string> {
  const c = await t.execute(StartConversationDocument, { title }, { token });
  expect(c.errors).toBeUndefined();
  const id = c.data!.startConversation.id;
  expect((await t.execute(AddMessageDocument, { conversationId: id, role: 'USER', content }, { token })).errors).toBeUndefined();
  return id;
}

/** Documents of the raw database that belong to `tenantId`, by collection (audit and DSR log excepted). */
async function tenantDocuments(t: TestGateway, tenantId: string): Promise<Record<string, number>> {
  const db = t.connection.db!;
  const out: Record<string, number> = {};
  for (const { name } of await db.listCollections().toArray()) {
    if (name === 'audit_events' || name === 'dsr_requests') continue;
    const n = await db.collection(name).countDocuments(name === 'tenants' ? { _id: tenantId as never } : { tenant: tenantId });
    if (n > 0) out[name] = n;
  }
  return out;
}

type Exported = Record<string, { subject: string; [k: string]: unknown }[]>;

describe('end of contract under interhuman (001 §5.3(h))', () => {
  let t: TestGateway;
  let admin: string;
  let alice: string;
  let officer: string;
  let aliceConversation: string;
  let message: { _id: string; content: string };

  beforeAll(async () => {
    t = await startTestGateway({ name: import.meta.url, env: { POLICY_PACK: 'interhuman' } });
    admin = await t.token('eoc-admin', tenant, ['tenant_admin']);
    officer = await t.token('eoc-officer', tenant, ['compliance_officer']);
    alice = await t.token('eoc-alice', tenant, ['user']);
    const bob = await t.token('eoc-bob', tenant, ['user']);
    const mallory = await t.token('eoc-mallory', tenant, ['user']);
    const outsider = await t.token('eoc-oscar', other, ['user']);
    await register(t, alice, 'Alice', 'alice@eoc.test');
    await register(t, bob, 'Bob', 'bob@eoc.test');
    await register(t, mallory, 'Mallory', 'mallory@eoc.test');
    await register(t, outsider, 'Oscar', 'oscar@other.test');
    aliceConversation = await converse(t, alice, 'alice title', 'alice secret one');
    await converse(t, alice, 'alice second', 'alice secret two');
    await converse(t, bob, 'bob title', 'bob secret');
    await converse(t, mallory, 'mallory title', 'mallory secret');
    await converse(t, outsider, 'oscar title', 'oscar secret');
    expect((await t.execute(CreateGalleryImageDocument, { prompt: 'alice prompt', imageUrl: 'https://img.example.test/a.png' }, { token: alice })).errors).toBeUndefined();
    // A database writer lifts Mallory's restriction by hand: her record no longer verifies, so nothing of hers may leave.
    await t.connection.db!.collection('users').updateOne({ tenant, subject: 'eoc-mallory' }, { $set: { restricted: true } });
    message = (await t.connection.db!.collection<{ _id: string; content: string }>('messages').findOne({ tenant, owner: 'eoc-alice' }))!;
  }, 90_000);

  afterAll(async () => {
    await t?.close();
  });

  it('is FORBIDDEN to every role the pack\'s endOfContract does not name', async () => {
    for (const token of [alice, officer, await t.token('eoc-dev', tenant, ['developer', 'support', 'service'])]) {
      for (const res of [await t.execute(ExportTenantDataDocument, {}, { token }), await t.execute(DeleteTenantDataDocument, { confirm: true }, { token })]) {
        expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        expect(res.data ?? null).toBeNull();
      }
    }
    expect(await t.connection.db!.collection('users').countDocuments({ tenant })).toBe(3);
  });

  it('exports every record of the tenant, content decrypted, each naming its subject; no other tenant, no seals', async () => {
    const res = await t.execute(ExportTenantDataDocument, {}, { token: admin });
    expect(res.errors).toBeUndefined();
    const out = res.data!.exportTenantData;
    expect(out.complete).toBe(true);
    const data = out.data as Exported & { tenant: string };
    expect(data.tenant).toBe(tenant);
    expect(data.users!.map((u) => u.subject).sort()).toEqual(['eoc-alice', 'eoc-bob']);
    expect(data.messages!.map((m) => m.content).sort()).toEqual(['alice secret one', 'alice secret two', 'bob secret']);
    expect(data.conversations!.map((c) => c.title).sort()).toEqual(['alice second', 'alice title', 'bob title']);
    expect(data.gallery_images).toEqual([expect.objectContaining({ subject: 'eoc-alice', prompt: 'alice prompt', imageUrl: 'https://img.example.test/a.png' })]);
    const text = JSON.stringify(data);
    for (const absent of ['oscar', 'mallory', '"seal"', 'gg1.']) expect(text).not.toContain(absent);
    // Mallory's records are withheld, and counted.
    expect(Object.fromEntries(out.withheld.map((w) => [w.collection, w.count]))).toMatchObject({ users: 1, conversations: 1, messages: 1 });
  });

  it('pages per collection: first cuts each collection, collection + after continue it to the end', async () => {
    const first = await t.execute(ExportTenantDataDocument, { first: 1 }, { token: admin });
    const page = first.data!.exportTenantData;
    expect(page.complete).toBe(false);
    const cut = page.next.find((n) => n.collection === 'messages')!;
    expect(cut).toBeDefined();
    const seen = [...((page.data as Exported).messages ?? []).map((m) => m.content)];
    let after: string | null = cut.after;
    while (after) {
      const more: Awaited<ReturnType<typeof t.execute<ExportTenantDataMutation, unknown>>> = await t.execute(ExportTenantDataDocument, { collection: 'messages', after, first: 1 }, { token: admin });
      expect(more.errors).toBeUndefined();
      const data = more.data!.exportTenantData.data as Exported;
      expect(Object.keys(data).sort()).toEqual(['messages', 'tenant']);
      seen.push(...data.messages!.map((m) => m.content));
      after = more.data!.exportTenantData.next[0]?.after ?? null;
    }
    expect(seen.sort()).toEqual(['alice secret one', 'alice secret two', 'bob secret']);
    const bad = await t.execute(ExportTenantDataDocument, { collection: 'subject_keys' }, { token: admin });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).not.toContain('subject_keys,');
  });

  it('the end-of-contract grant opens that one field: the admin still reads no one\'s conversation title', async () => {
    const res = await t.execute(ConversationDocument, { id: aliceConversation }, { token: admin });
    const title = res.data?.conversation?.title ?? null;
    expect(title).not.toBe('alice title');
  });

  it('shows in each exported subject\'s access log (the decision names them), not in a withheld one\'s', async () => {
    const exportIds = (await t.execute(AuditEventsDocument, { filter: { actor: 'eoc-admin', operationName: 'ExportTenantData' }, first: 50 }, { token: officer }))
      .data!.auditEvents.edges.filter((e) => e.node.outcome !== 'INTENT').map((e) => e.node.id);
    expect(exportIds.length).toBeGreaterThan(0);
    const logOf = async (token: string) => (await t.execute(MyAccessLogDocument, { first: 100 }, { token })).data!.myAccessLog.edges.map((e) => e.node);
    const alices = (await logOf(alice)).filter((e) => exportIds.includes(e.auditId));
    expect(alices.length).toBeGreaterThan(0);
    expect(alices[0]).toMatchObject({ actorRole: 'tenant_admin', self: false, coordinates: ['TenantExport.data'], decision: 'ALLOW' });
    const mallorys = (await logOf(await t.token('eoc-mallory', tenant, ['user']))).filter((e) => exportIds.includes(e.auditId));
    expect(mallorys).toEqual([]);
  });

  it('is audited: INTENT before, outcome after, as Mutation.exportTenantData', async () => {
    const events = await t.execute(AuditEventsDocument, { filter: { actor: 'eoc-admin', operationName: 'ExportTenantData' }, first: 50 }, { token: officer });
    const outcomes = events.data!.auditEvents.edges.map((e) => e.node.outcome);
    expect(outcomes).toContain('INTENT');
    expect(outcomes).toContain('SERVED');
  });

  it('deleteTenantData needs confirm: true (BAD_USER_INPUT), changing nothing', async () => {
    const res = await t.execute(DeleteTenantDataDocument, { confirm: false }, { token: admin });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await t.connection.db!.collection('messages').countDocuments({ tenant })).toBe(4);
  });

  it('deletes every record of the tenant and every data key, returns a signed receipt; the other tenant is untouched', async () => {
    const otherBefore = await tenantDocuments(t, other);
    expect(Object.keys(await tenantDocuments(t, tenant))).toEqual(expect.arrayContaining(['users', 'messages', 'subject_keys', 'tenants']));
    const res = await t.execute(DeleteTenantDataDocument, { confirm: true }, { token: admin });
    expect(res.errors).toBeUndefined();
    const receipt = res.data!.deleteTenantData;
    const deleted = Object.fromEntries(receipt.deleted.map((d) => [d.collection, d.count]));
    expect(deleted).toMatchObject({ users: 3, conversations: 4, messages: 4, gallery_images: 1, tenants: 1 });
    expect(receipt.keysDestroyed).toBeGreaterThanOrEqual(3);
    expect(receipt.kept.map((k) => k.collection).sort()).toEqual(['audit_events', 'dsr_requests', 'training_deliveries']);
    expect(await tenantDocuments(t, tenant)).toEqual({});
    expect(await tenantDocuments(t, other)).toEqual(otherBefore);

    const jwks = (await (await t.fetch('/.well-known/jwks.json')).json()) as JSONWebKeySet;
    const { payload } = await compactVerify(receipt.receipt, createLocalJWKSet(jwks));
    expect(decodeProtectedHeader(receipt.receipt).typ).toBe('govgate-tenant-deletion-receipt+jws');
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ tenant, pack: { name: 'interhuman' }, auditId: receipt.auditId, deleted: { users: 3 } });
  });

  it('afterwards: captured ciphertexts open under no key, the subjects read as missing, the chain verifies', async () => {
    const { key } = await subjectKeysOf(t.connection).keyFor(tenant, 'eoc-alice');
    expect(decryptField(key, { tenant, owner: 'eoc-alice', field: 'messages.content', recordId: message._id }, message.content)).toBeNull();
    const me = await t.execute(MeDocument, undefined, { token: alice });
    expect(me.data?.me ?? null).toBeNull();
    const verified = await t.execute(VerifyAuditLogDocument, {}, { token: officer });
    expect(verified.data!.verifyAuditLog.ok).toBe(true);
    // Those requests got throwaway pseudonyms on this instance: still no key record for the tenant.
    expect(await t.connection.db!.collection('subject_keys').countDocuments({ tenant })).toBe(0);
  });
});

describe('end of contract under a pack with a legal hold', () => {
  let t: TestGateway;

  beforeAll(async () => {
    const interhuman = await shippedPack('interhuman');
    const deepailab = await shippedPack('deepailab');
    const dir = await policyDir({ packs: { interhuman: { ...interhuman, erasure: deepailab.erasure } } });
    t = await startTestGateway({ name: `${import.meta.url}#hold`, env: { POLICY_DIR: dir, POLICY_PACK: 'interhuman' } });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('keeps held transactions, owner replaced by an sr_ pseudonym and personal fields removed; everything else deleted', async () => {
    const admin = await t.token('hold-admin', tenant, ['tenant_admin']);
    const dora = await t.token('hold-dora', tenant, ['user']);
    const service = await t.token('hold-billing', tenant, ['service']);
    await register(t, dora, 'Dora', 'dora@eoc.test');
    await converse(t, dora, 'dora title', 'dora secret');
    expect((await t.execute(RecordTransactionDocument, { input: { subject: 'hold-dora', amount: 500, currency: 'EUR', status: 'SUCCEEDED' } }, { token: service })).errors).toBeUndefined();
    const res = await t.execute(DeleteTenantDataDocument, { confirm: true }, { token: admin });
    expect(res.errors).toBeUndefined();
    const receipt = res.data!.deleteTenantData;
    expect(receipt.anonymised).toEqual([{ collection: 'transactions', count: 1 }]);
    expect(receipt.kept).toEqual(expect.arrayContaining([expect.objectContaining({ collection: 'transactions', count: 1, source: expect.stringContaining('003 §6') })]));
    const rows = await t.connection.db!.collection('transactions').find({ tenant }).toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.owner).toMatch(/^sr_/);
    expect(rows[0]).toMatchObject({ amount: 500, currency: 'EUR', status: 'SUCCEEDED' });
    expect(await tenantDocuments(t, tenant)).toEqual({ transactions: 1 });
  });
});
