import type { JWTVerifyGetKey } from 'jose';
import type { AuditStore } from '../audit-store.js';
import { eventFromDoc, hashEvent } from '../canonical-hash.js';
import { GENESIS_HASH } from '../event.js';
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

export interface ChainCheck {
  readonly chainId: string;
  readonly tenant: string;
  /** This instance writes the chain now: its acknowledged size (trusted memory) bounds what is checked. */
  readonly ownSize: number | null;
  readonly references: readonly Reference[];
  /**
   * Uncovered events all stamped within [pendingSince, pendingUntil] are taken as still being
   * written by another instance (its head follows in the same write), not as a problem; the next
   * verification checks them again.
   */
  readonly pendingSince: Date;
  readonly pendingUntil: Date;
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

/**
 * Recomputes one chain from the store: every event's hash from its content, every link, seq
 * continuity, the Merkle tree over the events, and every signed tree head on them (signature by a
 * configured key, size, root, last hash) — then the references held outside the database.
 */
export async function verifyChain(store: AuditStore, check: ChainCheck, keys: JWTVerifyGetKey): Promise<ChainVerification> {
  const { chainId, ownSize } = check;
  const result: ChainVerification = {
    chainId, ok: true, status: ownSize !== null ? 'OPEN' : 'ENDED_ABRUPTLY', lastCheckpointSeq: 0, signedRoot: null,
    witnessedSize: Math.max(0, ...check.references.map((r) => r.size)), checkedEvents: 0, checkedCheckpoints: 0, lastSeq: 0, pendingEvents: 0,
    firstBrokenSeq: null, reason: null, problems: [],
  };
  const fail = (p: AuditProblem): ChainVerification => {
    result.problems.push(p);
    result.ok = false;
    result.firstBrokenSeq ??= p.seq;
    result.reason ??= p.detail;
    return result;
  };
  const sizes = new Set(check.references.map((r) => r.size));
  const roots = new Map<number, string>();
  const frontier = MerkleFrontier.empty();
  let expected = 1;
  let prev = GENESIS_HASH;
  let uncoveredSpan: { oldest: Date; newest: Date } | null = null;
  let broken = false;
  for await (const doc of store.events.find({ chainId }).sort({ seq: 1 })) {
    // Events beyond what this instance has acknowledged are still in flight.
    if (ownSize !== null && doc.seq > ownSize) break;
    if (doc.tenant !== check.tenant) { fail(problem('EVENT_ALTERED', chainId, doc.seq, `event ${doc.seq} names another tenant`)); broken = true; break; }
    if (doc.seq !== expected) { fail(problem('EVENT_MISSING', chainId, expected, `event ${expected} is missing (next stored is ${doc.seq})`)); broken = true; break; }
    if (hashEvent(eventFromDoc(doc)) !== doc.hash) { fail(problem('EVENT_ALTERED', chainId, doc.seq, `event ${doc.seq}: content does not match its hash`)); broken = true; break; }
    if (doc.prevHash !== prev) { fail(problem('LINK_BROKEN', chainId, doc.seq, `event ${doc.seq}: prevHash does not match the previous event`)); broken = true; break; }
    if (doc.seq === 1 && doc.continues) {
      // A segment started after a failed write names the last acknowledged event of the one before.
      const previous = await store.events.findOne({ chainId: doc.continues.chainId, seq: doc.continues.seq }, { projection: { hash: 1 } });
      if (previous?.hash !== doc.continues.hash) {
        fail(problem('SEGMENT_BROKEN', chainId, 1, `the previous segment ${doc.continues.chainId} ${previous ? 'differs' : 'is missing its event'} at event ${doc.continues.seq}`));
        broken = true;
        break;
      }
    }
    frontier.append(leafHash(Buffer.from(doc.hash, 'hex')));
    if (sizes.has(doc.seq)) roots.set(doc.seq, frontier.root().toString('hex'));
    if (doc.head) {
      const verified = await verifyHead<ChainHead>(doc.head, keys, CHAIN_HEAD_TYP);
      if (!verified.ok) { fail(problem('HEAD_INVALID', chainId, doc.seq, `the tree head at event ${doc.seq} is ${verified.why}`)); broken = true; break; }
      const h = verified.head;
      const root = frontier.root().toString('hex');
      if (h.chainId !== chainId || h.tenant !== check.tenant || h.size !== doc.seq || h.last !== doc.hash || h.root !== root) {
        fail(problem('HEAD_MISMATCH', chainId, result.lastCheckpointSeq + 1, `events ${result.lastCheckpointSeq + 1}–${doc.seq} do not reproduce the tree head signed at event ${doc.seq}`));
        broken = true;
        break;
      }
      result.lastCheckpointSeq = doc.seq;
      result.signedRoot = root;
      result.checkedCheckpoints += 1;
      uncoveredSpan = null;
    } else {
      const span: { oldest: Date; newest: Date } = uncoveredSpan ?? { oldest: doc.at, newest: doc.at };
      uncoveredSpan = { oldest: doc.at < span.oldest ? doc.at : span.oldest, newest: doc.at > span.newest ? doc.at : span.newest };
    }
    result.status = doc.outcome === 'CLOSED' ? 'CLOSED' : ownSize !== null ? 'OPEN' : 'ENDED_ABRUPTLY';
    prev = doc.hash;
    result.checkedEvents += 1;
    result.lastSeq = doc.seq;
    expected += 1;
  }

  if (!broken && result.lastSeq > result.lastCheckpointSeq) {
    const uncovered = result.lastSeq - result.lastCheckpointSeq;
    // Only a chain the witness (or this instance) knows can have a write in flight.
    const known = check.references.length > 0;
    if (known && ownSize === null && uncoveredSpan && uncoveredSpan.oldest >= check.pendingSince && uncoveredSpan.newest <= check.pendingUntil) {
      result.pendingEvents = uncovered;
    } else if (result.lastCheckpointSeq === 0) {
      fail(problem('CHAIN_INVENTED', chainId, 1, `no event of the chain is covered by a tree head signed with a configured key (${uncovered} events)`));
    } else {
      fail(problem('UNSIGNED_EVENTS', chainId, result.lastCheckpointSeq + 1, `events after ${result.lastCheckpointSeq} are covered by no signed tree head (${uncovered} events)`));
    }
  }
  for (const reference of [...check.references].sort((a, b) => a.size - b.size)) {
    if (reference.size === 0) continue;
    if (result.checkedEvents === 0 && !broken) {
      fail(problem('CHAIN_MISSING', chainId, 1, `the ${reference.source} saw ${reference.size} events of this chain; the store has none`));
      break;
    }
    if (reference.size > result.lastSeq) {
      if (!broken) fail(problem('TRUNCATED', chainId, result.lastSeq + 1, `the ${reference.source} saw ${reference.size} events; the store has ${result.lastSeq}: events ${result.lastSeq + 1}–${reference.size} were deleted`));
      break;
    }
    if (roots.get(reference.size) !== reference.root) {
      fail(problem('HEAD_MISMATCH', chainId, null, `the first ${reference.size} events differ from the tree head the ${reference.source} holds`));
      break;
    }
  }
  return result;
}
