/**
 * The targets of issue #20, each judged at every connection level of the run: medians of this run,
 * ratios taken against the baseline measured in the same round at the same connections.
 */
import { aggregate, type Sample } from './aggregate.js';
import { fitCost, schemaPoints } from './schema-cost.js';
import { fmt, ratio } from './stats.js';

export interface TargetInput {
  readonly samples: readonly Sample[];
  readonly connections: readonly number[];
  readonly queries: readonly string[];
  readonly schemaSizes: readonly number[];
  readonly schemaRows: number;
}

interface Verdict {
  readonly measured: string;
  readonly met: boolean;
}

interface Target {
  readonly target: string;
  judge(connections: number): Verdict | null;
}

/** A same-round ratio of `variant` to `baseline` on `query`, against a bound. */
function ratioTarget(target: string, query: string, variant: string, baseline: string, pick: 'xRps' | 'xCpu', holds: (x: number) => boolean, samples: readonly Sample[]): Target {
  return {
    target,
    judge(connections) {
      const a = aggregate(samples, query, variant, baseline, connections);
      if (!a || !Number.isFinite(a[pick])) return null;
      return { measured: ratio(a[pick]), met: holds(a[pick]) };
    },
  };
}

function targetsOf(input: TargetInput): Target[] {
  const { samples } = input;
  const list: Target[] = [];
  for (const q of ['q1', 'q4'].filter((id) => input.queries.includes(id))) {
    list.push(ratioTarget(`${q}: D CPU per request ≤ 1.10× A`, q, 'D', 'A', 'xCpu', (x) => x <= 1.1, samples));
    list.push(ratioTarget(`${q}: D throughput ≥ 0.90× A`, q, 'D', 'A', 'xRps', (x) => x >= 0.9, samples));
  }
  const points = (connections: number) => schemaPoints(samples, input.schemaSizes, input.schemaRows, connections);
  list.push(
    {
      target: 'synthetic governed type: throughput ≥ 0.5× plain (the lowest of the schema-size points)',
      judge(connections) {
        const all = points(connections).filter((p) => Number.isFinite(p.governed.xRps));
        if (all.length === 0) return null;
        const worst = all.reduce((a, b) => (b.governed.xRps < a.governed.xRps ? b : a));
        return { measured: `${ratio(worst.governed.xRps)} (${worst.query})`, met: worst.governed.xRps >= 0.5 };
      },
    },
    {
      target: 'synthetic: governance CPU ≤ 1 µs per value (regression slope over the schema-size points)',
      judge(connections) {
        const fit = fitCost(points(connections));
        return fit ? { measured: `${fmt(fit.perValueUs, 2)} µs`, met: fit.perValueUs <= 1 } : null;
      },
    },
    {
      target: 'synthetic: governance CPU ≤ 0.5 ms fixed per request (regression intercept)',
      judge(connections) {
        const fit = fitCost(points(connections));
        return fit ? { measured: `${fmt(fit.fixedMs, 2)} ms`, met: fit.fixedMs <= 0.5 } : null;
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
        return { measured: `${ratio(x)} (${fmt(small.governanceMs, 2)} → ${fmt(large.governanceMs, 2)} ms)`, met: x <= 1.1 };
      },
    },
  );
  for (const q of input.queries) list.push(ratioTarget(`${q}: D throughput ≥ C (Pothos scope-auth)`, q, 'D', 'C', 'xRps', (x) => x >= 1, samples));
  for (const q of ['q1', 'q4'].filter((id) => input.queries.includes(id))) {
    list.push(ratioTarget(`${q}: D throughput ≥ 3.5× B (graphql-shield, default cache)`, q, 'D', 'B', 'xRps', (x) => x >= 3.5, samples));
  }
  return list;
}

const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

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
