/**
 * Where a request's CPU goes: a V8 CPU profile (`.cpuprofile`, as bench/profile.ts or --cpu-prof
 * writes it) turned into shares by bucket.
 *
 * Each sample is attributed by its stack (root → leaf):
 *   1. the frame nearest the leaf in one of this repository's source areas (AREAS) decides; source
 *      files outside those areas (src/db, src/canonical-json.ts, src/per-request.ts, …) are shared
 *      helpers and take the bucket of their nearest caller that has one;
 *   2. otherwise the frame nearest the leaf in a known package (PACKAGES) decides; packages not
 *      listed (lru-cache, dataloader, tdigest, …) take the bucket of the package that called them;
 *   3. otherwise "other" (Node internals alone, the microtask queue).
 * `(garbage collector)` is "GC"; `(idle)` and `(program)` (time V8 cannot attribute to a function)
 * are left out of the total. A sample lasts until the next one (DevTools' convention).
 */

export const BUCKETS = [
  'audit (event, hash, sign, insert, witness)',
  'subject state (load, seal checks)',
  'governance (plan, decisions, redaction)',
  'content decryption',
  'resolvers and their data',
  'gateway plugins (auth, limits, metrics, logs)',
  'GraphQL execution',
  'HTTP and Yoga',
  'database driver',
  'GC',
  'other',
] as const;
export type Bucket = (typeof BUCKETS)[number];

/** The buckets of govgate's governance code: a plain Yoga server (the bench's A) runs none of it. */
export const GOVERNANCE_BUCKETS: readonly Bucket[] = BUCKETS.slice(0, 3);

/** Repository-relative path prefixes, most specific first. */
const AREAS: readonly (readonly [string, Bucket])[] = [
  ['src/audit/', 'audit (event, hash, sign, insert, witness)'],
  ['src/runtime/audit-hand-off.ts', 'audit (event, hash, sign, insert, witness)'],
  ['src/runtime/subject-state.ts', 'subject state (load, seal checks)'],
  ['src/governance/state-seal.ts', 'subject state (load, seal checks)'],
  ['src/governance/verified-seals.ts', 'subject state (load, seal checks)'],
  ['src/governance/', 'governance (plan, decisions, redaction)'],
  ['src/runtime/', 'governance (plan, decisions, redaction)'],
  ['src/keys/', 'content decryption'],
  ['src/features/', 'resolvers and their data'],
  // The synthetic schema-size type's resolvers and in-memory rows play src/features' part.
  ['bench/lib/synthetic-schema.ts', 'resolvers and their data'],
  ['src/plugins/', 'gateway plugins (auth, limits, metrics, logs)'],
  ['src/auth/', 'gateway plugins (auth, limits, metrics, logs)'],
  ['src/security/', 'gateway plugins (auth, limits, metrics, logs)'],
  ['src/metrics.ts', 'gateway plugins (auth, limits, metrics, logs)'],
  ['src/request-meta.ts', 'gateway plugins (auth, limits, metrics, logs)'],
];

/** npm package names (or `@scope/` prefixes), most specific first. */
const PACKAGES: readonly (readonly [string, Bucket])[] = [
  // The gateway's metrics, tracing, limits and token verification, wired by src/plugins and src/auth.
  ['@envelop/prometheus', 'gateway plugins (auth, limits, metrics, logs)'],
  ['@graphql-yoga/plugin-prometheus', 'gateway plugins (auth, limits, metrics, logs)'],
  ['prom-client', 'gateway plugins (auth, limits, metrics, logs)'],
  ['@envelop/opentelemetry', 'gateway plugins (auth, limits, metrics, logs)'],
  ['@opentelemetry/', 'gateway plugins (auth, limits, metrics, logs)'],
  ['@escape.tech/', 'gateway plugins (auth, limits, metrics, logs)'],
  ['pino', 'gateway plugins (auth, limits, metrics, logs)'],
  ['jose', 'gateway plugins (auth, limits, metrics, logs)'],
  ['graphql', 'GraphQL execution'],
  // Yoga executes with @graphql-tools/executor; Pothos wraps the resolvers.
  ['@graphql-tools/', 'GraphQL execution'],
  ['@pothos/', 'GraphQL execution'],
  ['graphql-yoga', 'HTTP and Yoga'],
  ['@graphql-yoga/', 'HTTP and Yoga'],
  ['@whatwg-node/', 'HTTP and Yoga'],
  ['@envelop/', 'HTTP and Yoga'],
  ['mongodb', 'database driver'],
  ['bson', 'database driver'],
  ['mongoose', 'database driver'],
  ['mquery', 'database driver'],
  ['kareem', 'database driver'],
  ['mpath', 'database driver'],
];

/** The parts of a `.cpuprofile` read here. */
export interface CpuProfile {
  readonly nodes: readonly { id: number; callFrame: { functionName: string; url: string }; children?: readonly number[] }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface Breakdown {
  /** Sampled time attributed to a bucket (µs), `(idle)` and `(program)` left out. */
  readonly totalUs: number;
  /** Every bucket, in BUCKETS order: sampled µs and share of totalUs. */
  readonly buckets: readonly { bucket: Bucket; us: number; share: number }[];
}

/** V8's pseudo-frames: null leaves the sample out of the total. */
const SPECIAL: Readonly<Record<string, Bucket | null>> = { '(garbage collector)': 'GC', '(idle)': null, '(program)': null };

const repoRoot = new URL('../../', import.meta.url).href;

/** `@scope/name` or `name` of the package a `…/node_modules/…` URL belongs to, or null. */
export function packageOf(url: string): string | null {
  const at = url.lastIndexOf('/node_modules/');
  if (at < 0) return null;
  const [first = '', second = ''] = url.slice(at + '/node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

function areaOf(url: string, root: string): Bucket | null {
  if (!url.startsWith(root) || url.includes('/node_modules/')) return null;
  const path = url.slice(root.length);
  return AREAS.find(([prefix]) => path.startsWith(prefix))?.[1] ?? null;
}

function packageBucket(url: string): Bucket | null {
  const name = packageOf(url);
  if (name === null) return null;
  return PACKAGES.find(([p]) => (p.endsWith('/') ? name.startsWith(p) : name === p))?.[1] ?? null;
}

/**
 * Shares of `profile`'s sampled time by bucket. `root`: the repository's file URL with a trailing
 * slash (default: the one this module is in), to tell its `src/` from another checkout's.
 */
export function breakdown(profile: CpuProfile, root: string = repoRoot): Breakdown {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const childIds = new Set(profile.nodes.flatMap((n) => n.children ?? []));
  // Top-down: a node's nearest source area / known package is its own, or else its parent's.
  const bucketOf = new Map<number, Bucket | null>();
  const visit = (id: number, area: Bucket | null, pkg: Bucket | null): void => {
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url } = node.callFrame;
    const ownArea = areaOf(url, root) ?? area;
    const ownPkg = packageBucket(url) ?? pkg;
    bucketOf.set(id, url === '' && Object.hasOwn(SPECIAL, functionName) ? (SPECIAL[functionName] as Bucket | null) : (ownArea ?? ownPkg ?? 'other'));
    for (const child of node.children ?? []) visit(child, ownArea, ownPkg);
  };
  for (const node of profile.nodes) if (!childIds.has(node.id)) visit(node.id, null, null);

  const us = new Map<Bucket, number>(BUCKETS.map((b) => [b, 0]));
  let totalUs = 0;
  const { samples, timeDeltas } = profile;
  const lastAt = profile.startTime + timeDeltas.reduce((sum, d) => sum + d, 0);
  for (let i = 0; i < samples.length; i += 1) {
    const bucket = bucketOf.get(samples[i] as number);
    if (!bucket) continue;
    const duration = i + 1 < samples.length ? (timeDeltas[i + 1] as number) : Math.max(0, profile.endTime - lastAt);
    us.set(bucket, (us.get(bucket) as number) + duration);
    totalUs += duration;
  }
  return { totalUs, buckets: BUCKETS.map((bucket) => ({ bucket, us: us.get(bucket) as number, share: totalUs > 0 ? (us.get(bucket) as number) / totalUs : 0 })) };
}
