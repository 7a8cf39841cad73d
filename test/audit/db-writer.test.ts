/**
 * The attacker of this file can write to the database (a DBA, a leaked connection string) but not
 * to the gateway's configuration or its witness directory. Each case builds a tenant's history
 * through real requests, then rewrites the raw audit collections the way such an attacker would —
 * re-hashing and re-linking so the hash chain alone looks intact — and expects verifyAuditLog to
 * answer ok: false. Every case has a tenant of its own, so no case repairs another's damage.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventFromDoc, hashEvent, verifyEvidenceBundle, type AuditEventDoc } from '../../src/audit/index.js';
import { EvidenceBundleDocument, MeDocument, RegisterAccountDocument, VerifyAuditLogDocument } from '../generated/graphql.js';
import { testDatabaseName } from '../helpers/database.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';

const CHECKPOINT_EVERY = 4;
let stateDir: string;
let dbName: string;
let signingKeyFile: string;
let t: TestGateway;

/** The same deployment every time: one database, one configured key, one witness directory. */
const deployment = () => ({
  name: import.meta.url,
  dbName,
  keepDatabase: true,
  env: { AUDIT_CHECKPOINT_EVERY: String(CHECKPOINT_EVERY), AUDIT_SIGNING_KEY: signingKeyFile, GOVGATE_STATE_DIR: stateDir, AUDIT_WITNESS_DIR: join(stateDir, 'witness') },
});

const events = () => t.gateway.audit.store.events;
const db = () => t.connection.db!;

async function history(tenant: string, reads: number): Promise<string> {
  const user = await t.token(`u-${tenant}`, tenant, ['user']);
  const registered = await t.execute(
    RegisterAccountDocument,
    { input: { displayName: 'Dana Writer', email: `${tenant}@example.com`, birthDate: '1990-04-05', country: 'DE' } },
    { token: user },
  );
  expect(registered.errors).toBeUndefined();
  for (let i = 0; i < reads; i += 1) expect((await t.execute(MeDocument, {}, { token: user })).status).toBe(200);
  const [chainId] = await events().distinct('chainId', { tenant });
  if (!chainId) throw new Error('no chain');
  return chainId;
}

async function verify(tenant: string) {
  const res = await t.execute(VerifyAuditLogDocument, {}, { token: await t.token(`officer-${tenant}`, tenant, ['compliance_officer']) });
  expect(res.errors).toBeUndefined();
  return res.data!.verifyAuditLog;
}

/** Everything the gateway stored that a signature could vouch for, removed (the attacker cannot re-sign). */
async function dropSignatures(chainId: string): Promise<void> {
  await db().collection('audit_checkpoints').deleteMany({ chainId });
  await events().updateMany({ chainId }, { $unset: { head: '' } });
}

/** Re-numbers, re-links and re-hashes a chain from `fromSeq` on, as an attacker with the hash function can. */
async function rehash(chainId: string, fromSeq: number): Promise<void> {
  const docs = await events().find({ chainId }).sort({ seq: 1 }).toArray();
  let prev = docs.find((d) => d.seq === fromSeq - 1)?.hash ?? '0'.repeat(64);
  let seq = fromSeq;
  for (const doc of docs.filter((d) => d.seq >= fromSeq)) {
    const moved: AuditEventDoc = { ...doc, seq, prevHash: prev };
    const { hash: _old, ...unhashed } = eventFromDoc(moved);
    const hash = hashEvent(unhashed);
    await events().deleteOne({ _id: doc._id });
    await events().insertOne({ ...moved, hash });
    prev = hash;
    seq += 1;
  }
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'govgate-dbwriter-'));
  dbName = testDatabaseName(import.meta.url);
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  signingKeyFile = join(stateDir, 'audit-key.json');
  await writeFile(signingKeyFile, JSON.stringify({ ...(await exportJWK(privateKey)), alg: 'EdDSA', kid: 'audit-dbwriter-1' }));
  t = await startTestGateway(deployment());
});
afterAll(async () => {
  await t.close();
  const { connectDatabase } = await import('../../src/db/connect.js');
  const { testMongoUri } = await import('../helpers/database.js');
  const connection = await connectDatabase({ uri: testMongoUri(), dbName, writeConcern: 1 });
  await connection.dropDatabase();
  await connection.close();
});

describe('a database writer cannot forge audit history', () => {
  it('an event deleted, the rest of its chain re-hashed and every stored signature dropped → ok: false', async () => {
    const chainId = await history('dw-delete', 9);
    await events().deleteOne({ chainId, seq: 5 });
    await rehash(chainId, 5);
    await dropSignatures(chainId);
    const verification = await verify('dw-delete');
    expect(verification.ok).toBe(false);
    // No event is under a signature any more, and the chain (2 registration events + 9 reads) is one
    // event shorter than this instance knows it wrote.
    expect(verification.problems.map((p) => [p.kind, p.seq])).toEqual([['CHAIN_INVENTED', 1], ['TRUNCATED', 11]]);
  });

  it("the tail cut off and the chain's checkpoints dropped → ok: false", async () => {
    const chainId = await history('dw-truncate', 11);
    await events().deleteMany({ chainId, seq: { $gt: 6 } });
    await db().collection('audit_checkpoints').deleteMany({ chainId });
    const verification = await verify('dw-truncate');
    expect(verification.ok).toBe(false);
    expect(verification.problems[0]).toMatchObject({ kind: 'TRUNCATED', chainId, seq: 7 });
  });

  it('the tail cut off while no gateway that wrote it is running → the witness still knows, TRUNCATED', async () => {
    const chainId = await history('dw-truncate-later', 11);
    await t.close();
    t = await startTestGateway(deployment());
    await events().deleteMany({ chainId, seq: { $gt: 6 } });
    const verification = await verify('dw-truncate-later');
    expect(verification.ok).toBe(false);
    // 2 registration events + 11 reads; the clean stop appended CLOSED (event 14) and witnessed the final head.
    expect(verification.problems[0]).toMatchObject({ kind: 'TRUNCATED', chainId, seq: 7 });
    expect(verification.problems[0]!.detail).toMatch(/the witness saw 14 events; the store has 6/);
  });

  it('events appended to a chain after its gateway stopped → UNSIGNED_EVENTS', async () => {
    const chainId = await history('dw-append', 3);
    await t.close();
    t = await startTestGateway(deployment());
    const [last] = await events().find({ chainId }).sort({ seq: -1 }).limit(1).toArray();
    const { head: _head, ...model } = last!;
    const invented: AuditEventDoc = { ...model, _id: 'invented-1', seq: last!.seq + 1, prevHash: last!.hash, outcome: 'SERVED', at: new Date(Date.now() - 60_000) };
    const { hash: _h, ...unhashed } = eventFromDoc(invented);
    await events().insertOne({ ...invented, hash: hashEvent(unhashed) });
    const verification = await verify('dw-append');
    expect(verification.problems[0]).toMatchObject({ kind: 'UNSIGNED_EVENTS', chainId, seq: last!.seq + 1 });
  });

  it('a whole invented chain inserted, hash-linked correctly → ok: false', async () => {
    const tenant = 'dw-invent';
    await history(tenant, 2);
    const chainId = `forged-instance:${tenant}:0`;
    const [model] = await events().find({ tenant }).sort({ seq: 1 }).limit(1).toArray();
    let prev = '0'.repeat(64);
    for (let seq = 1; seq <= 3; seq += 1) {
      const doc: AuditEventDoc = { ...model!, _id: `forged-${seq}`, chainId, seq, prevHash: prev, continues: null, at: new Date(), requestId: `forged-${seq}` };
      delete (doc as { head?: unknown }).head;
      const { hash: _h, ...unhashed } = eventFromDoc(doc);
      const hash = hashEvent(unhashed);
      await events().insertOne({ ...doc, hash });
      prev = hash;
    }
    const verification = await verify(tenant);
    expect(verification.ok).toBe(false);
    expect(verification.problems).toEqual([expect.objectContaining({ kind: 'CHAIN_INVENTED', chainId, seq: 1 })]);
  });

  it('a signed evidence bundle over a forged history does not verify offline', async () => {
    const tenant = 'dw-bundle';
    const from = new Date(Date.now() - 1000).toISOString();
    const chainId = await history(tenant, 7);
    await events().deleteOne({ chainId, seq: 3 });
    await rehash(chainId, 3);
    await dropSignatures(chainId);
    const officer = await t.token(`officer-${tenant}`, tenant, ['compliance_officer']);
    const res = await t.execute(EvidenceBundleDocument, { from, to: new Date(Date.now() + 60_000).toISOString() }, { token: officer });
    expect(res.errors).toBeUndefined();
    const pinned = (await (await t.fetch('/.well-known/jwks.json')).json()) as JSONWebKeySet;
    const result = await verifyEvidenceBundle(res.data!.evidenceBundle, createLocalJWKSet(pinned));
    expect(result.ok).toBe(false);
  });

  it('a key document written into the database is neither published nor trusted', async () => {
    const { publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const foreign = { ...(await exportJWK(publicKey)), alg: 'EdDSA', kid: 'attacker-key', use: 'sig' };
    await db().collection('audit_keys').insertOne({ _id: 'attacker-key' as never, publicJwk: foreign, firstUsedAt: new Date(0) });
    // The published set is cached briefly: ask a fresh gateway of the same deployment.
    await t.close();
    t = await startTestGateway(deployment());
    const jwks = (await (await t.fetch('/.well-known/jwks.json')).json()) as JSONWebKeySet;
    expect(jwks.keys.map((k) => k.kid)).not.toContain('attacker-key');
    expect(jwks.keys.map((k) => k.kid)).toContain('audit-dbwriter-1');
  });

  it("a history re-signed with the attacker's own key (published in the database) → HEAD_INVALID naming the key", async () => {
    const tenant = 'dw-resign';
    const chainId = await history(tenant, 6);
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const kid = 'attacker-resign';
    await db().collection('audit_keys').insertOne({ _id: kid as never, publicJwk: { ...(await exportJWK(publicKey)), alg: 'EdDSA', kid, use: 'sig' }, firstUsedAt: new Date(0) });
    // Rewrite event 3 and re-hash, re-link and re-sign every head after it, as the real writer would.
    await events().updateOne({ chainId, seq: 3 }, { $set: { purpose: 'analytics.reporting' } });
    await rehash(chainId, 3);
    const { MerkleFrontier, leafHash } = await import('../../src/audit/merkle/index.js');
    const frontier = MerkleFrontier.empty();
    for (const doc of await events().find({ chainId }).sort({ seq: 1 }).toArray()) {
      frontier.append(leafHash(Buffer.from(doc.hash, 'hex')));
      if (doc.seq < 3) continue;
      const payload = { tenant, chainId, size: doc.seq, root: frontier.root().toString('hex'), last: doc.hash, at: new Date().toISOString() };
      const head = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'govgate-chain-head+jws' }).sign(privateKey);
      await events().updateOne({ _id: doc._id }, { $set: { head } });
    }
    const verification = await verify(tenant);
    expect(verification.ok).toBe(false);
    expect(verification.problems[0]).toMatchObject({ kind: 'HEAD_INVALID', chainId, seq: 3 });
    expect(verification.problems[0]!.detail).toMatch(/signed by key attacker-resign, which is not configured/);
  });

  it("every document of a tenant deleted → a later gateway's verification says ok: false", async () => {
    const tenant = 'dw-wiped';
    await history(tenant, 9);
    // A clean stop witnesses the final heads; then the attacker removes the tenant from the store.
    await t.close();
    t = await startTestGateway(deployment());
    await db().collection('audit_events').deleteMany({ tenant });
    await db().collection('audit_checkpoints').deleteMany({ tenant });
    const verification = await verify(tenant);
    expect(verification.ok).toBe(false);
    expect(verification.problems).toEqual([expect.objectContaining({ kind: 'CHAIN_MISSING', seq: 1 })]);
    expect(verification.problems[0]!.detail).toMatch(/the witness saw 12 events of this chain; the store has none/);
  });

  it('an event invented far beyond the running chain of the verifying instance → UNSIGNED_EVENTS', async () => {
    const tenant = 'dw-far';
    const chainId = await history(tenant, 3);
    const [last] = await events().find({ chainId }).sort({ seq: -1 }).limit(1).toArray();
    const { head: _head, ...model } = last!;
    await events().insertOne({ ...model, _id: 'forged-far', seq: 1_000_000, requestId: 'forged', at: new Date(), operationName: 'ForgedRead' });
    const verification = await verify(tenant);
    expect(verification.ok).toBe(false);
    expect(verification.problems[0]).toMatchObject({ kind: 'UNSIGNED_EVENTS', chainId });
    expect(verification.problems[0]!.detail).toMatch(/event 1000000 is beyond what this instance wrote/);
  });
});

describe('evidence that lies', () => {
  it("a bundle whose listed decisions differ from the events' hashed content does not verify offline", async () => {
    const tenant = 'dw-lying-bundle';
    await history(tenant, 3);
    const officer = await t.token(`officer-${tenant}`, tenant, ['compliance_officer']);
    const res = await t.execute(EvidenceBundleDocument, { from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() }, { token: officer });
    const jws = res.data!.evidenceBundle;
    const pinned = createLocalJWKSet((await (await t.fetch('/.well-known/jwks.json')).json()) as JSONWebKeySet);
    expect((await verifyEvidenceBundle(jws, pinned)).ok).toBe(true);
    // What a bundle made from a record changed between verification and reading would say: a
    // release turned into a redaction (or the other way round), signed with the real key.
    const payload = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as { events: { decisions: { decision: string; reason: string | null }[] }[] };
    const target = payload.events.find((e) => e.decisions.length > 0)!;
    target.decisions = target.decisions.map((d) => (d.decision === 'ALLOW' ? { ...d, decision: 'REDACT', reason: 'ROLE' } : { ...d, decision: 'ALLOW', reason: null }));
    const { readFile } = await import('node:fs/promises');
    const { importJWK } = await import('jose');
    const key = await importJWK(JSON.parse(await readFile(signingKeyFile, 'utf8')), 'EdDSA');
    const lying = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'EdDSA', kid: 'audit-dbwriter-1', typ: 'govgate-evidence+jws' }).sign(key);
    const result = await verifyEvidenceBundle(lying, pinned);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/the summary differs from the event's hashed content/);
  });
});

describe('several instances on one database', () => {
  const second = (witness: string) =>
    startTestGateway({ name: import.meta.url, dbName, keepDatabase: true, env: { ...deployment().env, AUDIT_WITNESS_DIR: witness, AUDIT_WRITE_TIMEOUT_MS: '200' } });

  it("another instance's chain that no witness this one can read knows → CHAIN_UNWITNESSED", async () => {
    const tenant = 'dw-separate';
    await history(tenant, 3);
    const other = await second(join(stateDir, 'witness-of-its-own'));
    try {
      const res = await other.execute(VerifyAuditLogDocument, {}, { token: await other.token(`officer-${tenant}`, tenant, ['compliance_officer']) });
      const verification = res.data!.verifyAuditLog;
      expect(verification.ok).toBe(false);
      expect(verification.problems.map((p) => p.kind)).toContain('CHAIN_UNWITNESSED');
    } finally {
      await other.close();
    }
  });

  it("events planted after another instance's last head and re-stamped 'now' are pending once, then a problem by the verifier's clock", async () => {
    const tenant = 'dw-restamp';
    const chainId = await history(tenant, 3);
    const other = await second(join(stateDir, 'witness'));
    try {
      const [last] = await events().find({ chainId }).sort({ seq: -1 }).limit(1).toArray();
      const { head: _head, ...model } = last!;
      const plant = async (): Promise<void> => {
        await events().deleteOne({ _id: 'planted' });
        const doc: AuditEventDoc = { ...model, _id: 'planted', seq: last!.seq + 1, prevHash: last!.hash, requestId: 'planted', at: new Date() };
        const { hash: _h, ...unhashed } = eventFromDoc(doc);
        await events().insertOne({ ...doc, hash: hashEvent(unhashed) });
      };
      const verifyOnOther = async () =>
        (await other.execute(VerifyAuditLogDocument, {}, { token: await other.token(`officer-${tenant}`, tenant, ['compliance_officer']) })).data!.verifyAuditLog;
      await plant();
      const first = await verifyOnOther();
      expect(first.chains.find((c) => c.chainId === chainId)?.pendingEvents).toBe(1);
      // The grace is 2 × AUDIT_WRITE_TIMEOUT_MS of the verifier; the writer keeps re-stamping.
      await new Promise((r) => setTimeout(r, 600));
      await plant();
      const later = await verifyOnOther();
      expect(later.ok).toBe(false);
      expect(later.problems).toContainEqual(expect.objectContaining({ kind: 'UNSIGNED_EVENTS', chainId, seq: last!.seq + 1 }));
    } finally {
      await other.close();
    }
  });
});
