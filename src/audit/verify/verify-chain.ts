import type { JWTVerifyGetKey } from 'jose';
import type { AuditStore } from '../audit-store.js';
import { storedHash } from '../canonical-hash.js';
import { GENESIS_HASH, type AuditEventDoc } from '../event.js';
import { leafHash, MerkleFrontier } from '../merkle/index.js';
import { CHAIN_HEAD_TYP, verifyHead, type ChainHead } from '../tree-head.js';
import { problem, type AuditProblem } from './problems.js';

/** OPEN: written by this running instance; CLOSED: ended cleanly; ENDED_ABRUPTLY: its writer stopped without CLOSED (crash, kill, failed write, or another instance still writing). */
export type ChainStatus = 'OPEN' | 'CLOSED' | 'ENDED_ABRUPTLY';

/** A size and root the chain must reproduce, and where that expectation comes from. */
export interface Reference {
  readonly size: number;
  readonly root: string;
  readonly source: 'this instance' | 'witness' | 'verified head';
}

const SOURCE_TEXT: Record<Reference['source'], string> = { 'this instance': 'this instance', witness: 'the witness', 'verified head': 'a verified tenant head' };

/**
 * What this instance knows first-hand about a chain it wrote (never read from the database). Read
 * as the walk goes: an open chain keeps growing while it is verified.
 */
export interface OwnKnowledge {
  /** Events acknowledged. */
  readonly acked: number;
  /** Highest seq it ever assigned (acked + in flight or failed). */
  readonly assigned: number;
  /** It still writes the chain (events in (acked, assigned] may be in flight). */
  readonly open: boolean;
}

export interface ChainCheck {
  readonly chainId: string;
  readonly tenant: string;
  readonly own: OwnKnowledge | null;
  readonly references: readonly Reference[];
  /**
   * Whether trailing events no signed head covers yet may still be in flight on another instance:
   * decided by the verifier's own clock (how long it has seen them uncovered), never only by the
   * events' own timestamps, which a database writer chooses.
   */
  mayBePending(firstUncoveredSeq: number, stampedAt: { oldest: Date; newest: Date }): boolean;
}

export interface ChainVerification {
  chainId: string;
  ok: boolean;
  status: ChainStatus;
  /** Highest seq covered by a valid signed tree head. */
  lastCheckpointSeq: number;
  /** Root (hex) of the tree at lastCheckpointSeq, null before the first head. */
  signedRoot: string | null;
  /** The largest size the witness (or this instance) vouches for. */
  witnessedSize: number;
  checkedEvents: number;
  checkedCheckpoints: number;
  lastSeq: number;
  /** Events after the last signed head that are still being written. */
  pendingEvents: number;
  firstBrokenSeq: number | null;
  reason: string | null;
  problems: AuditProblem[];
}

interface Walk {
  readonly result: ChainVerification;
  readonly roots: Map<number, string>;
  broken: boolean;
  closed: boolean;
  uncovered: { oldest: Date; newest: Date } | null;
}

/**
 * Recomputes one chain from the store: every event's hash from its content, every link, seq
 * continuity, the Merkle tree over the events, and every signed tree head on them (signature by a
 * configured key, size, root, last hash) — then the references held outside the database.
 */
export async function verifyChain(store: AuditStore, check: ChainCheck, keys: JWTVerifyGetKey): Promise<ChainVerification> {
  const { chainId, own } = check;
  const result: ChainVerification = {
    chainId, ok: true, status: own?.open ? 'OPEN' : 'ENDED_ABRUPTLY', lastCheckpointSeq: 0, signedRoot: null,
    witnessedSize: Math.max(0, ...check.references.map((r) => r.size)), checkedEvents: 0, checkedCheckpoints: 0, lastSeq: 0, pendingEvents: 0,
    firstBrokenSeq: null, reason: null, problems: [],
  };
  const walk: Walk = { result, roots: new Map(), broken: false, closed: false, uncovered: null };
  const fail = (p: AuditProblem): void => {
    result.problems.push(p);
    result.ok = false;
    result.firstBrokenSeq ??= p.seq;
    result.reason ??= p.detail;
  };
  await walkEvents(store, check, keys, walk, fail);
  checkTail(check, walk, fail);
  checkReferences(check, walk, fail);
  return result;
}

async function walkEvents(store: AuditStore, check: ChainCheck, keys: JWTVerifyGetKey, walk: Walk, fail: (p: AuditProblem) => void): Promise<void> {
  const { chainId, own } = check;
  const { result } = walk;
  const sizes = new Set(check.references.map((r) => r.size));
  const frontier = MerkleFrontier.empty();
  let expected = 1;
  let prev = GENESIS_HASH;
  const stop = (p: AuditProblem): void => {
    fail(p);
    walk.broken = true;
  };
  // Once past what this instance had acknowledged, the rest of its open chain is the tail in flight
  // (`own` grows during the walk: a later event must not be walked after an earlier one was skipped).
  let inFlight = false;
  for await (const doc of store.events.find({ chainId }).sort({ seq: 1 })) {
    if (own?.open && (inFlight || doc.seq > own.acked)) {
      inFlight = true;
      // This instance is writing these right now; anything past what it ever assigned it never wrote.
      if (Number.isInteger(doc.seq) && doc.seq <= own.assigned) continue;
      return stop(problem('UNSIGNED_EVENTS', chainId, expected, `event ${String(doc.seq)} is beyond what this instance wrote to the chain (invented)`));
    }
    if (walk.closed) return stop(problem('UNSIGNED_EVENTS', chainId, doc.seq, `event ${doc.seq} follows the chain's CLOSED event (invented)`));
    const broken = eventProblem(doc, check.tenant, expected, prev);
    if (broken) return stop(broken);
    if (doc.seq === 1 && doc.continues) {
      // A segment started after a failed write names the last acknowledged event of the one before.
      const previous = await store.events.findOne({ chainId: doc.continues.chainId, seq: doc.continues.seq }, { projection: { hash: 1 } });
      if (previous?.hash !== doc.continues.hash) {
        return stop(problem('SEGMENT_BROKEN', chainId, 1, `the previous segment ${doc.continues.chainId} ${previous ? 'differs' : 'is missing its event'} at event ${doc.continues.seq}`));
      }
    }
    frontier.append(leafHash(Buffer.from(doc.hash, 'hex')));
    if (sizes.has(doc.seq)) walk.roots.set(doc.seq, frontier.root().toString('hex'));
    if (doc.head) {
      const verified = await verifyHead<ChainHead>(doc.head, keys, CHAIN_HEAD_TYP);
      if (!verified.ok) return stop(problem('HEAD_INVALID', chainId, doc.seq, `the tree head at event ${doc.seq} is ${verified.why}`));
      const h = verified.head;
      const root = frontier.root().toString('hex');
      if (h.chainId !== chainId || h.tenant !== check.tenant || h.size !== doc.seq || h.last !== doc.hash || h.root !== root) {
        return stop(problem('HEAD_MISMATCH', chainId, result.lastCheckpointSeq + 1, `events ${result.lastCheckpointSeq + 1}–${doc.seq} do not reproduce the tree head signed at event ${doc.seq}`));
      }
      result.lastCheckpointSeq = doc.seq;
      result.signedRoot = root;
      result.checkedCheckpoints += 1;
      walk.uncovered = null;
    } else {
      const span = walk.uncovered ?? { oldest: doc.at, newest: doc.at };
      walk.uncovered = { oldest: doc.at < span.oldest ? doc.at : span.oldest, newest: doc.at > span.newest ? doc.at : span.newest };
    }
    walk.closed = doc.outcome === 'CLOSED';
    result.status = walk.closed ? 'CLOSED' : own?.open ? 'OPEN' : 'ENDED_ABRUPTLY';
    prev = doc.hash;
    result.checkedEvents += 1;
    result.lastSeq = doc.seq;
    expected += 1;
  }
}

/** What is wrong with one event in its place in the chain, if anything. */
function eventProblem(doc: AuditEventDoc, tenant: string, expected: number, prev: string): AuditProblem | null {
  const { chainId } = doc;
  if (doc.tenant !== tenant) return problem('EVENT_ALTERED', chainId, expected, `event ${expected} names another tenant`);
  if (doc.seq !== expected) return problem('EVENT_MISSING', chainId, expected, `event ${expected} is missing (next stored is ${String(doc.seq)})`);
  const hash = storedHash(doc);
  if (hash === null) return problem('EVENT_ALTERED', chainId, doc.seq, `event ${doc.seq}: content cannot be hashed (its shape was changed)`);
  if (hash !== doc.hash) return problem('EVENT_ALTERED', chainId, doc.seq, `event ${doc.seq}: content does not match its hash`);
  if (doc.prevHash !== prev) return problem('LINK_BROKEN', chainId, doc.seq, `event ${doc.seq}: prevHash does not match the previous event`);
  return null;
}

/** Events after the last signed head: in flight on another instance (briefly), or a problem. */
function checkTail(check: ChainCheck, walk: Walk, fail: (p: AuditProblem) => void): void {
  const { result } = walk;
  if (walk.broken || result.lastSeq <= result.lastCheckpointSeq) return;
  const uncovered = result.lastSeq - result.lastCheckpointSeq;
  const first = result.lastCheckpointSeq + 1;
  // Only another instance's live chain that a witness knows can have a write in flight.
  const known = check.references.some((r) => r.source !== 'this instance');
  if (known && !check.own && !walk.closed && walk.uncovered && check.mayBePending(first, walk.uncovered)) {
    result.pendingEvents = uncovered;
  } else if (result.lastCheckpointSeq === 0) {
    fail(problem('CHAIN_INVENTED', check.chainId, 1, `no event of the chain is covered by a tree head signed with a configured key (${uncovered} events)`));
  } else {
    fail(problem('UNSIGNED_EVENTS', check.chainId, first, `events after ${result.lastCheckpointSeq} are covered by no signed tree head (${uncovered} events)`));
  }
}

/** The chain against every head kept outside the database; a chain nobody outside the database knows is not vouched for. */
function checkReferences(check: ChainCheck, walk: Walk, fail: (p: AuditProblem) => void): void {
  const { result } = walk;
  if (!walk.broken && result.ok && result.checkedEvents > 0 && check.references.length === 0) {
    fail(problem('CHAIN_UNWITNESSED', check.chainId, null, 'no witness this instance can read knows the chain (share AUDIT_WITNESS_DIR between instances), so its heads cannot show what was removed from its end'));
    return;
  }
  for (const reference of [...check.references].sort((a, b) => a.size - b.size)) {
    if (reference.size === 0) continue;
    const who = SOURCE_TEXT[reference.source];
    if (result.checkedEvents === 0 && !walk.broken) {
      fail(problem('CHAIN_MISSING', check.chainId, 1, `${who} saw ${reference.size} events of this chain; the store has none`));
      return;
    }
    if (reference.size > result.lastSeq) {
      if (!walk.broken) fail(problem('TRUNCATED', check.chainId, result.lastSeq + 1, `${who} saw ${reference.size} events; the store has ${result.lastSeq}: events ${result.lastSeq + 1}–${reference.size} were deleted`));
      return;
    }
    if (walk.roots.get(reference.size) !== reference.root) {
      fail(problem('HEAD_MISMATCH', check.chainId, null, `the first ${reference.size} events differ from the tree head ${who} holds`));
      return;
    }
  }
}
