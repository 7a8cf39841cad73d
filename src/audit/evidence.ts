import { decisionSize } from './decision-sets.js';
import { GovgateError } from '../errors.js';
import type { PolicyPack } from '../governance/index.js';
import type { AuditServices } from './audit-services.js';
import { storedHash, storedHashable } from './canonical-hash.js';
import type { AuditEventDoc } from './event.js';
import { consistencyProof, leafHash, rangeProof, rootsOf } from './merkle/index.js';
import { CHAIN_HEAD_TYP, TENANT_HEAD_TYP, verifyHead, type ChainHead, type TenantHead } from './tree-head.js';
import type { BundlePayload } from './verify-bundle.js';

/**
 * What a controller can ask of a processor under Art. 28(3), and where the bundle answers it —
 * from what the active pack's document actually says: nothing here claims what no pack states.
 */
export function art28Of(pack: PolicyPack): Record<'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h', { duty: string; evidence: string }> {
  const facts = pack.file.facts;
  const subProcessors = facts?.subProcessors ?? [];
  return {
    a: { duty: 'process only on documented instructions', evidence: `policy pack ${pack.name} ${pack.version}: every access decided against its documented role grants and purposes` },
    b: { duty: 'persons authorised are bound to confidentiality', evidence: 'events[].actor roles; the role grants of the pack limit each role to its categories and purposes (confidentiality agreements themselves are organisational)' },
    c: { duty: 'security of processing (Art. 32)', evidence: 'hash-chained events under signed Merkle tree heads (checkpoints, proofs, verification); pseudonymisation and field redaction in decisions' },
    d: {
      duty: 'conditions for engaging sub-processors',
      evidence: subProcessors.length
        ? `the pack's document names these sub-processors: ${subProcessors.map((s) => `${s.name} (${s.source})`).join('; ')}; the contracts with them are outside the gateway`
        : "the pack's document names no sub-processors; contracting them is outside the gateway",
    },
    e: { duty: 'assist with data-subject rights', evidence: 'events of rights operations (consent, restriction, objection) and decisions honouring them (CONSENT, RESTRICTED, OBJECTED); export and erasure are not built yet' },
    f: { duty: 'assist with Arts. 32–36 (security, breach, DPIA)', evidence: `verification result; events by outcome (DENIED, FAILED)${facts?.breachNotice ? `; breach notice: ${facts.breachNotice.statement} (${facts.breachNotice.source})` : "; the pack's document states no breach-notice procedure"}` },
    g: { duty: 'delete or return data at the end of services', evidence: 'RETENTION decisions and the retention rules of the pack; deletion and return at the end of services are not built yet' },
    h: { duty: 'make available all information necessary to demonstrate compliance', evidence: 'this bundle: events, signed tree heads and their proofs, verification, signed with a published key' },
  };
}

export interface EvidenceRange {
  tenant: string;
  from: Date;
  to: Date;
  /** A tenant head the requester saved earlier (from a bundle or a verification): the bundle proves it is a prefix of today's log. */
  since?: string | null;
}

async function chainLeaves(audit: AuditServices, chainId: string, size: number): Promise<Buffer[]> {
  const docs = await audit.store.events.find({ chainId, seq: { $lte: size } }, { projection: { hash: 1 } }).sort({ seq: 1 }).toArray();
  return docs.map((d) => leafHash(Buffer.from(d.hash, 'hex')));
}

/** The tenant head to prove consistency from: the one the requester gave, else the last one witnessed before this bundle. */
async function baseline(audit: AuditServices, range: EvidenceRange): Promise<TenantHead & { jws: string } | null> {
  const candidates = range.since ? [range.since] : (await audit.witness.read(range.tenant)).tenantHeads;
  let best: (TenantHead & { jws: string }) | null = null;
  for (const jws of candidates) {
    const verified = await verifyHead<TenantHead>(jws, audit.keySet, TENANT_HEAD_TYP);
    if (!verified.ok || verified.head.tenant !== range.tenant) {
      if (range.since) throw new GovgateError('BAD_USER_INPUT', 'since: not a tenant head of this tenant signed by a configured key');
      continue;
    }
    if (!best || verified.head.at > best.at) best = { ...verified.head, jws };
  }
  return best;
}

/**
 * A compact JWS over a time range of a tenant's audit log: event hashes and coordinates (never
 * values), each chain's signed tree head with a range proof that the listed events are in it,
 * consistency proofs from an earlier tenant head, the verification result and the active pack.
 * The log is first witnessed and verified (AuditServices.verify), so the bundle never signs a
 * history the gateway could not verify.
 */
export async function evidenceBundle(audit: AuditServices, pack: PolicyPack, range: EvidenceRange): Promise<string> {
  const since = await baseline(audit, range);
  const verification = await audit.verify(range.tenant);
  const docs = await audit.store.events
    .find({ tenant: range.tenant, at: { $gte: range.from, $lte: range.to } })
    .sort({ chainId: 1, seq: 1 })
    .toArray();
  const byChain = new Map<string, AuditEventDoc[]>();
  for (const doc of docs) {
    const list = byChain.get(doc.chainId);
    if (list) list.push(doc);
    else byChain.set(doc.chainId, [doc]);
  }
  // The events are read again after verification: each must still hash to what the proofs cover, or
  // the bundle would sign a record changed in between. Any that does not makes the bundle say so.
  const altered = docs.filter((d) => storedHash(d) !== d.hash).map((d) => ({ kind: 'EVENT_ALTERED' as const, chainId: d.chainId, seq: d.seq }));

  const checkpoints: BundlePayload['checkpoints'] = [];
  const proofs: BundlePayload['proofs'] = [];
  const consistency: BundlePayload['consistency'] = [];
  const events: AuditEventDoc[] = [];
  for (const chain of verification.chains) {
    const size = chain.lastCheckpointSeq;
    if (size === 0) continue;
    const headDoc = await audit.store.events.findOne({ chainId: chain.chainId, seq: size }, { projection: { head: 1 } });
    const verified = headDoc?.head ? await verifyHead<ChainHead>(headDoc.head, audit.keySet, CHAIN_HEAD_TYP) : null;
    if (!verified?.ok) continue;
    const inRange = (byChain.get(chain.chainId) ?? []).filter((d) => d.seq <= size);
    const from = since?.chains.find((c) => c.chainId === chain.chainId);
    if (inRange.length === 0 && !from) continue;
    const leaves = await chainLeaves(audit, chain.chainId, size);
    const roots = rootsOf(leaves);
    checkpoints.push({ chainId: chain.chainId, size, root: verified.head.root, last: verified.head.last, at: verified.head.at, jws: headDoc!.head! });
    if (inRange.length > 0) {
      const first = inRange[0]!.seq;
      const last = inRange.at(-1)!.seq;
      // Events of one chain in a time range are contiguous in seq: one range proof covers them.
      events.push(...inRange);
      proofs.push({ chainId: chain.chainId, fromSeq: first, toSeq: last, nodes: rangeProof(size, first - 1, last, roots).map((b) => b.toString('hex')) });
    }
    if (from && from.size <= size) {
      consistency.push({ chainId: chain.chainId, fromSize: from.size, fromRoot: from.root, toSize: size, nodes: from.size === 0 ? [] : consistencyProof(from.size, size, roots).map((b) => b.toString('hex')) });
    }
  }
  const payload: BundlePayload = {
    iss: 'govgate',
    iat: Math.floor(Date.now() / 1000),
    tenant: range.tenant,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    pack: pack.name,
    packVersion: pack.version,
    events: events.map((d) => {
      // What the hash covers, so an offline verifier recomputes it and checks the summary below against it.
      const content = storedHashable(d);
      // Changed in shape since verification: listed by position only, and the verifier says it does not hash.
      if (content === null) return { content: null, id: d._id, seq: d.seq, chainId: d.chainId, hash: d.hash, prevHash: d.prevHash, at: '' };
      return {
        content,
        id: d._id,
        seq: d.seq,
        chainId: d.chainId,
        hash: d.hash,
        prevHash: d.prevHash,
        at: d.at.toISOString(),
        operationName: d.operationName,
        purpose: d.purpose,
        outcome: d.outcome,
        coordinates: [...new Set(d.decisions.map((x) => x.coordinate).concat(d.accesses))].sort(),
        decisions: d.decisions.map((x) => ({ coordinate: x.coordinate, decision: x.decision, reason: x.reason, values: decisionSize(d, x) })),
      };
    }),
    checkpoints,
    proofs,
    since: since?.jws ?? null,
    consistency,
    head: verification.head,
    verification: {
      ok: verification.ok && altered.length === 0,
      checkedEvents: verification.checkedEvents,
      checkedCheckpoints: verification.checkedCheckpoints,
      firstBrokenSeq: verification.firstBrokenSeq,
      brokenChainId: verification.brokenChainId,
      reason: verification.reason,
      problems: [...verification.problems.map((p) => ({ kind: p.kind, chainId: p.chainId, seq: p.seq })), ...altered],
    },
    // The pack's role decides whether Art. 28 governs this processing (a processor's) or only documents it (a controller's).
    role: pack.file.facts?.role ?? null,
    facts: pack.file.facts ?? null,
    art28: art28Of(pack),
  };
  return audit.signer.sign(payload, 'govgate-evidence+jws');
}
