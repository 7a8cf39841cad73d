import type { JWTVerifyGetKey } from 'jose';
import type { AuditSigner } from '../audit-keys.js';
import type { AuditStore } from '../audit-store.js';
import type { OwnChainState } from '../audit-writer.js';
import { CHAIN_HEAD_TYP, signTenantHead, TENANT_HEAD_TYP, verifyHead, type ChainHead, type TenantHead } from '../tree-head.js';
import type { Witness } from '../witness/index.js';
import { problem, type AuditProblem } from './problems.js';
import { verifyChain, type ChainVerification, type OwnKnowledge, type Reference } from './verify-chain.js';

export interface AuditVerification {
  ok: boolean;
  checkedEvents: number;
  /** Signed tree heads checked (each covers the events before it). */
  checkedCheckpoints: number;
  /** The first broken link of the first broken chain. */
  firstBrokenSeq: number | null;
  brokenChainId: string | null;
  reason: string | null;
  chains: ChainVerification[];
  problems: AuditProblem[];
  /** When ok: the tenant head signed and witnessed for this verification (save it to check later bundles). */
  head: string | null;
}

export interface VerifyTenantOptions {
  store: AuditStore;
  tenant: string;
  keys: JWTVerifyGetKey;
  signer: AuditSigner;
  witness: Witness;
  /** This instance's chains of the tenant, as it knows them (already witnessed by the caller). */
  own: readonly OwnChainState[];
  /**
   * How far this instance is on one of its open chains now. The instance keeps writing while it
   * verifies: events it acknowledged or assigned after `own` was taken (and the witness heads of
   * them) are its own, neither deleted nor invented. Default: `own` as taken.
   */
  progress?: (chainId: string) => { acked: number; assigned: number } | null;
  /** How long another instance's write may take before its unsigned events count as a problem, ms. */
  pendingGraceMs: number;
  /**
   * When this verifier first saw a chain's trailing events uncovered (key: chain and first seq):
   * kept by the caller across verifications, so "still in flight" is judged by the verifier's clock.
   */
  firstSeenUncovered: { get(key: string): number | undefined; set(key: string, at: number): unknown };
  now?: Date;
}

/** Every reference kept outside the database, by chain: this instance's memory, the witness's chain heads and verified tenant heads. */
async function references(options: VerifyTenantOptions, problems: AuditProblem[]): Promise<Map<string, Reference[]>> {
  const refs = new Map<string, Reference[]>();
  const add = (chainId: string, ref: Reference) => {
    const list = refs.get(chainId) ?? [];
    if (!list.some((r) => r.size === ref.size && r.root === ref.root)) list.push(ref);
    refs.set(chainId, list);
  };
  for (const own of options.own) if (own.root) add(own.chainId, { size: own.size, root: own.root, source: 'this instance' });
  const view = await options.witness.read(options.tenant);
  for (const jws of view.chainHeads) {
    const verified = await verifyHead<ChainHead>(jws, options.keys, CHAIN_HEAD_TYP);
    if (!verified.ok) problems.push(problem('WITNESS_INVALID', null, null, `a witnessed chain head is ${verified.why}`));
    else if (verified.head.tenant === options.tenant) add(verified.head.chainId, { size: verified.head.size, root: verified.head.root, source: 'witness' });
  }
  for (const jws of view.tenantHeads) {
    const verified = await verifyHead<TenantHead>(jws, options.keys, TENANT_HEAD_TYP);
    if (!verified.ok) problems.push(problem('WITNESS_INVALID', null, null, `a witnessed tenant head is ${verified.why}`));
    else if (verified.head.tenant === options.tenant) for (const c of verified.head.chains) add(c.chainId, { size: c.size, root: c.root, source: 'verified head' });
  }
  return refs;
}

/**
 * Verifies every chain of a tenant — those in the store and those the witness or this instance
 * knows — against configured keys and the references outside the database. When everything holds,
 * signs a tenant head of what was verified and gives it to the witness: what an officer once saw
 * verified can never vanish unnoticed.
 */
export async function verifyTenant(options: VerifyTenantOptions): Promise<AuditVerification> {
  const now = options.now ?? new Date();
  const problems: AuditProblem[] = [];
  const refs = await references(options, problems);
  const stored = await options.store.events.distinct('chainId', { tenant: options.tenant });
  const chainIds = [...new Set([...stored, ...refs.keys()])].sort();
  const progress = options.progress ?? (() => null);
  const own = new Map(
    options.own.map((c): [string, OwnKnowledge] => [
      c.chainId,
      {
        get acked() {
          return Math.max(c.size, (c.open && progress(c.chainId)?.acked) || 0);
        },
        get assigned() {
          return Math.max(c.assigned, (c.open && progress(c.chainId)?.assigned) || 0);
        },
        open: c.open,
      },
    ]),
  );
  const grace = options.pendingGraceMs;
  const mayBePending = (chainId: string) => (first: number, stamped: { oldest: Date; newest: Date }): boolean => {
    const key = `${chainId}\u0000${first}`;
    const seen = options.firstSeenUncovered.get(key) ?? now.getTime();
    options.firstSeenUncovered.set(key, seen);
    // Stamped recently by their writer, and not seen uncovered by this verifier for longer than a write takes.
    return now.getTime() - seen <= grace && stamped.oldest.getTime() >= now.getTime() - grace && stamped.newest.getTime() <= now.getTime() + 5000;
  };
  const chains: ChainVerification[] = [];
  for (const chainId of chainIds) {
    chains.push(
      await verifyChain(
        options.store,
        { chainId, tenant: options.tenant, own: own.get(chainId) ?? null, references: refs.get(chainId) ?? [], mayBePending: mayBePending(chainId) },
        options.keys,
      ),
    );
  }
  problems.push(...chains.flatMap((c) => c.problems));
  const firstBroken = chains.find((c) => !c.ok);
  const ok = problems.length === 0;
  let head: string | null = null;
  if (ok) {
    const covered = chains.filter((c) => c.signedRoot !== null);
    head = await signTenantHead(options.signer, {
      tenant: options.tenant,
      at: now.toISOString(),
      chains: covered.map((c) => ({ chainId: c.chainId, size: c.lastCheckpointSeq, root: c.signedRoot! })),
    });
    await options.witness.verified(options.tenant, head);
  }
  return {
    ok,
    checkedEvents: chains.reduce((n, c) => n + c.checkedEvents, 0),
    checkedCheckpoints: chains.reduce((n, c) => n + c.checkedCheckpoints, 0),
    firstBrokenSeq: firstBroken?.firstBrokenSeq ?? null,
    brokenChainId: firstBroken?.chainId ?? (problems[0]?.chainId ?? null),
    reason: firstBroken?.reason ?? problems[0]?.detail ?? null,
    chains,
    problems,
    head,
  };
}
