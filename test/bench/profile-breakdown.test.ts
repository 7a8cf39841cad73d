import { describe, expect, it } from 'vitest';
import { BUCKETS, breakdown, packageOf, type Bucket, type CpuProfile } from '../../bench/lib/profile-breakdown.js';

const ROOT = 'file:///repo/';
const src = (path: string): string => `${ROOT}src/${path}`;
const pkg = (path: string): string => `${ROOT}node_modules/${path}`;

type Frame = [id: number, functionName: string, url: string, children?: number[]];
/** A small profile: every leaf is sampled once, for as many µs as its `durations` entry. */
function profile(frames: Frame[], sampled: [leaf: number, durationUs: number][], root = ROOT): { profile: CpuProfile; root: string } {
  const startTime = 1_000_000;
  // timeDeltas[0] is start → first sample (not a sample's duration); each sample lasts until the next.
  const timeDeltas = [777, ...sampled.slice(0, -1).map(([, us]) => us)];
  const endTime = startTime + timeDeltas.reduce((a, b) => a + b, 0) + (sampled.at(-1)?.[1] ?? 0);
  return {
    profile: { nodes: frames.map(([id, functionName, url, children]) => ({ id, callFrame: { functionName, url }, children })), samples: sampled.map(([leaf]) => leaf), timeDeltas, startTime, endTime },
    root,
  };
}

const FRAMES: Frame[] = [
  [1, '(root)', '', [2, 3, 4, 5, 12, 20, 23, 24, 25, 26, 30, 32]],
  [2, '(garbage collector)', ''],
  [3, '(idle)', ''],
  [4, '(program)', ''],
  [5, 'processTicksAndRejections', 'node:internal/process/task_queues', [6, 9]],
  // A resolver's query: the driver frames nearer the leaf do not matter, the src frame does.
  [6, 'users', src('features/users/user.schema.ts'), [7]],
  [7, 'exec', pkg('mongoose/lib/query.js'), [8]],
  [8, 'serialize', pkg('bson/lib/bson.cjs')],
  // A shared helper (src/canonical-json.ts) takes its caller's bucket: the seal check, not decide.
  [9, 'decide', src('governance/decide.ts'), [10]],
  [10, 'verifySeal', src('governance/state-seal.ts'), [11]],
  [11, 'canonicalJson', src('canonical-json.ts')],
  [12, 'execute', pkg('@graphql-tools/executor/cjs/execution/execute.js'), [13, 15, 16]],
  [13, 'hashEvent', src('audit/canonical-hash.ts'), [14]],
  [14, 'digest', ''],
  [15, 'completeValue', pkg('@graphql-tools/executor/cjs/execution/execute.js')],
  // An unlisted package (tdigest) takes the bucket of the listed one that called it.
  [16, 'onExecuteDone', pkg('@envelop/prometheus/cjs/index.js'), [17]],
  [17, 'push', pkg('tdigest/tdigest.js')],
  [20, 'onStreamRead', 'node:internal/stream_base_commons', [21]],
  [21, 'onData', pkg('mongodb/lib/cmap/connection.js'), [22]],
  [22, 'deserialize', pkg('bson/lib/bson.cjs')],
  [23, 'listOnTimeout', 'node:internal/timers'],
  // A helper with no bucketed caller and no package: other.
  [24, 'paginateById', src('db/paginate.ts')],
  // Another checkout's src/ is not this repository's.
  [25, 'hashEvent', 'file:///elsewhere/src/audit/canonical-hash.ts'],
  // The innermost area wins over an outer one.
  [26, 'handOff', src('runtime/audit-hand-off.ts'), [27]],
  [27, 'decisions', src('runtime/request-governance.ts')],
  [30, 'handle', pkg('graphql-yoga/cjs/server.js'), [31]],
  [31, 'openContent', src('keys/open-content.ts')],
  // A native frame whose name is an Object.prototype key is no pseudo-frame.
  [32, 'constructor', ''],
];

const SAMPLES: [number, number][] = [
  [2, 100], // GC
  [3, 5000], // idle: left out
  [4, 3000], // program: left out
  [8, 11], // resolvers
  [11, 13], // subject state
  [14, 17], // audit
  [15, 19], // GraphQL execution
  [17, 23], // gateway plugins
  [22, 29], // database driver
  [23, 31], // other
  [24, 37], // other
  [25, 41], // other
  [27, 43], // governance
  [31, 47], // content decryption
  [8, 53], // resolvers again
  [32, 59], // other
  [2, 61], // GC, last sample: lasts until endTime
];

const EXPECTED: Partial<Record<Bucket, number>> = {
  GC: 161,
  'resolvers and their data': 64,
  'subject state (load, seal checks)': 13,
  'audit (event, hash, sign, insert, witness)': 17,
  'GraphQL execution': 19,
  'gateway plugins (auth, limits, metrics, logs)': 23,
  'database driver': 29,
  other: 31 + 37 + 41 + 59,
  'governance (plan, decisions, redaction)': 43,
  'content decryption': 47,
};

describe('profile breakdown', () => {
  it('attributes each sample by the innermost frame in a source area, else by package, and weighs it by its duration', () => {
    const { profile: p, root } = profile(FRAMES, SAMPLES);
    const result = breakdown(p, root);
    const total = Object.values(EXPECTED).reduce((a, b) => a + b, 0);
    expect(result.totalUs).toBe(total);
    expect(result.buckets.map((b) => b.bucket)).toEqual(BUCKETS);
    for (const b of result.buckets) {
      expect({ bucket: b.bucket, us: b.us }).toEqual({ bucket: b.bucket, us: EXPECTED[b.bucket] ?? 0 });
      expect(b.share).toBeCloseTo((EXPECTED[b.bucket] ?? 0) / total, 12);
    }
    expect(result.buckets.find((b) => b.bucket === 'HTTP and Yoga')?.us).toBe(0);
  });

  it("recognises this repository's src/ by default", () => {
    const own = new URL('../../src/audit/canonical-hash.ts', import.meta.url).href;
    const p: CpuProfile = { nodes: [{ id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2] }, { id: 2, callFrame: { functionName: 'hashEvent', url: own } }], samples: [2, 2], timeDeltas: [5, 10], startTime: 0, endTime: 25 };
    const result = breakdown(p);
    expect(result.totalUs).toBe(20);
    expect(result.buckets.find((b) => b.bucket === 'audit (event, hash, sign, insert, witness)')?.share).toBe(1);
  });

  it('names scoped and unscoped packages, nested node_modules included', () => {
    expect(packageOf(pkg('@whatwg-node/server/cjs/index.js'))).toBe('@whatwg-node/server');
    expect(packageOf(pkg('mongoose/node_modules/mongodb/lib/index.js'))).toBe('mongodb');
    expect(packageOf(src('audit/event.ts'))).toBeNull();
  });
});
