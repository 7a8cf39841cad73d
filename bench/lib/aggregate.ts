/** One measurement, and the medians over rounds the report is made of. */
import { median } from './stats.js';

export interface Sample {
  readonly section: 'main' | 'list' | 'schema';
  readonly query: string;
  readonly variant: string;
  readonly round: number;
  /** autocannon connections of this measurement. */
  readonly connections: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Server process CPU (user + system) per completed request, ms. */
  readonly cpuMsPerReq: number | null;
  /** MongoDB process CPU per request, ms (only when the bench started the database). */
  readonly dbCpuMsPerReq: number | null;
  readonly requests: number;
  /** Transport errors, non-2xx, GraphQL errors seen under load. */
  readonly failures: readonly string[];
  /** Audit events the database gained during the measurement (govgate variants). */
  readonly auditEvents: number | null;
  /** Machine CPU used by anything but the server, database and load generator, % of all cores. */
  readonly foreignCpuPct: number | null;
}

export interface Aggregate {
  rps: number;
  p50: number;
  p99: number;
  cpu: number;
  db: number;
  /** Median over rounds of (rps / baseline rps in the same round and at the same connections). */
  xRps: number;
  /** Median over rounds of (CPU per request / baseline CPU per request, same round and connections). */
  xCpu: number;
  rounds: number;
  failures: string[];
  auditPerRequest: number;
}

/** Medians of `variant` on `query` at `connections`, and its same-round ratios to `baseline`. */
export function aggregate(samples: readonly Sample[], query: string, variant: string, baseline: string, connections: number): Aggregate | null {
  const at = samples.filter((s) => s.query === query && s.connections === connections);
  const mine = at.filter((s) => s.variant === variant);
  if (mine.length === 0) return null;
  const base = new Map(at.filter((s) => s.variant === baseline).map((s) => [s.round, s]));
  const ratios = (pick: (s: Sample) => number | null): number[] =>
    mine.flatMap((s) => {
      const b = base.get(s.round);
      const mineValue = pick(s);
      const baseValue = b ? pick(b) : null;
      return mineValue !== null && baseValue !== null && baseValue > 0 ? [mineValue / baseValue] : [];
    });
  const audited = mine.filter((s) => s.auditEvents !== null && s.requests > 0);
  return {
    rps: median(mine.map((s) => s.rps)),
    p50: median(mine.map((s) => s.p50)),
    p99: median(mine.map((s) => s.p99)),
    cpu: median(mine.map((s) => s.cpuMsPerReq ?? Number.NaN)),
    db: median(mine.map((s) => s.dbCpuMsPerReq ?? Number.NaN)),
    xRps: median(ratios((s) => s.rps)),
    xCpu: median(ratios((s) => s.cpuMsPerReq)),
    rounds: mine.length,
    failures: mine.flatMap((s) => s.failures),
    auditPerRequest: audited.length ? median(audited.map((s) => (s.auditEvents ?? 0) / s.requests)) : Number.NaN,
  };
}
