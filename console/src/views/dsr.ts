import { h, show, statusLine, table } from '../dom.js';
import { Pager } from '../pager.js';
import { DATA_SUBJECT_REQUESTS, type DsrResult, type DsrView } from '../queries.js';
import { DAY_MS, utc } from '../time.js';
import { call } from './call.js';
import { officerOnly } from './guard.js';
import { pageButtons } from './page-buttons.js';
import type { ViewContext } from './view.js';

const PAGE = 50;

/** dataSubjectRequests: every request with its Art. 12(3) deadline, overdue ones marked (not by colour alone). */
export function renderDsr(ctx: ViewContext): HTMLElement {
  const refused = officerOnly(ctx.session, 'Data-subject requests');
  if (refused) return refused;
  const status = statusLine();
  const results = h('div', { class: 'results' });
  const pager = new Pager();
  const load = async (): Promise<void> => {
    const data = await call<DsrResult>(ctx, status, DATA_SUBJECT_REQUESTS, { first: PAGE, after: pager.after });
    if (!data) return show(results);
    pager.shown(data.dataSubjectRequests.pageInfo);
    const requests = data.dataSubjectRequests.edges.map((e) => e.node);
    const overdue = requests.filter((r) => r.overdue).length;
    status.textContent = requests.length ? `Page ${pager.page}: ${requests.length} request${requests.length === 1 ? '' : 's'}, ${overdue} overdue.` : 'No data-subject request yet.';
    show(
      results,
      requests.length
        ? table(
            'Data-subject requests, oldest first',
            ['Kind', 'Subject', 'Status', 'Received', 'Due', 'Completed', 'Deadline'],
            requests.map((r) => [r.kind, r.subject, r.status, utc(r.receivedAt), utc(r.dueAt), r.completedAt ? utc(r.completedAt) : '\u2014', deadline(r)]),
            (i) => (requests[i]?.overdue ? 'row-overdue' : undefined),
          )
        : null,
      pageButtons(pager, load),
    );
  };
  void load();
  return h(
    'div',
    {},
    h('section', { class: 'panel', 'aria-labelledby': 'dsr-title' }, h('h2', { id: 'dsr-title' }, 'Data-subject requests'), h('p', {}, 'GDPR Art. 12(3): answered within one month of receipt, or by the extended deadline.')),
    status,
    results,
  );
}

function deadline(r: DsrView): HTMLElement | string {
  if (r.status !== 'PENDING') return 'answered';
  const days = Math.round((new Date(r.dueAt).getTime() - Date.now()) / DAY_MS);
  if (r.overdue) return h('strong', { class: 'badge badge-overdue' }, `Overdue by ${Math.max(1, -days)} day${-days === 1 ? '' : 's'}`);
  return `due in ${days} day${days === 1 ? '' : 's'}`;
}
