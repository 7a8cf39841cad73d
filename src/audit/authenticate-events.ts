import type { JWTVerifyGetKey } from 'jose';
import type { AuditStore } from './audit-store.js';
import { storedHash } from './canonical-hash.js';
import type { AuditEventDoc } from './event.js';
import { CHAIN_HEAD_TYP, verifyHead, type ChainHead } from './tree-head.js';

/** Events read past the last one asked about, looking for the signed head that covers it (a group commit writes at most 500). */
const LOOK_AHEAD = 1000;

/**
 * Which of these stored events the gateway wrote, as far as its signatures show: an event counts
 * when its hash recomputes and the hash chain from it reaches, link by link, an event of its chain
 * carrying a signed head (a key outside the database) whose size and `last` are that event's. A
 * database writer can recompute an edited or planted event's own hash, never a head's signature.
 * One read per chain. Returns the ids that are authenticated.
 */
export async function authenticatedEvents(store: AuditStore, keys: JWTVerifyGetKey, events: readonly AuditEventDoc[]): Promise<Set<string>> {
  const ok = new Set<string>();
  const byChain = new Map<string, AuditEventDoc[]>();
  for (const e of events) byChain.set(`${e.tenant}\u0000${e.chainId}`, [...(byChain.get(`${e.tenant}\u0000${e.chainId}`) ?? []), e]);
  for (const asked of byChain.values()) {
    const { tenant, chainId } = asked[0]!;
    const seqs = asked.map((e) => e.seq).filter((s) => Number.isInteger(s));
    if (seqs.length === 0) continue;
    const first = Math.min(...seqs);
    const chain = (await store.events
      .find({ tenant, chainId, seq: { $gte: first, $lte: Math.max(...seqs) + LOOK_AHEAD } })
      .sort({ seq: 1 })
      .toArray()) as AuditEventDoc[];
    // Walk the chain: events since the last verified head wait for the next head to vouch for them.
    let pending: AuditEventDoc[] = [];
    let previous: AuditEventDoc | null = null;
    for (const event of chain) {
      const linked = previous === null ? event.seq === first : event.seq === previous.seq + 1 && event.prevHash === previous.hash;
      if (!linked || storedHash(event) !== event.hash) break;
      pending.push(event);
      previous = event;
      if (event.head) {
        const verified = await verifyHead<ChainHead>(event.head, keys, CHAIN_HEAD_TYP);
        if (!verified.ok || verified.head.tenant !== tenant || verified.head.chainId !== chainId || verified.head.size !== event.seq || verified.head.last !== event.hash) break;
        for (const p of pending) ok.add(p._id);
        pending = [];
      }
    }
  }
  return ok;
}
