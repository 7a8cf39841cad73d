import { decisionChart, seriesOf } from '../chart-svg.js';
import { field, form, h, select, show, statusLine, table } from '../dom.js';
import { DECISION_STATS, type Bucket, type DecisionStatsResult } from '../queries.js';
import { DAY_MS, fromInput, HOUR_MS, toInput, utc } from '../time.js';
import { call } from './call.js';
import { officerOnly } from './guard.js';
import type { ViewContext } from './view.js';

/** decisionStats drawn as stacked bars, with the same numbers as a table. */
export function renderChart(ctx: ViewContext): HTMLElement {
  const refused = officerOnly(ctx.session, 'Decisions by reason');
  if (refused) return refused;
  const now = Date.now();
  const end = Math.ceil(now / HOUR_MS) * HOUR_MS;
  const from = h('input', { name: 'from', type: 'datetime-local', required: true, value: toInput(new Date(end - DAY_MS)) });
  const to = h('input', { name: 'to', type: 'datetime-local', required: true, value: toInput(new Date(end)) });
  const bucket = select('bucket', [['HOUR', 'Hour'], ['DAY', 'Day']], 'HOUR');
  const status = statusLine();
  const out = h('div', { class: 'results' });

  const load = async (): Promise<void> => {
    const start = fromInput(from.value);
    const stop = fromInput(to.value);
    if (!start || !stop) {
      status.textContent = 'Give both ends of the range.';
      return;
    }
    const b = bucket.value as Bucket;
    const data = await call<DecisionStatsResult>(ctx, status, DECISION_STATS, { from: start.toISOString(), to: stop.toISOString(), bucket: b });
    if (!data) return show(out);
    const rows = data.decisionStats;
    const { chart, legend, total } = decisionChart(rows, start, stop, b);
    status.textContent = `${total} decisions between ${utc(start)} and ${utc(stop)}.`;
    show(
      out,
      h('figure', { class: 'panel' }, chart, h('figcaption', {}, legend)),
      h('details', {}, h('summary', {}, 'The numbers as a table'), table('Decisions by bucket and reason', ['Bucket start', 'Decision and reason', 'Count'], rows.map((r) => [utc(r.bucketStart), seriesOf(r), r.count]))),
    );
  };

  const range = form(
    'chart-form-title',
    load,
    h('h2', { id: 'chart-form-title' }, 'Decisions by reason over time'),
    h('p', { class: 'hint' }, 'Counted by the database from your tenant\u2019s audit log: at most a week of hours or 366 days.'),
    h('div', { class: 'grid' }, field('From (UTC)', from), field('To (UTC)', to), field('Bucket', bucket)),
    h('button', { type: 'submit' }, 'Show'),
  );
  void load();
  return h('div', {}, range, status, out);
}
