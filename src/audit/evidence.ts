import type { PolicyPack } from '../governance/index.js';
import type { AuditServices } from './audit-services.js';
import { verifyAuditLog } from './verify.js';

/** What a controller can ask of a processor under Art. 28(3), and where the bundle answers it. */
export const ART_28_3 = {
  a: { duty: 'process only on documented instructions', evidence: 'policy pack (pack, packVersion): every access decided against the documented role grants and purposes' },
  b: { duty: 'persons authorised are bound to confidentiality', evidence: 'events[].actor roles; role grants of the pack limit each role to its categories and purposes' },
  c: { duty: 'security of processing (Art. 32)', evidence: 'hash-chained events and signed checkpoints (verification); pseudonymisation and field redaction in decisions' },
  d: { duty: 'conditions for engaging sub-processors', evidence: 'recordOfProcessing: recipients and sub-processors from the pack' },
  e: { duty: 'assist with data-subject rights', evidence: 'events of rights operations (consent, restriction, objection) and decisions honouring them (CONSENT, RESTRICTED, OBJECTED)' },
  f: { duty: 'assist with Arts. 32–36 (security, breach, DPIA)', evidence: 'verification result; events by outcome (DENIED, FAILED)' },
  g: { duty: 'delete or return data at the end of services', evidence: 'ERASED and RETENTION decisions; retention rules of the pack' },
  h: { duty: 'make available all information necessary to demonstrate compliance', evidence: 'this bundle: events, checkpoints, verification, signed with a published key' },
} as const;

export interface EvidenceRange {
  tenant: string;
  from: Date;
  to: Date;
}

/**
 * A compact JWS over a time range of a tenant's audit log: event hashes and coordinates (never
 * values), the chains' signed checkpoints, the verification result and the active pack.
 */
export async function evidenceBundle(audit: AuditServices, pack: PolicyPack, range: EvidenceRange): Promise<string> {
  const docs = await audit.store.events
    .find({ tenant: range.tenant, at: { $gte: range.from, $lte: range.to } })
    .sort({ chainId: 1, seq: 1 })
    .toArray();
  const chainIds = [...new Set(docs.map((d) => d.chainId))];
  const checkpoints = chainIds.length
    ? await audit.store.checkpoints.find({ chainId: { $in: chainIds } }).sort({ chainId: 1, seq: 1 }).toArray()
    : [];
  const verification = await verifyAuditLog(audit.store, range.tenant, await audit.jwks(), audit.writer.chainIds());
  const payload = {
    iss: 'govgate',
    iat: Math.floor(Date.now() / 1000),
    tenant: range.tenant,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    pack: pack.name,
    packVersion: pack.version,
    events: docs.map((d) => ({
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
      decisions: d.decisions.map((x) => ({ coordinate: x.coordinate, decision: x.decision, reason: x.reason, values: x.subjects.length })),
    })),
    checkpoints: checkpoints.map((c) => ({ chainId: c.chainId, seq: c.seq, hash: c.hash, at: c.at.toISOString(), jws: c.jws })),
    verification: {
      ok: verification.ok,
      checkedEvents: verification.checkedEvents,
      checkedCheckpoints: verification.checkedCheckpoints,
      firstBrokenSeq: verification.firstBrokenSeq,
      brokenChainId: verification.brokenChainId,
      reason: verification.reason,
    },
    art28: ART_28_3,
  };
  return audit.signer.sign(payload, 'govgate-evidence+jws');
}
