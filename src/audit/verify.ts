import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { AuditStore, CheckpointDoc } from './audit-store.js';
import { eventFromDoc, hashEvent } from './canonical-hash.js';
import { GENESIS_HASH } from './event.js';

/** OPEN: written by a running instance; CLOSED: ended cleanly; ENDED_ABRUPTLY: its writer died (crash, SIGKILL) — the gap is after lastSeq. */
export type ChainStatus = 'OPEN' | 'CLOSED' | 'ENDED_ABRUPTLY';

export interface ChainVerification {
  chainId: string;
  ok: boolean;
  status: ChainStatus;
  /** Highest seq covered by a valid signed checkpoint. */
  lastCheckpointSeq: number;
  checkedEvents: number;
  checkedCheckpoints: number;
  lastSeq: number;
  firstBrokenSeq: number | null;
  reason: string | null;
}

export interface AuditVerification {
  ok: boolean;
  checkedEvents: number;
  checkedCheckpoints: number;
  /** The first broken link of the first broken chain. */
  firstBrokenSeq: number | null;
  brokenChainId: string | null;
  reason: string | null;
  chains: ChainVerification[];
}

interface CheckpointPayload {
  chainId: string;
  tenant: string;
  seq: number;
  hash: string;
  at: string;
}

async function verifyCheckpoint(checkpoint: CheckpointDoc, keys: ReturnType<typeof createLocalJWKSet>): Promise<string | null> {
  try {
    const { payload } = await compactVerify(checkpoint.jws, keys, { algorithms: ['EdDSA', 'ES256', 'RS256'] });
    const claimed = JSON.parse(new TextDecoder().decode(payload)) as CheckpointPayload;
    if (claimed.chainId !== checkpoint.chainId || claimed.seq !== checkpoint.seq || claimed.hash !== checkpoint.hash) {
      return 'checkpoint record differs from its signed payload';
    }
    return null;
  } catch {
    return 'checkpoint signature does not verify with the published keys';
  }
}

/**
 * Recomputes one chain: every event's hash from its content, every link to the previous event, seq
 * continuity, and every signed checkpoint — whose seq also proves the tail was not cut off.
 */
export async function verifyChain(store: AuditStore, chainId: string, keys: ReturnType<typeof createLocalJWKSet>, open = false): Promise<ChainVerification> {
  const result: ChainVerification = {
    chainId, ok: true, status: open ? 'OPEN' : 'ENDED_ABRUPTLY', lastCheckpointSeq: 0, checkedEvents: 0, checkedCheckpoints: 0, lastSeq: 0, firstBrokenSeq: null, reason: null,
  };
  const broken = (seq: number, reason: string): ChainVerification => ({ ...result, ok: false, firstBrokenSeq: seq, reason });
  const hashes = new Map<number, string>();
  let expected = 1;
  let prev = GENESIS_HASH;
  for await (const doc of store.events.find({ chainId }).sort({ seq: 1 })) {
    if (doc.seq !== expected) return broken(expected, `event ${expected} is missing (next stored is ${doc.seq})`);
    if (hashEvent(eventFromDoc(doc)) !== doc.hash) return broken(doc.seq, 'event content does not match its hash');
    if (doc.prevHash !== prev) return broken(doc.seq, 'prevHash does not match the previous event');
    if (doc.seq === 1 && doc.continues) {
      // A segment started after a failed write names the last acknowledged event of the one before.
      const previous = await store.events.findOne({ chainId: doc.continues.chainId, seq: doc.continues.seq }, { projection: { hash: 1 } });
      if (!previous) return broken(1, `the previous segment ${doc.continues.chainId} is missing its event ${doc.continues.seq}`);
      if (previous.hash !== doc.continues.hash) return broken(1, `the previous segment ${doc.continues.chainId} differs at event ${doc.continues.seq}`);
    }
    hashes.set(doc.seq, doc.hash);
    // CLOSED counts only as the chain's last event.
    result.status = doc.outcome === 'CLOSED' ? 'CLOSED' : open ? 'OPEN' : 'ENDED_ABRUPTLY';
    prev = doc.hash;
    result.checkedEvents += 1;
    result.lastSeq = doc.seq;
    expected += 1;
  }
  const checkpoints = await store.checkpoints.find({ chainId }).sort({ seq: 1 }).toArray();
  for (const checkpoint of checkpoints) {
    const problem = await verifyCheckpoint(checkpoint, keys);
    if (problem) return broken(checkpoint.seq, problem);
    if (checkpoint.seq > result.lastSeq) {
      return broken(result.lastSeq + 1, `events after seq ${result.lastSeq} are missing (signed checkpoint at seq ${checkpoint.seq})`);
    }
    if (hashes.get(checkpoint.seq) !== checkpoint.hash) return broken(checkpoint.seq, 'event does not match its signed checkpoint');
    result.checkedCheckpoints += 1;
    result.lastCheckpointSeq = checkpoint.seq;
  }
  return result;
}

/** Verifies every chain of a tenant against the published keys; `openChains` are still being written. */
export async function verifyAuditLog(store: AuditStore, tenant: string, jwks: JSONWebKeySet, openChains: readonly string[] = []): Promise<AuditVerification> {
  const keys = createLocalJWKSet(jwks);
  const chainIds = [...new Set([...(await store.events.distinct('chainId', { tenant })), ...(await store.checkpoints.distinct('chainId', { tenant }))])].sort();
  const chains: ChainVerification[] = [];
  for (const chainId of chainIds) chains.push(await verifyChain(store, chainId, keys, openChains.includes(chainId)));
  const firstBroken = chains.find((c) => !c.ok);
  return {
    ok: !firstBroken,
    checkedEvents: chains.reduce((n, c) => n + c.checkedEvents, 0),
    checkedCheckpoints: chains.reduce((n, c) => n + c.checkedCheckpoints, 0),
    firstBrokenSeq: firstBroken?.firstBrokenSeq ?? null,
    brokenChainId: firstBroken?.chainId ?? null,
    reason: firstBroken?.reason ?? null,
    chains,
  };
}
