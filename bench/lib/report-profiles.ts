/**
 * RESULTS.md's "Where the time goes": the profile phase's CPU by bucket per query, the buckets that
 * exist only because of governance, and every target not met set against them. Everything below
 * the method paragraph is computed from this run's numbers.
 */
import { aggregate, type Sample } from './aggregate.js';
import { GOVERNANCE_BUCKETS, type Bucket } from './profile-breakdown.js';
import type { ProfileFailure, ProfileResult } from './profile-phase.js';
import { fmt, row } from './stats.js';
import type { UnmetTarget } from './targets.js';

export interface ProfilesInput {
  /** null: the phase was skipped (BENCH_SKIP_PROFILE=1). */
  readonly profiles: readonly ProfileResult[] | null;
  readonly failures: readonly ProfileFailure[];
  readonly unmet: readonly UnmetTarget[];
  readonly samples: readonly Sample[];
  readonly connections: readonly number[];
  readonly users: number;
  readonly dbName: string;
  /** Requests profiled per case. */
  readonly requests: number;
}

/** A bucket's part of some total: µs per request, or per value. */
interface Part {
  readonly bucket: Bucket;
  readonly amount: number;
}

const pct = (share: number): string => `${fmt(share * 100, 0)} %`;
const isGovernance = (bucket: Bucket): boolean => GOVERNANCE_BUCKETS.includes(bucket);
const mark = (bucket: Bucket): string => (isGovernance(bucket) ? `${bucket} †` : bucket);
const usOf = (p: ProfileResult | undefined, bucket: Bucket): number => p?.buckets.find((b) => b.bucket === bucket)?.usPerReq ?? 0;
const partsOf = (p: ProfileResult): Part[] => p.buckets.map((b) => ({ bucket: b.bucket, amount: b.usPerReq }));
const sum = (parts: readonly Part[]): number => parts.reduce((total, p) => total + p.amount, 0);

/**
 * How a cut of `cut` (share of the measured side's cost) compares with the governance buckets'
 * share of the profiled cost `parts`: what part of them would have to go, or what is left after all.
 */
function explain(cut: number, parts: readonly Part[], where: string): string {
  const total = sum(parts);
  if (!(total > 0)) return `${where} shows no such cost`;
  const g = sum(parts.filter((p) => isGovernance(p.bucket))) / total;
  if (g >= cut) return `the governance buckets are ${pct(g)} of ${where}: cutting them by ${pct(cut / g)} would do it`;
  const others = parts.filter((p) => !isGovernance(p.bucket) && p.amount > 0).sort((a, b) => b.amount - a.amount).slice(0, 3);
  return `more than the governance buckets' ${pct(g)} of ${where}: cutting them alone cannot close it, another ${pct(cut - g)} would have to go elsewhere; the largest other buckets there: ${others.map((p) => `${p.bucket} ${pct(p.amount / total)}`).join(', ')}`;
}

function queryTable(p: ProfileResult): string[] {
  return [
    row(['bucket', 'µs/request', 'share']),
    row(['---', '---:', '---:']),
    ...p.buckets.map((b) => row([mark(b.bucket), String(b.usPerReq), `${fmt(b.share * 100, 1)} %`])),
    row(['**total**', `**${p.cpuUsPerReq}**`, '100 %']),
  ];
}

/** D on a query: its table, its governance buckets, and D − A as measured in the same run. */
function querySection(p: ProfileResult, input: ProfilesInput): string[] {
  const gov = p.buckets.filter((b) => isGovernance(b.bucket));
  const g = gov.reduce((total, b) => total + b.share, 0);
  const lines = [`### ${p.id} (D)`, '', ...queryTable(p), ''];
  lines.push(
    `Only because of governance (†): ${gov.map((b) => `${b.bucket} ${pct(b.share)}`).join(', ')} — ${pct(g)} of the profile, ${gov.reduce((t, b) => t + b.usPerReq, 0)} µs/request. A runs none of govgate's audit, subject-state or governance code on its request path${p.id === 'q4' ? ' (it reads the same consent records in its own resolvers: bench/servers/peer-consent.ts)' : ''}. Measured above:`,
    '',
  );
  for (const c of input.connections) {
    const d = aggregate(input.samples, p.id, 'D', 'A', c);
    const a = aggregate(input.samples, p.id, 'A', 'A', c);
    if (!d || !a || !Number.isFinite(d.cpu) || !Number.isFinite(a.cpu)) continue;
    lines.push(`- ${c} connections: D ${fmt(d.cpu, 2)} ms of CPU per request, A ${fmt(a.cpu, 2)} ms, D − A ${fmt(d.cpu - a.cpu, 2)} ms; the governance buckets' ${pct(g)} of D's ${fmt(d.cpu, 2)} ms is ${fmt(g * d.cpu, 2)} ms.`);
  }
  return [...lines, ''];
}

/** A schema-size point: governed next to plain, and the difference per bucket. */
function pointSection(governed: ProfileResult, plain: ProfileResult | undefined): string[] {
  const values = governed.values ?? Number.NaN;
  const lines = [`### Synthetic type, ${governed.id} (${values} values per request)`, ''];
  if (!plain) return [...lines, ...queryTable(governed), '', 'Its plain counterpart was not profiled.', ''];
  lines.push(
    row(['bucket', 'governed µs/request', 'share', 'plain µs/request', 'share', 'governed − plain µs/request']),
    row(['---', '---:', '---:', '---:', '---:', '---:']),
    ...governed.buckets.map((b) => {
      const share = plain.buckets.find((x) => x.bucket === b.bucket)?.share ?? 0;
      return row([mark(b.bucket), String(b.usPerReq), `${fmt(b.share * 100, 1)} %`, String(usOf(plain, b.bucket)), `${fmt(share * 100, 1)} %`, String(b.usPerReq - usOf(plain, b.bucket))]);
    }),
    row(['**total**', `**${governed.cpuUsPerReq}**`, '100 %', `**${plain.cpuUsPerReq}**`, '100 %', `**${governed.cpuUsPerReq - plain.cpuUsPerReq}**`]),
    '',
  );
  const only = governed.buckets.filter((b) => b.usPerReq > 0 && usOf(plain, b.bucket) === 0);
  lines.push(`Only in the governed type (0 µs in the plain one): ${only.length ? only.map((b) => `${b.bucket} ${b.usPerReq} µs`).join(', ') : 'none'}.`, '');
  return lines;
}

/** Governed − plain per bucket at two schema-size points, split as the bench's regression is: per value and fixed. */
interface CostSplit {
  readonly perValue: Part[];
  readonly fixed: Part[];
  readonly points: string;
}

function costSplit(profiles: readonly ProfileResult[]): CostSplit | null {
  const pairs = profiles
    .filter((p) => p.variant === 'governed' && p.values !== null)
    .flatMap((g) => {
      const plain = profiles.find((p) => p.variant === 'plain' && p.id === g.id);
      return plain ? [{ id: g.id, values: g.values as number, diff: g.buckets.map((b) => ({ bucket: b.bucket, amount: b.usPerReq - usOf(plain, b.bucket) })) }] : [];
    })
    .sort((a, b) => a.values - b.values);
  const small = pairs[0];
  const large = pairs.at(-1);
  if (!small || !large || small.values === large.values) return null;
  const perValue = large.diff.map((d, i) => ({ bucket: d.bucket, amount: (d.amount - (small.diff[i]?.amount ?? 0)) / (large.values - small.values) }));
  const fixed = small.diff.map((d, i) => ({ bucket: d.bucket, amount: d.amount - small.values * (perValue[i]?.amount ?? 0) }));
  return { perValue, fixed, points: `${small.id} and ${large.id}` };
}

function costSection(split: CostSplit): string[] {
  return [
    `### Synthetic type: governance CPU per value and fixed per request, by bucket`,
    '',
    `Governed − plain at ${split.points}, per bucket, through the two points (as the bench's regression through its measured points).`,
    '',
    row(['bucket', 'µs per value', 'fixed µs per request']),
    row(['---', '---:', '---:']),
    ...split.perValue.map((p, i) => row([mark(p.bucket), fmt(p.amount, 3), fmt(split.fixed[i]?.amount, 0)])),
    row(['**total**', `**${fmt(sum(split.perValue), 3)}**`, `**${fmt(sum(split.fixed), 0)}**`]),
    '',
  ];
}

/** One clause for one connection level of a target not met. */
function gapClause(u: UnmetTarget, profiles: readonly ProfileResult[], split: CostSplit | null): string {
  const { gap } = u;
  const at = `${u.connections} connections, ${u.measured}`;
  if (gap.scope === null) return `${at}: not profiled (the profiles are at one schema size)`;
  if (gap.scope === 'value' || gap.scope === 'fixed') {
    if (!split) return `${at}: not profiled (two schema-size points, governed and plain, are needed)`;
    const parts = gap.scope === 'value' ? split.perValue : split.fixed;
    const what = gap.scope === 'value' ? `${fmt(sum(parts), 2)} µs per value` : `${fmt(sum(parts) / 1000, 2)} ms fixed per request`;
    return `${at}: governance CPU ${gap.scope === 'value' ? 'per value' : 'fixed per request'} would have to fall by ${pct(gap.cut)}; in the profiles it is ${what}: ${explain(gap.cut, parts, 'it')}`;
  }
  const synthetic = gap.values !== null;
  const candidates = profiles.filter((p) => (synthetic ? p.variant === 'governed' && p.values !== null : p.variant === 'D' && p.id === gap.query));
  const profile = synthetic ? [...candidates].sort((a, b) => Math.abs((a.values as number) - (gap.values as number)) - Math.abs((b.values as number) - (gap.values as number)))[0] : candidates[0];
  if (!profile) return `${at}: ${gap.query} was not profiled`;
  const who = synthetic ? 'the governed type' : 'D';
  const need = `${who} would need ${pct(gap.cut)} less CPU per request (${fmt(gap.cut * gap.cpuMs, 2)} of ${fmt(gap.cpuMs, 2)} ms)${gap.throughput ? ', if its req/s follows its CPU per request' : ''}`;
  const where = `the ${profile.id}${synthetic ? ' governed' : ''} profile${profile.id === gap.query ? '' : ` (the profiled point nearest ${gap.query} in values per request)`}`;
  return `${at}: ${need}; ${explain(gap.cut, partsOf(profile), where)}`;
}

function unmetSection(input: ProfilesInput, profiles: readonly ProfileResult[], split: CostSplit | null): string[] {
  const lines = ['### Targets not met, against the profiles', ''];
  if (input.unmet.length === 0) return [...lines, 'Every target judged in this run was met.', ''];
  for (const target of new Set(input.unmet.map((u) => u.target))) {
    lines.push(`- **${target}**`, ...input.unmet.filter((u) => u.target === target).map((u) => `  - ${gapClause(u, profiles, split)}.`));
  }
  return [...lines, ''];
}

export function profilesSection(input: ProfilesInput): string[] {
  const out = ['## Where the time goes', ''];
  const { profiles } = input;
  if (profiles === null) return [...out, 'Not profiled in this run (BENCH_SKIP_PROFILE=1).', ''];
  if (profiles.length === 0 && input.failures.length === 0) return [...out, 'Nothing to profile in this run: D was not measured, and the scaling sections were skipped.', ''];
  out.push(
    `After the measurements, bench/profile.ts ran once per case below, alone (the database server idle): createGateway as D runs it, or the synthetic type governed and plain, with ${input.users} users loaded into a database of its own (\`${input.dbName}_profile\`), requests sent in process through \`yoga.fetch\` (no HTTP server; the load driver shares the process), ${input.requests} requests profiled after a warm-up (V8 sampling profiler, main thread). Each sample goes to a bucket by its stack (bench/lib/profile-breakdown.ts: the innermost frame in one of govgate's source areas decides, else the innermost known package); µs/request is the bucket's share of the sampled time × the process's CPU per request (all threads). Totals differ from the measurements above (no HTTP server, no network): the shares are what carries over. † marks the buckets of govgate's governance code. GC, the database driver (encoding queries, decoding every reply, whoever asked) and "other" are shared: they include governance's garbage and its reads of subject state in proportions a sampling profile cannot tell apart.`,
    '',
  );
  for (const f of input.failures) out.push(`- **${f.id} ${f.variant}: not profiled** — ${f.error}`);
  if (input.failures.length) out.push('');
  for (const p of profiles.filter((x) => x.variant === 'D')) out.push(...querySection(p, input));
  for (const g of profiles.filter((x) => x.variant === 'governed')) out.push(...pointSection(g, profiles.find((p) => p.variant === 'plain' && p.id === g.id)));
  const split = costSplit(profiles);
  if (split) out.push(...costSection(split));
  out.push(...unmetSection(input, profiles, split));
  return out;
}
