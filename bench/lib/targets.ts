/**
 * The targets of issue #20, each judged at every connection level of the run: medians of this run,
 * ratios taken against the baseline measured in the same round at the same connections. A target
 * not met also says how far off it is, as the CPU the measured side would have to shed (`Gap`), for
 * "Where the time goes" (report-profiles.ts) to set against the profiles' buckets.
 */
import { aggregate, type Sample } from './aggregate.js';
import { fitCost, schemaPoints } from './schema-cost.js';
import { fmt, ratio, row } from './stats.js';

export interface TargetInput {
  readonly samples: readonly Sample[];
  readonly connections: readonly number[];
  readonly queries: readonly string[];
  readonly schemaSizes: readonly number[];
  readonly schemaRows: number;
}

/**
 * How far a target not met is, as the share `cut` that would have to go of:
 *   - 'request': the measured side's CPU per request (`cpuMs`: D's, or the governed type's); for a
 *     throughput target on the assumption that req/s is inversely proportional to CPU per request
 *     (a CPU-bound server);
 *   - 'value' / 'fixed': the synthetic type's governance CPU per value / fixed per request;
 *   - null: nothing the profiles can tell (a comparison between schema sizes they do not cover).
 */
export interface Gap {
  /** The query measured: 'q1', 'q4', or a schema-size point ('schema-50-10'). */
  readonly query: string;
  /** Values per request of a schema-size point, else null. */
  readonly values: number | null;
  readonly scope: 'request' | 'value' | 'fixed' | null;
  readonly cut: number;
  readonly cpuMs: number;
  readonly throughput: boolean;
}

interface Verdict {
  readonly measured: string;
  readonly met: boolean;
  /** Set when not met. */
  readonly gap?: Gap;
}

interface Target {
  readonly target: string;
  judge(connections: number): Verdict | null;
}

/**
 * A same-round ratio of `variant` to `baseline` on `query`, against `bound` (`pick` 'xCpu': at most,
 * 'xRps': at least).
 */
function ratioTarget(target: string, query: string, variant: string, baseline: string, pick: 'xRps' | 'xCpu', bound: number, samples: readonly Sample[]): Target {
  return {
    target,
    judge(connections) {
      const a = aggregate(samples, query, variant, baseline, connections);
      if (!a || !Number.isFinite(a[pick])) return null;
      const x = a[pick];
      const met = pick === 'xCpu' ? x <= bound : x >= bound;
      const cut = pick === 'xCpu' ? 1 - bound / x : 1 - x / bound;
      return { measured: ratio(x), met, ...(met ? {} : { gap: { query, values: null, scope: 'request', cut, cpuMs: a.cpu, throughput: pick === 'xRps' } }) };
    },
  };
}

/** A gap of the synthetic type as a whole (scope null: not one the profiles can explain). */
const SYNTHETIC: Gap = { query: 'synthetic', values: null, scope: null, cut: Number.NaN, cpuMs: Number.NaN, throughput: false };

function targetsOf(input: TargetInput): Target[] {
  const { samples } = input;
  const list: Target[] = [];
  for (const q of ['q1', 'q4'].filter((id) => input.queries.includes(id))) {
    list.push(ratioTarget(`${q}: D CPU per request ≤ 1.10× A`, q, 'D', 'A', 'xCpu', 1.1, samples));
    list.push(ratioTarget(`${q}: D throughput ≥ 0.90× A`, q, 'D', 'A', 'xRps', 0.9, samples));
  }
  const points = (connections: number) => schemaPoints(samples, input.schemaSizes, input.schemaRows, connections);
  list.push(
    {
      target: 'synthetic governed type: throughput ≥ 0.5× plain (the lowest of the schema-size points)',
      judge(connections) {
        const all = points(connections).filter((p) => Number.isFinite(p.governed.xRps));
        if (all.length === 0) return null;
        const worst = all.reduce((a, b) => (b.governed.xRps < a.governed.xRps ? b : a));
        const x = worst.governed.xRps;
        const gap: Gap = { query: worst.query, values: worst.values, scope: 'request', cut: 1 - x / 0.5, cpuMs: worst.governed.cpu, throughput: true };
        return { measured: `${ratio(x)} (${worst.query})`, met: x >= 0.5, ...(x >= 0.5 ? {} : { gap }) };
      },
    },
    {
      target: 'synthetic: governance CPU ≤ 1 µs per value (regression slope over the schema-size points)',
      judge(connections) {
        const fit = fitCost(points(connections));
        if (!fit) return null;
        const gap: Gap = { ...SYNTHETIC, scope: 'value', cut: 1 - 1 / fit.perValueUs };
        return { measured: `${fmt(fit.perValueUs, 2)} µs`, met: fit.perValueUs <= 1, ...(fit.perValueUs <= 1 ? {} : { gap }) };
      },
    },
    {
      target: 'synthetic: governance CPU ≤ 0.5 ms fixed per request (regression intercept)',
      judge(connections) {
        const fit = fitCost(points(connections));
        if (!fit) return null;
        const gap: Gap = { ...SYNTHETIC, scope: 'fixed', cut: 1 - 0.5 / fit.fixedMs };
        return { measured: `${fmt(fit.fixedMs, 2)} ms`, met: fit.fixedMs <= 0.5, ...(fit.fixedMs <= 0.5 ? {} : { gap }) };
      },
    },
    {
      target: 'synthetic: cost flat from 50 to 500 governed fields (same 10 fields × rows selected: governance CPU per request at 500 ≤ 1.10× at 50)',
      judge(connections) {
        const byQuery = new Map(points(connections).map((p) => [p.query, p]));
        const small = byQuery.get('schema-50-10');
        const large = byQuery.get('schema-500-10');
        if (!small || !large || !(small.governanceMs > 0)) return null;
        const x = large.governanceMs / small.governanceMs;
        return { measured: `${ratio(x)} (${fmt(small.governanceMs, 2)} → ${fmt(large.governanceMs, 2)} ms)`, met: x <= 1.1, ...(x <= 1.1 ? {} : { gap: SYNTHETIC }) };
      },
    },
  );
  for (const q of input.queries) list.push(ratioTarget(`${q}: D throughput ≥ C (Pothos scope-auth)`, q, 'D', 'C', 'xRps', 1, samples));
  for (const q of ['q1', 'q4'].filter((id) => input.queries.includes(id))) {
    list.push(ratioTarget(`${q}: D throughput ≥ 3.5× B (graphql-shield, default cache)`, q, 'D', 'B', 'xRps', 3.5, samples));
  }
  return list;
}


/** One row per target: measured value and verdict at each connection level, then a count per level. */
export function targetsTable(input: TargetInput): string[] {
  const targets = targetsOf(input);
  const lines = [
    row(['issue #20 target', ...input.connections.flatMap((c) => [`${c} connections`, ''])]),
    row(['---', ...input.connections.flatMap(() => ['---:', '---'])]),
  ];
  const held = new Map(input.connections.map((c) => [c, { met: 0, judged: 0 }]));
  for (const t of targets) {
    const cells = input.connections.flatMap((c) => {
      const v = t.judge(c);
      if (!v) return ['–', 'not measured'];
      const count = held.get(c)!;
      count.judged += 1;
      if (v.met) count.met += 1;
      return [v.measured, v.met ? '**met**' : '**not met**'];
    });
    lines.push(row([t.target, ...cells]));
  }
  lines.push('', `Held: ${input.connections.map((c) => `${held.get(c)!.met} of ${held.get(c)!.judged} at ${c} connections`).join('; ')}.`);
  return lines;
}

export interface UnmetTarget {
  readonly target: string;
  readonly connections: number;
  readonly measured: string;
  readonly gap: Gap;
}

/** Every target not met, at every connection level where it was judged, in table order. */
export function unmetTargets(input: TargetInput): UnmetTarget[] {
  return targetsOf(input).flatMap((t) =>
    input.connections.flatMap((connections) => {
      const v = t.judge(connections);
      return v && !v.met && v.gap ? [{ target: t.target, connections, measured: v.measured, gap: v.gap }] : [];
    }),
  );
}
