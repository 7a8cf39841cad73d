/**
 * Knobs of `npm run bench:replicas`, read once from the environment. BENCH_QUICK=1 is a smoke run
 * (~3 minutes); every value can still be set one by one.
 */
const quick = /^(1|true|yes)$/i.test(process.env.BENCH_QUICK ?? '');

function number(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`);
  return value;
}

export interface ReplicaSettings {
  readonly quick: boolean;
  /** Gateway counts measured, in order. Default 1,2,3. */
  readonly replicas: readonly number[];
  /** Users loaded (tenant `bench`). Default 10 000 (quick: 1000). */
  readonly users: number;
  /** Per measurement: warm-up and measured seconds, and rounds per gateway count. */
  readonly warmupS: number;
  readonly durationS: number;
  readonly rounds: number;
  /** autocannon connections in total, split evenly between the gateways. Default 24. */
  readonly connections: number;
  /** Distinct `service` callers the load cycles through. Default 8. */
  readonly callers: number;
  /**
   * The rate-limit check runs on gateways started for it with this limit per caller
   * (RATE_LIMIT_PER_SECOND / RATE_LIMIT_BURST) and sync interval; the throughput gateways share the
   * limit too, set out of reach (100 000/s, burst 1 000 000).
   */
  readonly ratePerSecond: number;
  readonly rateBurst: number;
  readonly rateSyncMs: number;
  /** Rate-limit check: one caller sends this many requests per second, round-robin, for this long. */
  readonly checkRate: number;
  readonly checkDurationS: number;
  /** Existing MongoDB; unset: bench/mongo (mongo-java-server with secondary indexes) is started. */
  readonly mongoUri: string | null;
  readonly dbName: string;
  readonly resultsFile: string;
}

export function loadReplicaSettings(): ReplicaSettings {
  const replicas = (process.env.BENCH_REPLICAS ?? '1,2,3').split(',').map((s) => Number(s.trim()));
  if (replicas.some((n) => !Number.isInteger(n) || n < 1 || n > 8)) throw new Error('BENCH_REPLICAS must list gateway counts from 1 to 8, e.g. 1,2,3');
  return Object.freeze({
    quick,
    replicas,
    users: number('BENCH_USERS', quick ? 1000 : 10_000, 1000),
    warmupS: number('BENCH_WARMUP_S', quick ? 2 : 5, 0),
    durationS: number('BENCH_DURATION_S', quick ? 5 : 15, 1),
    rounds: number('BENCH_ROUNDS', quick ? 1 : 2, 1),
    connections: number('BENCH_CONNECTIONS', 24, 1),
    callers: number('BENCH_CALLERS', 8, 1),
    ratePerSecond: number('BENCH_RATE_LIMIT_PER_SECOND', 20, 1),
    rateBurst: number('BENCH_RATE_LIMIT_BURST', 20, 1),
    rateSyncMs: number('BENCH_RATE_LIMIT_SYNC_MS', 250, 50),
    checkRate: number('BENCH_CHECK_RATE', 150, 1),
    checkDurationS: number('BENCH_CHECK_DURATION_S', quick ? 4 : 10, 1),
    mongoUri: process.env.MONGODB_URI || null,
    dbName: process.env.BENCH_DB_NAME || 'govgate_bench_replicas',
    resultsFile: process.env.BENCH_REPLICAS_FILE || new URL('../REPLICAS.md', import.meta.url).pathname,
  });
}
