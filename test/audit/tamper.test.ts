/**
 * Tamper evidence of the audit log: real requests build one tenant's chain (with signed
 * checkpoints every 5 events), then the raw collections are modified behind the gateway's back and
 * `verifyAuditLog` (GraphQL, as that tenant's compliance officer) must name the first broken link.
 *
 * Every verifyAuditLog call is itself audited: it appends an event to the same chain *after* it has
 * read the chain. So each case tampers only events that already exist, computes its expectation
 * from the collection contents, and restores the original documents before the next case.
 */
import { CompactSign, decodeProtectedHeader, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventFromDoc, hashEvent, type AuditEventDoc, type CheckpointDoc } from '../../src/audit/index.js';
import { MeDocument, RegisterAccountDocument, VerifyAuditLogDocument, type VerifyAuditLogQuery } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const tenant = 'tamper-co';
const CHECKPOINT_EVERY = 5;
/** Events produced before the first verification: 1 registration + 14 `me` reads. */
const SEED_EVENTS = 15;

let t: TestGateway;
let chainId: string;
let officerToken: string;

type Verification = VerifyAuditLogQuery['verifyAuditLog'];

const events = () => t.gateway.audit.store.events;
const checkpoints = () => t.gateway.audit.store.checkpoints;

async function poll(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function chainEvents(): Promise<AuditEventDoc[]> {
  return events().find({ chainId }).sort({ seq: 1 }).toArray();
}

async function chainCheckpoints(): Promise<CheckpointDoc[]> {
  return checkpoints().find({ chainId }).sort({ seq: 1 }).toArray();
}

/**
 * Requests here are sequential, so every group commit holds one event and a checkpoint becomes due
 * at every multiple of CHECKPOINT_EVERY; wait until the latest due one is written, so no checkpoint
 * write is in flight while a case tampers with the collections.
 */
async function checkpointsSettled(): Promise<void> {
  await poll('the due checkpoints', async () => {
    const last = await events().find({ chainId }).sort({ seq: -1 }).limit(1).next();
    const due = Math.floor((last?.seq ?? 0) / CHECKPOINT_EVERY) * CHECKPOINT_EVERY;
    if (due === 0) return true;
    const latest = await checkpoints().find({ chainId }).sort({ seq: -1 }).limit(1).next();
    return (latest?.seq ?? 0) >= due;
  });
}

async function verify(): Promise<Verification> {
  const res = await t.execute(VerifyAuditLogDocument, {}, { token: officerToken });
  expect(res.status).toBe(200);
  expect(res.errors).toBeUndefined();
  const verification = res.data?.verifyAuditLog;
  if (!verification) throw new Error('verifyAuditLog returned no data');
  // Let this request's own event (and any checkpoint it makes due) land before the next step.
  await checkpointsSettled();
  return verification;
}

async function expectIntact(): Promise<void> {
  const stored = await events().countDocuments({ tenant });
  const verification = await verify();
  expect(verification).toMatchObject({ ok: true, firstBrokenSeq: null, brokenChainId: null, reason: null });
  expect(verification.checkedEvents).toBe(stored);
}

async function expectBroken(firstBrokenSeq: number, reason: RegExp): Promise<Verification> {
  const verification = await verify();
  expect(verification.ok).toBe(false);
  expect(verification.firstBrokenSeq).toBe(firstBrokenSeq);
  expect(verification.brokenChainId).toBe(chainId);
  expect(verification.reason).toMatch(reason);
  return verification;
}

async function eventAt(seq: number): Promise<AuditEventDoc> {
  const doc = await events().findOne({ chainId, seq });
  if (!doc) throw new Error(`no event ${seq} in ${chainId}`);
  return doc;
}

async function checkpointAt(seq: number): Promise<CheckpointDoc> {
  const doc = await checkpoints().findOne({ chainId, seq });
  if (!doc) throw new Error(`no checkpoint at ${seq} in ${chainId}`);
  return doc;
}

const restoreEvent = async (original: AuditEventDoc): Promise<void> => {
  await events().replaceOne({ _id: original._id }, original, { upsert: true });
};

/** Flip the lowest bit of one character of a string (a one-character change). */
const flip = (text: string, at = text.length - 1): string =>
  text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ 1) + text.slice(at + 1);

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url, env: { AUDIT_CHECKPOINT_EVERY: String(CHECKPOINT_EVERY) } });
  chainId = `${t.gateway.instanceId}:${tenant}:0`;
  officerToken = await t.token('olga-officer', tenant, ['compliance_officer']);

  const ana = await t.token('ana', tenant, ['user']);
  const registered = await t.execute(
    RegisterAccountDocument,
    { input: { displayName: 'Ana Lima', email: 'ana@example.com', phone: '+351 912 345 678', birthDate: '1991-02-03', country: 'PT' } },
    { token: ana },
  );
  expect(registered.errors).toBeUndefined();
  for (let i = 1; i < SEED_EVENTS; i += 1) {
    const res = await t.execute(MeDocument, {}, { token: ana });
    expect(res.status).toBe(200);
    expect(res.data?.me?.email).toBe('ana@example.com');
    expect((res.extensions?.governance as { auditId?: string } | undefined)?.auditId).toMatch(/^[a-f0-9]{24}$/);
  }
  await checkpointsSettled();
});

afterAll(() => t.close());

describe('the untouched chain', () => {
  it('holds the seeded events in one chain with signed checkpoints, and verifies', async () => {
    const stored = await chainEvents();
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: SEED_EVENTS }, (_, i) => i + 1));
    expect(await events().distinct('chainId', { tenant })).toEqual([chainId]);
    expect((await chainCheckpoints()).map((c) => c.seq)).toEqual([5, 10, 15]);

    const verification = await verify();
    expect(verification).toMatchObject({ ok: true, checkedEvents: SEED_EVENTS, checkedCheckpoints: 3, firstBrokenSeq: null, brokenChainId: null, reason: null });
    // The verification was audited too, as one more event of the same chain.
    const own = await eventAt(SEED_EVENTS + 1);
    expect(own.accesses).toEqual(['Query.verifyAuditLog']);
    expect(own.actor.subject).toBe('olga-officer');
  });
});

describe('(a) a bit flip in one event', () => {
  it("one character of a decision's coordinate → that seq", async () => {
    const original = await eventAt(7);
    const decision = original.decisions.find((d) => d.coordinate === 'User.email');
    expect(decision).toBeDefined();
    const decisions = original.decisions.map((d) => (d === decision ? { ...d, coordinate: flip(d.coordinate) } : d));
    await events().updateOne({ _id: original._id }, { $set: { decisions } });

    await expectBroken(7, /content does not match its hash/);
    await restoreEvent(original);
    await expectIntact();
  });

  it('one character of the purpose → that seq', async () => {
    const original = await eventAt(3);
    expect(original.purpose).toBe('essential.service');
    await events().updateOne({ _id: original._id }, { $set: { purpose: flip(original.purpose ?? '', 0) } });

    await expectBroken(3, /content does not match its hash/);
    await restoreEvent(original);
    await expectIntact();
  });

  it('a decision silently changed from ALLOW to DENY → that seq', async () => {
    const original = await eventAt(12);
    await events().updateOne({ _id: original._id }, { $set: { 'decisions.0.decision': 'DENY', 'decisions.0.reason': 'ROLE' } });

    await expectBroken(12, /content does not match its hash/);
    await restoreEvent(original);
    await expectIntact();
  });

  it('an event re-hashed after the edit (hash recomputed, link to the next event broken) → the next seq', async () => {
    const original = await eventAt(8);
    const edited = { ...original, purpose: 'analytics.reporting' };
    const { hash: _hash, ...unhashed } = eventFromDoc(edited);
    await events().updateOne({ _id: original._id }, { $set: { purpose: edited.purpose, hash: hashEvent(unhashed) } });

    await expectBroken(9, /prevHash does not match/);
    await restoreEvent(original);
    await expectIntact();
  });
});

describe('(a′) an edited event with the whole tail re-hashed and re-linked', () => {
  it('only the signed checkpoint can tell → the checkpoint seq that no longer matches', async () => {
    const originals = await events().find({ chainId, seq: { $gte: 8 } }).sort({ seq: 1 }).toArray();
    const before = await eventAt(7);
    let prev = before.hash;
    for (const [i, doc] of originals.entries()) {
      const edited = { ...doc, prevHash: prev, ...(i === 0 ? { purpose: 'analytics.reporting' } : {}) };
      const { hash: _hash, ...unhashed } = eventFromDoc(edited);
      const hash = hashEvent(unhashed);
      await events().updateOne({ _id: doc._id }, { $set: { purpose: edited.purpose, prevHash: prev, hash } });
      prev = hash;
    }
    await checkpointAt(10);

    await expectBroken(10, /does not match its signed checkpoint/);
    for (const doc of originals) await restoreEvent(doc);
    await expectIntact();
  });
});

describe('(b) a deleted event in the middle', () => {
  it('→ that seq', async () => {
    const original = await eventAt(6);
    await events().deleteOne({ _id: original._id });

    await expectBroken(6, /event 6 is missing \(next stored is 7\)/);
    await restoreEvent(original);
    await expectIntact();
  });

  it('an event that a checkpoint signed → that seq', async () => {
    const original = await eventAt(10);
    await checkpointAt(10);
    await events().deleteOne({ _id: original._id });

    await expectBroken(10, /event 10 is missing/);
    await restoreEvent(original);
    await expectIntact();
  });
});

describe('(c) two adjacent events swapped', () => {
  it('contents swapped, seq numbers kept → the lower seq', async () => {
    const a = await eventAt(4);
    const b = await eventAt(5);
    const { _id: _a, seq: _sa, ...contentA } = a;
    const { _id: _b, seq: _sb, ...contentB } = b;
    await events().replaceOne({ _id: a._id }, { ...contentB, seq: a.seq });
    await events().replaceOne({ _id: b._id }, { ...contentA, seq: b.seq });

    await expectBroken(4, /content does not match its hash/);
    await restoreEvent(a);
    await restoreEvent(b);
    await expectIntact();
  });

  it('seq numbers swapped, contents kept → the lower seq', async () => {
    const a = await eventAt(8);
    const b = await eventAt(9);
    // (chainId, seq) is unique: move one aside first.
    await events().updateOne({ _id: a._id }, { $set: { seq: -1 } });
    await events().updateOne({ _id: b._id }, { $set: { seq: a.seq } });
    await events().updateOne({ _id: a._id }, { $set: { seq: b.seq } });
    expect((await eventAt(8))._id).toBe(b._id);

    await expectBroken(8, /content does not match its hash/);
    await events().updateOne({ _id: b._id }, { $set: { seq: -1 } });
    await restoreEvent(a);
    await restoreEvent(b);
    await expectIntact();
  });
});

describe('(d) a truncated tail', () => {
  it('the latest checkpoint names a seq beyond the last remaining event → lastRemainingSeq + 1', async () => {
    const latest = (await chainCheckpoints()).at(-1);
    if (!latest) throw new Error('no checkpoint');
    expect(latest.seq).toBeGreaterThan(CHECKPOINT_EVERY);
    // Cut the chain two events before the latest checkpoint; everything after goes.
    const cutAfter = latest.seq - 2;
    const removed = await events().find({ chainId, seq: { $gt: cutAfter } }).sort({ seq: 1 }).toArray();
    expect(removed.length).toBeGreaterThanOrEqual(2);
    await events().deleteMany({ chainId, seq: { $gt: cutAfter } });

    const remaining = await chainEvents();
    const lastRemainingSeq = remaining.at(-1)?.seq ?? 0;
    expect(lastRemainingSeq).toBe(cutAfter);
    // The remaining prefix is internally consistent: only a checkpoint can reveal the cut.
    expect(remaining.map((e) => e.seq)).toEqual(Array.from({ length: lastRemainingSeq }, (_, i) => i + 1));

    await expectBroken(lastRemainingSeq + 1, new RegExp(`events after seq ${lastRemainingSeq} are missing \\(signed checkpoint at seq \\d+\\)`));

    // The verification above appended its own event after the cut: it now stands beyond a gap.
    const afterCut = await chainEvents();
    expect(afterCut.at(-1)?.seq).toBeGreaterThan(removed.at(-1)?.seq ?? 0);
    await expectBroken(lastRemainingSeq + 1, /is missing/);

    await events().insertMany(removed);
    await expectIntact();
  });
});

describe('(e) a forged checkpoint', () => {
  it('re-signed with a different key under the same kid → that checkpoint seq', async () => {
    const original = await checkpointAt(10);
    const header = decodeProtectedHeader(original.jws);
    expect(header.kid).toBe(t.gateway.audit.signer.kid);
    const payload = Buffer.from(original.jws.split('.')[1] ?? '', 'base64url');
    const { privateKey } = await generateKeyPair('EdDSA');
    const forged = await new CompactSign(payload).setProtectedHeader({ alg: 'EdDSA', kid: original.kid, typ: header.typ ?? 'govgate-audit-checkpoint+jws' }).sign(privateKey);
    await checkpoints().updateOne({ _id: original._id }, { $set: { jws: forged } });

    await expectBroken(10, /signature does not verify/);
    await checkpoints().replaceOne({ _id: original._id }, original);
    await expectIntact();
  });

  it('a forged checkpoint vouching for a rewritten event (new hash signed by a foreign key) → that checkpoint seq', async () => {
    const original = await checkpointAt(5);
    const header = decodeProtectedHeader(original.jws);
    const claimed = JSON.parse(Buffer.from(original.jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const otherHash = (await eventAt(4)).hash;
    const { privateKey } = await generateKeyPair('EdDSA');
    const forged = await new CompactSign(new TextEncoder().encode(JSON.stringify({ ...claimed, hash: otherHash })))
      .setProtectedHeader({ alg: 'EdDSA', kid: original.kid, typ: header.typ ?? 'govgate-audit-checkpoint+jws' })
      .sign(privateKey);
    await checkpoints().updateOne({ _id: original._id }, { $set: { jws: forged, hash: otherHash } });

    await expectBroken(5, /signature does not verify/);
    await checkpoints().replaceOne({ _id: original._id }, original);
    await expectIntact();
  });

  it('its recorded hash altered (signature left intact) → that checkpoint seq', async () => {
    const original = await checkpointAt(15);
    await checkpoints().updateOne({ _id: original._id }, { $set: { hash: flip(original.hash) } });

    await expectBroken(15, /differs from its signed payload/);
    await checkpoints().replaceOne({ _id: original._id }, original);
    await expectIntact();
  });

  it('its recorded seq moved (signature left intact) → the seq it now claims', async () => {
    const original = await checkpointAt(10);
    await checkpoints().updateOne({ _id: original._id }, { $set: { seq: 11 } });

    await expectBroken(11, /differs from its signed payload/);
    await checkpoints().replaceOne({ _id: original._id }, original);
    await expectIntact();
  });
});

describe('after every case', () => {
  it('the chain is whole again: contiguous, every checkpoint verified, nothing left behind', async () => {
    const stored = await chainEvents();
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
    const verification = await verify();
    expect(verification.ok).toBe(true);
    expect(verification.checkedEvents).toBe(stored.length);
    expect(verification.checkedCheckpoints).toBe((await chainCheckpoints()).length);
  });
});
