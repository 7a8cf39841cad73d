import { compactVerify, type JWTVerifyGetKey } from 'jose';

export interface BundleEvent {
  id: string;
  seq: number;
  chainId: string;
  hash: string;
  prevHash: string;
  at: string;
}

export interface BundlePayload {
  from: string;
  to: string;
  pack: string;
  packVersion: string;
  events: BundleEvent[];
  checkpoints: { chainId: string; seq: number; hash: string; at: string; jws: string }[];
  verification: { ok: boolean; checkedEvents: number };
}

export interface BundleVerification {
  ok: boolean;
  problems: string[];
  events: number;
  checkpoints: number;
  payload: BundlePayload | null;
}

const ALGORITHMS = ['EdDSA', 'ES256', 'RS256'];

/**
 * Offline check of an evidence bundle, no database needed: the bundle's signature, every
 * checkpoint's signature, the links between consecutive events, and each checkpoint against the
 * event it names.
 */
export async function verifyEvidenceBundle(jws: string, keys: JWTVerifyGetKey): Promise<BundleVerification> {
  const problems: string[] = [];
  let payload: BundlePayload;
  try {
    const verified = await compactVerify(jws.trim(), keys, { algorithms: ALGORITHMS });
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as BundlePayload;
  } catch (error) {
    return { ok: false, problems: [`bundle signature: ${(error as Error).message}`], events: 0, checkpoints: 0, payload: null };
  }
  const bySeq = new Map<string, Map<number, BundleEvent>>();
  for (const event of payload.events) {
    let chain = bySeq.get(event.chainId);
    if (!chain) bySeq.set(event.chainId, (chain = new Map()));
    chain.set(event.seq, event);
  }
  for (const [chainId, chain] of bySeq) {
    for (const [seq, event] of chain) {
      const previous = chain.get(seq - 1);
      if (previous && event.prevHash !== previous.hash) problems.push(`${chainId} seq ${seq}: prevHash does not match seq ${seq - 1}`);
    }
  }
  for (const checkpoint of payload.checkpoints) {
    try {
      const verified = await compactVerify(checkpoint.jws, keys, { algorithms: ALGORITHMS });
      const signed = JSON.parse(new TextDecoder().decode(verified.payload)) as { chainId: string; seq: number; hash: string };
      if (signed.chainId !== checkpoint.chainId || signed.seq !== checkpoint.seq || signed.hash !== checkpoint.hash) {
        problems.push(`${checkpoint.chainId} checkpoint ${checkpoint.seq}: listed values differ from the signed ones`);
      }
      const event = bySeq.get(signed.chainId)?.get(signed.seq);
      if (event && event.hash !== signed.hash) problems.push(`${signed.chainId} seq ${signed.seq}: event hash differs from its signed checkpoint`);
    } catch (error) {
      problems.push(`${checkpoint.chainId} checkpoint ${checkpoint.seq}: signature ${(error as Error).message}`);
    }
  }
  if (!payload.verification.ok) problems.push('the gateway reported its audit log broken when the bundle was made');
  return { ok: problems.length === 0, problems, events: payload.events.length, checkpoints: payload.checkpoints.length, payload };
}
