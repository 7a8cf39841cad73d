import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import { compactVerify, type JWTVerifyGetKey } from 'jose';
import { AUDIT_ALGORITHMS } from './audit-keys.js';
import { hasSubjectSets } from './decision-sets.js';
import { leafHash, rootFromRange, verifyConsistency } from './merkle/index.js';
import { CHAIN_HEAD_TYP, TENANT_HEAD_TYP, verifyHead, type ChainHead, type TenantHead } from './tree-head.js';

export interface BundleEvent {
  /** The hashed form of the event (identifiers only); its SHA-256 over RFC 8785 JSON is `hash`. Null: the stored event cannot be hashed (altered). */
  content: Record<string, unknown> | null;
  id: string;
  seq: number;
  chainId: string;
  hash: string;
  prevHash: string;
  at: string;
  [more: string]: unknown;
}

export interface BundlePayload {
  iss: string;
  iat: number;
  tenant: string;
  from: string;
  to: string;
  pack: string;
  packVersion: string;
  events: BundleEvent[];
  /** Each chain's signed tree head (the latest the verification found valid). */
  checkpoints: { chainId: string; size: number; root: string; last: string; at: string; jws: string }[];
  /** Per chain: the roots outside the listed run of events [fromSeq, toSeq], rebuilding the head's root. */
  proofs: { chainId: string; fromSeq: number; toSeq: number; nodes: string[] }[];
  /** The earlier tenant head the consistency proofs start from (JWS), or null. */
  since: string | null;
  consistency: { chainId: string; fromSize: number; fromRoot: string; toSize: number; nodes: string[] }[];
  /** The tenant head signed for this bundle's verification (null when it failed): save it for the next bundle. */
  head: string | null;
  verification: { ok: boolean; checkedEvents: number; [more: string]: unknown };
  [more: string]: unknown;
}

export interface BundleVerification {
  ok: boolean;
  problems: string[];
  events: number;
  checkpoints: number;
  payload: BundlePayload | null;
}

const unhex = (s: string): Buffer => Buffer.from(s, 'hex');

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The summary an event shows, recomputed from its hashed content. */
function summaryOf(content: Record<string, unknown>): Record<string, unknown> {
  const decisions = (content.decisions ?? []) as { coordinate: string; decision: string; reason: string | null; subjects?: unknown[]; set?: number }[];
  // Inline subjects, or (events with subject sets) the size of the set a decision names.
  const sets = hasSubjectSets(content) ? (content.subjectSets as unknown[][]) : undefined;
  const values = (x: (typeof decisions)[number]): number => (sets ? (sets[x.set ?? NaN]?.length ?? 0) : (x.subjects?.length ?? 0));
  const accesses = (content.accesses ?? []) as string[];
  return {
    id: content.id, seq: content.seq, chainId: content.chainId, prevHash: content.prevHash, at: content.at,
    operationName: content.operationName, purpose: content.purpose, outcome: content.outcome,
    coordinates: [...new Set(decisions.map((x) => x.coordinate).concat(accesses))].sort(),
    decisions: decisions.map((x) => ({ coordinate: x.coordinate, decision: x.decision, reason: x.reason, values: values(x) })),
  };
}

/** Each event's hash is recomputed from its content, and what the bundle says of it must be what the content says. */
function checkEvents(payload: BundlePayload, problems: string[]): void {
  for (const event of payload.events) {
    const where = `${event.chainId} seq ${event.seq}`;
    const { content, hash: _hash, ...listed } = event;
    const canonical = content ? canonicalJson(content) : undefined;
    if (!content || !canonical || sha256Hex(canonical) !== event.hash) {
      problems.push(`${where}: the listed content does not hash to the event's hash`);
      continue;
    }
    if (canonicalJson(listed) !== canonicalJson(summaryOf(content))) problems.push(`${where}: the summary differs from the event's hashed content`);
  }
}

/** Checks every chain's events against its signed head: links, then the range proof. */
async function checkChains(payload: BundlePayload, keys: JWTVerifyGetKey, problems: string[]): Promise<Map<string, ChainHead>> {
  const heads = new Map<string, ChainHead>();
  for (const checkpoint of payload.checkpoints) {
    const verified = await verifyHead<ChainHead>(checkpoint.jws, keys, CHAIN_HEAD_TYP);
    if (!verified.ok) { problems.push(`${checkpoint.chainId}: tree head ${verified.why}`); continue; }
    const h = verified.head;
    if (h.chainId !== checkpoint.chainId || h.size !== checkpoint.size || h.root !== checkpoint.root || h.tenant !== payload.tenant) {
      problems.push(`${checkpoint.chainId}: listed head differs from the signed one`);
      continue;
    }
    heads.set(h.chainId, h);
  }
  const byChain = new Map<string, BundleEvent[]>();
  for (const event of payload.events) byChain.set(event.chainId, [...(byChain.get(event.chainId) ?? []), event]);
  for (const [chainId, events] of byChain) {
    const head = heads.get(chainId);
    const proof = payload.proofs.find((p) => p.chainId === chainId);
    if (!head || !proof) { problems.push(`${chainId}: events without a signed head and proof`); continue; }
    events.sort((a, b) => a.seq - b.seq);
    const contiguous = events.every((e, i) => e.seq === proof.fromSeq + i) && events.at(-1)?.seq === proof.toSeq;
    if (!contiguous) { problems.push(`${chainId}: events ${proof.fromSeq}–${proof.toSeq} are not all listed`); continue; }
    events.forEach((e, i) => {
      if (i > 0 && e.prevHash !== events[i - 1]!.hash) problems.push(`${chainId} seq ${e.seq}: prevHash does not match seq ${e.seq - 1}`);
    });
    const root = rootFromRange(head.size, proof.fromSeq - 1, events.map((e) => leafHash(unhex(e.hash))), proof.nodes.map(unhex));
    if (!root || root.toString('hex') !== head.root) problems.push(`${chainId}: events ${proof.fromSeq}–${proof.toSeq} are not the ones the signed head covers`);
  }
  return heads;
}

/** The bundle's own tenant head must list exactly its chain heads. */
async function checkTenantHead(payload: BundlePayload, keys: JWTVerifyGetKey, heads: Map<string, ChainHead>, problems: string[]): Promise<void> {
  if (!payload.head) { problems.push('the bundle carries no tenant head (its verification failed)'); return; }
  const verified = await verifyHead<TenantHead>(payload.head, keys, TENANT_HEAD_TYP);
  if (!verified.ok) { problems.push(`tenant head ${verified.why}`); return; }
  for (const chain of verified.head.chains) {
    const head = heads.get(chain.chainId);
    if (head && (head.size !== chain.size || head.root !== chain.root)) problems.push(`${chain.chainId}: the tenant head and the chain head disagree`);
  }
}

/**
 * Proves, chain by chain, that the tenant head `saved` (kept by the auditor from an earlier bundle or
 * verification) is a prefix of what this bundle shows: nothing it covered was removed or changed.
 */
async function checkConsistency(payload: BundlePayload, keys: JWTVerifyGetKey, heads: Map<string, ChainHead>, saved: string, problems: string[]): Promise<void> {
  const verified = await verifyHead<TenantHead>(saved, keys, TENANT_HEAD_TYP);
  if (!verified.ok) { problems.push(`saved head ${verified.why}`); return; }
  if (verified.head.tenant !== payload.tenant) { problems.push('the saved head is of another tenant'); return; }
  for (const chain of verified.head.chains) {
    const head = heads.get(chain.chainId);
    if (!head) { problems.push(`${chain.chainId}: in the saved head, missing from the bundle`); continue; }
    const proof = payload.consistency.find((c) => c.chainId === chain.chainId && c.fromSize === chain.size && c.fromRoot === chain.root);
    if (!proof) { problems.push(`${chain.chainId}: the bundle proves no consistency from the saved head (ask for it with since: <saved head>)`); continue; }
    if (chain.size > head.size || !verifyConsistency(chain.size, head.size, unhex(chain.root), unhex(head.root), proof.nodes.map(unhex))) {
      problems.push(`${chain.chainId}: the log is not an extension of the saved head (events ${chain.size <= head.size ? 'changed' : 'removed'})`);
    }
  }
}

/**
 * Offline check of an evidence bundle with pinned keys, no database needed: the bundle's
 * signature, each event's hash recomputed from its content (and its summary against that content),
 * every chain head's signature, the links between consecutive events, the range proof
 * tying the listed events to their head, the tenant head, and — given a head saved earlier — that
 * today's log extends it.
 */
export async function verifyEvidenceBundle(jws: string, keys: JWTVerifyGetKey, saved?: string): Promise<BundleVerification> {
  const problems: string[] = [];
  let payload: BundlePayload;
  try {
    const verified = await compactVerify(jws.trim(), keys, { algorithms: [...AUDIT_ALGORITHMS] });
    if (verified.protectedHeader.typ !== 'govgate-evidence+jws') throw new Error('not an evidence bundle');
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as BundlePayload;
  } catch (error) {
    return { ok: false, problems: [`bundle signature: ${(error as Error).message}`], events: 0, checkpoints: 0, payload: null };
  }
  checkEvents(payload, problems);
  const heads = await checkChains(payload, keys, problems);
  await checkTenantHead(payload, keys, heads, problems);
  if (saved) await checkConsistency(payload, keys, heads, saved.trim(), problems);
  if (!payload.verification.ok) problems.push('the gateway found its audit log broken when the bundle was made');
  return { ok: problems.length === 0, problems, events: payload.events.length, checkpoints: payload.checkpoints.length, payload };
}
