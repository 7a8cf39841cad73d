/**
 * Tamper evidence of the audit log, event by event: real requests build a tenant's chain, then the
 * raw collection is modified behind the gateway's back and `verifyAuditLog` (GraphQL, as that
 * tenant's compliance officer) must answer ok: false and name the first broken seq and what it is.
 * Every case has a tenant of its own. (test/audit/db-writer.test.ts covers the attacks that re-hash,
 * re-sign or delete whole chains.)
 */
import { CompactSign, decodeProtectedHeader, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventFromDoc, hashEvent, type AuditEventDoc } from '../../src/audit/index.js';
import { MeDocument, RegisterAccountDocument, VerifyAuditLogDocument, type VerifyAuditLogQuery } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { subjectRef } from '../helpers/subject-ref.js';

/** A head reaches the witness log every 5 events; every write carries one on the chain's last event. */
const CHECKPOINT_EVERY = 5;
const SEED_EVENTS = 15;

let t: TestGateway;
type Verification = VerifyAuditLogQuery['verifyAuditLog'];

const events = () => t.gateway.audit.store.events;

/** A tenant with one registration and SEED_EVENTS - 1 reads: events 1..SEED_EVENTS of one chain. */
async function seeded(tenant: string): Promise<string> {
  const user = await t.token(`ana-${tenant}`, tenant, ['user']);
  const registered = await t.execute(
    RegisterAccountDocument,
    { input: { displayName: 'Ana Lima', email: 'ana@example.com', phone: '+351 912 345 678', birthDate: '1991-02-03', country: 'PT' } },
    { token: user },
  );
  expect(registered.errors).toBeUndefined();
  for (let i = 1; i < SEED_EVENTS; i += 1) {
    const res = await t.execute(MeDocument, {}, { token: user });
    expect(res.status).toBe(200);
  }
  // Registration is two events (intent, outcome): the chain holds SEED_EVENTS + 1.
  const chainIds = await events().distinct('chainId', { tenant });
  expect(chainIds).toHaveLength(1);
  return chainIds[0]!;
}

async function verify(tenant: string): Promise<Verification> {
  const res = await t.execute(VerifyAuditLogDocument, {}, { token: await t.token(`olga-${tenant}`, tenant, ['compliance_officer']) });
  expect(res.status).toBe(200);
  expect(res.errors).toBeUndefined();
  return res.data!.verifyAuditLog;
}

async function expectBroken(tenant: string, chainId: string, kind: string, seq: number | null, reason: RegExp): Promise<Verification> {
  const verification = await verify(tenant);
  expect(verification.ok).toBe(false);
  expect(verification.head).toBeNull();
  expect(verification.problems[0]).toMatchObject({ kind, chainId, seq });
  expect(verification.problems[0]!.detail).toMatch(reason);
  expect(verification.brokenChainId).toBe(chainId);
  if (seq !== null) expect(verification.firstBrokenSeq).toBe(seq);
  return verification;
}

async function eventAt(chainId: string, seq: number): Promise<AuditEventDoc> {
  const doc = await events().findOne({ chainId, seq });
  if (!doc) throw new Error(`no event ${seq} in ${chainId}`);
  return doc;
}

/** Flip the lowest bit of one character of a string (a one-character change). */
const flip = (text: string, at = text.length - 1): string => text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ 1) + text.slice(at + 1);

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url, env: { AUDIT_CHECKPOINT_EVERY: String(CHECKPOINT_EVERY) } });
});
afterAll(() => t.close());

describe('the untouched chain', () => {
  it('verifies, every event under a signed tree head, and hands back a witnessed tenant head', async () => {
    const chainId = await seeded('t-intact');
    const stored = await events().find({ chainId }).sort({ seq: 1 }).toArray();
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: SEED_EVENTS + 1 }, (_, i) => i + 1));
    // Sequential requests: one event per write, so every event carries its chain's head.
    expect(stored.every((e) => typeof e.head === 'string')).toBe(true);
    const verification = await verify('t-intact');
    expect(verification).toMatchObject({ ok: true, checkedEvents: SEED_EVENTS + 1, checkedCheckpoints: SEED_EVENTS + 1, firstBrokenSeq: null, brokenChainId: null, reason: null, problems: [] });
    expect(verification.chains).toEqual([expect.objectContaining({ chainId, ok: true, status: 'OPEN', lastSeq: SEED_EVENTS + 1, lastCheckpointSeq: SEED_EVENTS + 1, witnessedSize: SEED_EVENTS + 1 })]);
    expect(decodeProtectedHeader(verification.head!).typ).toBe('govgate-tenant-head+jws');
    // The verification was audited too, as one more event of the same chain.
    const own = await eventAt(chainId, SEED_EVENTS + 2);
    expect(own.accesses).toEqual(['Query.verifyAuditLog']);
    // Stored by pseudonym, never the id itself (src/audit/subject-refs.ts).
    expect(own.actor.subject).toBe(await subjectRef(t.connection, 't-intact', 'olga-t-intact'));
  });
});

describe('(a) one event changed in place', () => {
  it("one character of a decision's coordinate → that seq, EVENT_ALTERED", async () => {
    const chainId = await seeded('t-coordinate');
    const original = await eventAt(chainId, 7);
    const decisions = original.decisions.map((d, i) => (i === 0 ? { ...d, coordinate: flip(d.coordinate) } : d));
    await events().updateOne({ _id: original._id }, { $set: { decisions } });
    await expectBroken('t-coordinate', chainId, 'EVENT_ALTERED', 7, /content does not match its hash/);
  });

  it('a decision silently changed from ALLOW to DENY → that seq', async () => {
    const chainId = await seeded('t-decision');
    await events().updateOne({ chainId, seq: 12 }, { $set: { 'decisions.0.decision': 'DENY', 'decisions.0.reason': 'ROLE' } });
    await expectBroken('t-decision', chainId, 'EVENT_ALTERED', 12, /content does not match its hash/);
  });

  it('an event edited into a shape that cannot be hashed → that seq, EVENT_ALTERED (not a failed verification)', async () => {
    const chainId = await seeded('t-unhashable');
    const original = await eventAt(chainId, 9);
    expect(Array.isArray(original.subjectSets)).toBe(true);
    // A subject set that is no list, on one event; a time that is no date, on a later one.
    await events().updateOne({ _id: original._id }, { $set: { 'subjectSets.0': 5 } });
    await events().updateOne({ chainId, seq: 11 }, { $set: { at: 'yesterday' as unknown as Date } });
    const verification = await expectBroken('t-unhashable', chainId, 'EVENT_ALTERED', 9, /cannot be hashed/);
    expect(JSON.stringify(verification)).not.toContain('yesterday');
  });

  it('an event re-hashed after the edit, its own head left → that seq, HEAD_MISMATCH', async () => {
    const chainId = await seeded('t-rehash-one');
    const original = await eventAt(chainId, 8);
    const { hash: _hash, ...unhashed } = eventFromDoc({ ...original, purpose: 'analytics.reporting' });
    await events().updateOne({ _id: original._id }, { $set: { purpose: 'analytics.reporting', hash: hashEvent(unhashed) } });
    // Event 8 carries a head over its old hash: the head no longer matches before the link is checked.
    await expectBroken('t-rehash-one', chainId, 'HEAD_MISMATCH', 8, /do not reproduce the tree head signed at event 8/);
  });

  it('the same, with the head of event 8 removed → the next seq, LINK_BROKEN', async () => {
    const chainId = await seeded('t-rehash-link');
    const original = await eventAt(chainId, 8);
    const { hash: _hash, ...unhashed } = eventFromDoc({ ...original, purpose: 'analytics.reporting' });
    await events().updateOne({ _id: original._id }, { $set: { purpose: 'analytics.reporting', hash: hashEvent(unhashed) }, $unset: { head: '' } });
    await expectBroken('t-rehash-link', chainId, 'LINK_BROKEN', 9, /prevHash does not match/);
  });
});

describe('(b) an edited event with the whole tail re-hashed and re-linked', () => {
  it('heads left in place → the first head that no longer matches, HEAD_MISMATCH', async () => {
    const chainId = await seeded('t-tail-heads');
    const docs = await events().find({ chainId, seq: { $gte: 8 } }).sort({ seq: 1 }).toArray();
    let prev = (await eventAt(chainId, 7)).hash;
    for (const [i, doc] of docs.entries()) {
      const edited = { ...doc, prevHash: prev, ...(i === 0 ? { purpose: 'analytics.reporting' } : {}) };
      const { hash: _hash, ...unhashed } = eventFromDoc(edited);
      const hash = hashEvent(unhashed);
      await events().updateOne({ _id: doc._id }, { $set: { purpose: edited.purpose, prevHash: prev, hash } });
      prev = hash;
    }
    await expectBroken('t-tail-heads', chainId, 'HEAD_MISMATCH', 8, /events 8–8 do not reproduce the tree head/);
  });
});

describe('(c) a deleted event in the middle', () => {
  it('→ that seq, EVENT_MISSING', async () => {
    const chainId = await seeded('t-deleted');
    await events().deleteOne({ chainId, seq: 6 });
    await expectBroken('t-deleted', chainId, 'EVENT_MISSING', 6, /event 6 is missing \(next stored is 7\)/);
  });
});

describe('(d) two events swapped', () => {
  it('contents swapped, seq numbers kept → the lower seq', async () => {
    const chainId = await seeded('t-swap-content');
    const a = await eventAt(chainId, 4);
    const b = await eventAt(chainId, 5);
    const { _id: _a, seq: _sa, ...contentA } = a;
    const { _id: _b, seq: _sb, ...contentB } = b;
    await events().replaceOne({ _id: a._id }, { ...contentB, seq: a.seq });
    await events().replaceOne({ _id: b._id }, { ...contentA, seq: b.seq });
    await expectBroken('t-swap-content', chainId, 'EVENT_ALTERED', 4, /content does not match its hash/);
  });

  it('seq numbers swapped, contents kept → the lower seq', async () => {
    const chainId = await seeded('t-swap-seq');
    const a = await eventAt(chainId, 8);
    const b = await eventAt(chainId, 9);
    await events().updateOne({ _id: a._id }, { $set: { seq: -1 } });
    await events().updateOne({ _id: b._id }, { $set: { seq: 8 } });
    await events().updateOne({ _id: a._id }, { $set: { seq: 9 } });
    await expectBroken('t-swap-seq', chainId, 'EVENT_ALTERED', 8, /content does not match its hash/);
  });
});

describe('(e) a truncated tail', () => {
  it('the newest events deleted → TRUNCATED, from what this instance knows it wrote', async () => {
    const chainId = await seeded('t-truncated');
    await events().deleteMany({ chainId, seq: { $gt: 10 } });
    const verification = await expectBroken('t-truncated', chainId, 'TRUNCATED', 11, /this instance saw 16 events; the store has 10: events 11–16 were deleted/);
    expect(verification.chains[0]).toMatchObject({ witnessedSize: SEED_EVENTS + 1, lastSeq: 10 });
  });
});

describe('(f) forged tree heads', () => {
  it('a head re-signed with a foreign key under the configured kid → HEAD_INVALID at that event', async () => {
    const chainId = await seeded('t-forged-head');
    const original = await eventAt(chainId, 10);
    const header = decodeProtectedHeader(original.head!);
    expect(header.kid).toBe(t.gateway.audit.signer.kid);
    const payload = Buffer.from(original.head!.split('.')[1] ?? '', 'base64url');
    const { privateKey } = await generateKeyPair('EdDSA');
    const forged = await new CompactSign(payload).setProtectedHeader({ alg: 'EdDSA', kid: header.kid!, typ: header.typ! }).sign(privateKey);
    await events().updateOne({ _id: original._id }, { $set: { head: forged } });
    await expectBroken('t-forged-head', chainId, 'HEAD_INVALID', 10, /signature does not verify with the configured keys/);
  });

  it('a head moved onto another event → HEAD_MISMATCH at that event', async () => {
    const chainId = await seeded('t-moved-head');
    const from = await eventAt(chainId, 12);
    await events().updateOne({ chainId, seq: 11 }, { $set: { head: from.head! } });
    await expectBroken('t-moved-head', chainId, 'HEAD_MISMATCH', 11, /do not reproduce the tree head signed at event 11/);
  });
});
