import { h, svg } from './dom.js';
import type { Bucket, DecisionStat } from './queries.js';
import { DAY_MS, HOUR_MS, utc } from './time.js';

/** Distinct on white and for the common colour-vision deficiencies (Okabe–Ito, then greys). */
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#d55e00', '#56b4e9', '#f0e442', '#000000', '#7f7f7f', '#b3b3b3', '#5d3a9b', '#8c564b'];

const WIDTH = 760;
const HEIGHT = 300;
const M = { top: 12, right: 12, bottom: 44, left: 48 };

export const seriesOf = (s: Pick<DecisionStat, 'decision' | 'reason'>): string => (s.reason ? `${s.decision} \u00b7 ${s.reason}` : s.decision);

const ORDER = { ALLOW: 0, REDACT: 1, DENY: 2 } as const;

/**
 * Decisions by reason over time as stacked bars, one bar per bucket of [from, to) (empty ones
 * too, so time reads evenly), drawn as inline SVG: no library, no script beyond this page's own.
 */
export function decisionChart(rows: readonly DecisionStat[], from: Date, to: Date, bucket: Bucket): { chart: SVGElement; legend: HTMLElement; total: number } {
  const size = bucket === 'HOUR' ? HOUR_MS : DAY_MS;
  const starts: number[] = [];
  for (let t = Math.floor(from.getTime() / size) * size; t < to.getTime(); t += size) starts.push(t);
  const series = [...new Map(rows.map((r) => [seriesOf(r), r])).values()]
    .sort((a, b) => ORDER[a.decision] - ORDER[b.decision] || (a.reason ?? '').localeCompare(b.reason ?? ''))
    .map(seriesOf);
  const colour = new Map(series.map((s, i) => [s, PALETTE[i % PALETTE.length]!]));
  const byBucket = new Map<number, DecisionStat[]>();
  for (const row of rows) {
    const t = new Date(row.bucketStart).getTime();
    byBucket.set(t, [...(byBucket.get(t) ?? []), row]);
  }
  const totals = starts.map((t) => (byBucket.get(t) ?? []).reduce((n, r) => n + r.count, 0));
  const max = Math.max(1, ...totals);
  const step = niceStep(max / 4);
  const top = Math.ceil(max / step) * step;
  const plotW = WIDTH - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const barW = plotW / Math.max(1, starts.length);
  const y = (v: number): number => M.top + plotH - (v / top) * plotH;

  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart', role: 'img', 'aria-labelledby': 'chart-title chart-desc' });
  const total = totals.reduce((a, b) => a + b, 0);
  chart.append(
    svg('title', { id: 'chart-title' }, 'Decisions by reason over time'),
    svg('desc', { id: 'chart-desc' }, `${total} decisions in ${starts.length} ${bucket === 'HOUR' ? 'hourly' : 'daily'} buckets, ${series.length} series. The table below holds the same numbers.`),
  );
  for (let v = 0; v <= top; v += step) {
    chart.append(
      svg('line', { x1: M.left, x2: WIDTH - M.right, y1: y(v), y2: y(v), class: 'gridline' }),
      svg('text', { x: M.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, String(v)),
    );
  }
  const labelEvery = Math.max(1, Math.ceil(starts.length / 8));
  starts.forEach((t, i) => {
    const x = M.left + i * barW;
    let base = 0;
    const stacked = (byBucket.get(t) ?? []).slice().sort((a, b) => series.indexOf(seriesOf(a)) - series.indexOf(seriesOf(b)));
    for (const row of stacked) {
      const rect = svg('rect', { x: x + barW * 0.1, width: Math.max(1, barW * 0.8), y: y(base + row.count), height: y(base) - y(base + row.count), fill: colour.get(seriesOf(row))!, class: 'bar' });
      rect.append(svg('title', {}, `${utc(new Date(t))}: ${seriesOf(row)} ${row.count}`));
      chart.append(rect);
      base += row.count;
    }
    if (i % labelEvery === 0) {
      const label = new Date(t).toISOString();
      chart.append(svg('text', { x: x + barW / 2, y: HEIGHT - M.bottom + 16, 'text-anchor': 'middle', class: 'tick' }, bucket === 'HOUR' ? `${label.slice(5, 10)} ${label.slice(11, 13)}h` : label.slice(5, 10)));
    }
  });
  chart.append(svg('line', { x1: M.left, x2: WIDTH - M.right, y1: y(0), y2: y(0), class: 'axis' }));
  const legend = h(
    'ul',
    { class: 'legend', 'aria-label': 'Series' },
    ...series.map((s) => h('li', {}, svg('svg', { viewBox: '0 0 10 10', width: 12, height: 12, 'aria-hidden': 'true' }, svg('rect', { width: 10, height: 10, fill: colour.get(s)! })), ` ${s}`)),
  );
  return { chart, legend, total };
}

/** 1, 2 or 5 times a power of ten, at least `raw` (and at least 1: counts are whole). */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
}
