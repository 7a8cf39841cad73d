/**
 * Every knob of `npm run bench`, read once from the environment. BENCH_QUICK=1 is a smoke run
 * (~5 minutes: 1000 users, one short round); every value can still be overridden one by one.
 */
const quick = /^(1|true|yes)$/i.test(process.env.BENCH_QUICK ?? '');

function int(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`);
  return value;
}

function ints(name: string, fallback: readonly number[]): readonly number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`${name} must be a comma list of integers ≥ 1, got "${raw}"`);
  return [...new Set(values)].sort((a, b) => a - b);
}

function list(name: string): string[] | null {
  const raw = process.env[name];
  if (!raw) return null;
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

export interface Settings {
  readonly quick: boolean;
  /** Users loaded (tenant `bench`). Default 10 000 (quick: 1000). */
  readonly users: number;
  /** Main comparison: warm-up and measured seconds per measurement, rounds. */
  readonly warmupS: number;
  readonly durationS: number;
  readonly rounds: number;
  /** Scaling sections (list size, schema size). */
  readonly scaleWarmupS: number;
  readonly scaleDurationS: number;
  readonly scaleRounds: number;
  /**
   * autocannon connections: every main query and the schema-size scaling are measured at each of
   * these, in the same rounds (default 5 and 20); the users-per-request scaling at
   * `scaleConnections` only (default 5: 1000-user requests are slow).
   */
  readonly connections: readonly number[];
  readonly scaleConnections: number;
  /** Only these main variants / queries (comma lists), e.g. BENCH_VARIANTS=A,D BENCH_QUERIES=q1. */
  readonly variants: string[] | null;
  readonly queries: string[] | null;
  /** Skip the scaling sections. */
  readonly skipScaling: boolean;
  /** Skip the profile phase ("Where the time goes"): BENCH_SKIP_PROFILE=1. */
  readonly skipProfile: boolean;
  /** Requests each profile measures (after as many warm-up requests, at most 500). Default 500 (quick: 100). */
  readonly profileRequests: number;
  /** Variants started with --cpu-prof (profiles in bench/profiles/), e.g. BENCH_CPU_PROF=D. */
  readonly cpuProf: string[];
  /** Existing MongoDB; unset: a mongo-java-server is started. */
  readonly mongoUri: string | null;
  /** Database the bench owns (dropped and reloaded at start). */
  readonly dbName: string;
  /** Where the report goes. */
  readonly resultsFile: string;
}

export function loadSettings(): Settings {
  return Object.freeze({
    quick,
    users: int('BENCH_USERS', quick ? 1000 : 10_000, 1000),
    warmupS: int('BENCH_WARMUP_S', quick ? 1 : 3),
    durationS: int('BENCH_DURATION_S', quick ? 2 : 8, 1),
    rounds: int('BENCH_ROUNDS', quick ? 1 : 3, 1),
    scaleWarmupS: int('BENCH_SCALE_WARMUP_S', quick ? 1 : 3),
    scaleDurationS: int('BENCH_SCALE_DURATION_S', quick ? 2 : 5, 1),
    scaleRounds: int('BENCH_SCALE_ROUNDS', quick ? 1 : 2, 1),
    connections: ints('BENCH_CONNECTIONS', [5, 20]),
    scaleConnections: int('BENCH_SCALE_CONNECTIONS', 5, 1),
    variants: list('BENCH_VARIANTS'),
    queries: list('BENCH_QUERIES'),
    skipScaling: /^(1|true|yes)$/i.test(process.env.BENCH_SKIP_SCALING ?? ''),
    skipProfile: /^(1|true|yes)$/i.test(process.env.BENCH_SKIP_PROFILE ?? ''),
    profileRequests: int('BENCH_PROFILE_REQUESTS', quick ? 100 : 500, 10),
    cpuProf: list('BENCH_CPU_PROF') ?? [],
    mongoUri: process.env.MONGODB_URI || null,
    dbName: process.env.BENCH_DB_NAME || 'govgate_bench',
    resultsFile: process.env.BENCH_RESULTS_FILE || new URL('../RESULTS.md', import.meta.url).pathname,
  });
}
