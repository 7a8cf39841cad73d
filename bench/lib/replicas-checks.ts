/**
 * What `npm run bench:replicas` checks after each gateway count, beyond throughput:
 *
 * - the audit log: `verifyAuditLog` through every instance as a compliance officer. Each must
 *   answer ok with a signed tenant head (checked against the instance's published keys) that
 *   covers every event stored when it was asked (and none that was not stored by its answer), on
 *   every instance's chains; heads of different
 *   instances must agree on every chain they share (same size → same root, never shrinking).
 *   Each call is itself audited (one event on the answering instance's chain), so the k-th head
 *   covers exactly one more event than the (k−1)-th;
 * - the shared rate limit: one caller sends at a fixed rate, round-robin over every instance, and
 *   the admitted total must stay within burst + rate × time + the documented sync slack (and,
 *   reported but not required, not far below burst + rate × time: a starved machine admits late).
 */
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { TENANT_HEAD_TYP, verifyHead, type TenantHead } from '../../src/audit/tree-head.js';

const VERIFY = '{ verifyAuditLog { ok checkedEvents head problems { kind detail } chains { chainId ok status lastSeq lastCheckpointSeq } } }';

interface Verification {
  ok: boolean;
  checkedEvents: number;
  head: string | null;
  problems: { kind: string; detail: string }[];
  chains: { chainId: string; ok: boolean; status: string; lastSeq: number; lastCheckpointSeq: number }[];
}

export interface InstanceVerification {
  readonly ok: boolean;
  readonly checkedEvents: number;
  readonly chains: number;
  /** Events stored (tenant bench) just before this instance was asked. */
  readonly storedBefore: number;
  /** Events the signed head covers (sum of its chain sizes). */
  readonly headEvents: number;
  /** Distinct instances whose chains the head covers (the part of a chain id before the first ':'). */
  readonly headInstances: number;
}

export interface AuditCheck {
  readonly instances: readonly InstanceVerification[];
  readonly passed: boolean;
  readonly problems: readonly string[];
}

const graphql = async (url: string, token: string, query: string): Promise<{ status: number; json: { data?: Record<string, unknown> | null; errors?: { message: string }[] } }> => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
  return { status: response.status, json: (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string }[] } };
};

/**
 * Verifies the tenant's audit log through every instance in turn. `storedByChain` counts the
 * tenant's events in the database per chain; `gateways` are the /graphql URLs of the running instances.
 */
export async function checkAuditAcrossInstances(gateways: readonly string[], officerToken: string, storedByChain: () => Promise<Map<string, number>>): Promise<AuditCheck> {
  const problems: string[] = [];
  const instances: InstanceVerification[] = [];
  const heads: TenantHead[] = [];
  for (const [i, url] of gateways.entries()) {
    const stored = await storedByChain();
    const storedBefore = [...stored.values()].reduce((a, b) => a + b, 0);
    const { status, json } = await graphql(url, officerToken, VERIFY);
    const v = json.data?.verifyAuditLog as Verification | undefined;
    if (status !== 200 || !v) {
      problems.push(`gateway ${i + 1}: verifyAuditLog answered ${status} ${json.errors?.map((e) => e.message).join('; ') ?? ''}`);
      continue;
    }
    if (!v.ok) problems.push(`gateway ${i + 1}: not ok: ${v.problems.map((p) => `${p.kind} ${p.detail}`).join('; ')}`);
    const broken = v.chains.filter((c) => !c.ok);
    if (broken.length) problems.push(`gateway ${i + 1}: ${broken.length} chain(s) do not verify`);
    let head: TenantHead | null = null;
    if (!v.head) problems.push(`gateway ${i + 1}: no tenant head`);
    else {
      const jwks = (await (await fetch(new URL('/.well-known/jwks.json', url))).json()) as JSONWebKeySet;
      const verified = await verifyHead<TenantHead>(v.head, createLocalJWKSet(jwks), TENANT_HEAD_TYP);
      if (!verified.ok) problems.push(`gateway ${i + 1}: tenant head ${verified.why}`);
      else head = verified.head;
    }
    const headEvents = head ? head.chains.reduce((n, c) => n + c.size, 0) : 0;
    const headInstances = head ? new Set(head.chains.map((c) => c.chainId.split(':')[0])).size : 0;
    if (head) {
      heads.push(head);
      // Requests still in flight may add events between the count and the verification: never fewer than stored before, never more than stored after.
      const storedAfter = [...(await storedByChain()).values()].reduce((a, b) => a + b, 0);
      if (headEvents < storedBefore || headEvents > storedAfter) {
        const differ = [...new Set([...stored.keys(), ...head.chains.map((c) => c.chainId)])]
          .map((chainId) => ({ chainId, stored: stored.get(chainId) ?? 0, covered: head.chains.find((c) => c.chainId === chainId)?.size ?? 0 }))
          .filter((c) => c.stored !== c.covered);
        problems.push(`gateway ${i + 1}: its head covers ${headEvents} events; ${storedBefore} were stored before it was asked, ${storedAfter} after (${differ.slice(0, 4).map((c) => `${c.chainId}: ${c.covered} covered, ${c.stored} stored before`).join('; ')})`);
      }
      if (headInstances !== gateways.length) problems.push(`gateway ${i + 1}: its head covers the chains of ${headInstances} instance(s), ${gateways.length} are running`);
    }
    instances.push({ ok: v.ok, checkedEvents: v.checkedEvents, chains: v.chains.length, storedBefore, headEvents, headInstances });
  }
  // Every pair of heads agrees on each chain both cover: a later head never shrinks a chain, and equal sizes have equal roots.
  for (let k = 1; k < heads.length; k += 1) {
    const earlier = new Map(heads[k - 1]!.chains.map((c) => [c.chainId, c]));
    for (const chain of heads[k]!.chains) {
      const before = earlier.get(chain.chainId);
      if (!before) continue;
      if (chain.size < before.size) problems.push(`chain ${chain.chainId}: head ${k + 1} covers ${chain.size} events, head ${k} covered ${before.size}`);
      if (chain.size === before.size && chain.root !== before.root) problems.push(`chain ${chain.chainId}: heads ${k} and ${k + 1} disagree on the root at size ${chain.size}`);
    }
    for (const chainId of earlier.keys()) if (!heads[k]!.chains.some((c) => c.chainId === chainId)) problems.push(`chain ${chainId}: in head ${k}, missing from head ${k + 1}`);
  }
  return { instances, passed: problems.length === 0 && instances.length === gateways.length, problems };
}

export interface RateCheck {
  readonly sent: number;
  readonly sendRate: number;
  /** First send to last response, seconds: the longest time the admitted requests can span. */
  readonly spanS: number;
  readonly admitted: number;
  readonly limited: number;
  readonly other: number;
  /** burst + rate × span: what one shared token bucket admits. */
  readonly ideal: number;
  /** ideal + the documented slack: (N−1)/N × rate × (2 × sync interval + 250 ms for the sync itself). */
  readonly bound: number;
  /** What N independent per-process limits would admit: N × burst + N × rate × span (capped at what was sent). */
  readonly perProcess: number;
  /** Within the bound, and every request answered 200 or 429. */
  readonly passed: boolean;
  /** Admitted at least 90% of rate × span: informational (an overloaded machine delays admissions past the window). */
  readonly notTooStrict: boolean;
}

export interface RateCheckOptions {
  readonly gateways: readonly string[];
  readonly token: string;
  readonly sendRate: number;
  readonly durationS: number;
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly syncMs: number;
}

/** One caller, open loop at `sendRate`, round-robin over the gateways, `{ __typename }` (no database, no audit). */
export async function checkSharedRateLimit(o: RateCheckOptions): Promise<RateCheck> {
  const total = Math.round(o.sendRate * o.durationS);
  const started = performance.now();
  let lastResponse = started;
  const statuses: Promise<number>[] = [];
  for (let i = 0; i < total; i += 1) {
    const wait = started + (i * 1000) / o.sendRate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    statuses.push(
      fetch(o.gateways[i % o.gateways.length]!, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${o.token}` }, body: '{"query":"{ __typename }"}' }).then(
        async (response) => {
          await response.arrayBuffer();
          lastResponse = Math.max(lastResponse, performance.now());
          return response.status;
        },
        () => -1,
      ),
    );
  }
  const done = await Promise.all(statuses);
  const spanS = (lastResponse - started) / 1000;
  const n = o.gateways.length;
  const admitted = done.filter((s) => s === 200).length;
  const limited = done.filter((s) => s === 429).length;
  const ideal = o.burst + o.ratePerSecond * spanS;
  const bound = Math.ceil(ideal + ((n - 1) / n) * o.ratePerSecond * ((2 * o.syncMs + 250) / 1000));
  return {
    sent: total,
    sendRate: o.sendRate,
    spanS,
    admitted,
    limited,
    other: total - admitted - limited,
    ideal,
    bound,
    perProcess: Math.min(total, Math.round(n * ideal)),
    passed: admitted <= bound && admitted + limited === total,
    notTooStrict: admitted >= Math.floor(0.9 * o.ratePerSecond * spanS),
  };
}
