import { field, form, h, select, show, statusLine, table } from '../dom.js';
import { Pager } from '../pager.js';
import { AUDIT_EVENTS, type AuditEventsResult, type AuditEventView, type AuditFilter, type Decision } from '../queries.js';
import { fromInput, utc } from '../time.js';
import { call } from './call.js';
import { officerOnly } from './guard.js';
import { pageButtons } from './page-buttons.js';
import type { ViewContext } from './view.js';

const DECISIONS: readonly Decision[] = ['ALLOW', 'REDACT', 'DENY'];

/** Audit search: AuditFilter's fields, Relay pages, each event's decisions. */
export function renderAudit(ctx: ViewContext): HTMLElement {
  const refused = officerOnly(ctx.session, 'Audit log');
  if (refused) return refused;

  const inputs = {
    subject: h('input', { name: 'subject', autocomplete: 'off' }),
    actor: h('input', { name: 'actor', autocomplete: 'off' }),
    operationName: h('input', { name: 'operationName', autocomplete: 'off' }),
    from: h('input', { name: 'from', type: 'datetime-local', step: 1 }),
    to: h('input', { name: 'to', type: 'datetime-local', step: 1 }),
  };
  const decision = select('decision', [['', 'Any'], ...DECISIONS.map((d) => [d, d] as const)]);
  const pageSize = select('first', ['10', '25', '50', '100'].map((n) => [n, n] as const), '25');
  const status = statusLine();
  const results = h('div', { class: 'results' });
  const pager = new Pager();
  let filter: AuditFilter = {};

  const load = async (): Promise<void> => {
    const data = await call<AuditEventsResult>(ctx, status, AUDIT_EVENTS, { filter, first: Number(pageSize.value), after: pager.after });
    if (!data) return show(results);
    pager.shown(data.auditEvents.pageInfo);
    const events = data.auditEvents.edges.map((e) => e.node);
    const first = (pager.page - 1) * Number(pageSize.value) + 1;
    status.textContent = events.length ? `Page ${pager.page}: events ${first}\u2013${first + events.length - 1}${pager.canGoForward ? ', more after' : ''}.` : 'No event matches.';
    show(results, events.length ? eventsTable(events) : null, pageButtons(pager, load));
  };

  const filters = form(
    'audit-title',
    () => {
      const from = fromInput(inputs.from.value);
      const to = fromInput(inputs.to.value);
      filter = {
        ...(inputs.subject.value.trim() ? { subject: inputs.subject.value.trim() } : {}),
        ...(inputs.actor.value.trim() ? { actor: inputs.actor.value.trim() } : {}),
        ...(inputs.operationName.value.trim() ? { operationName: inputs.operationName.value.trim() } : {}),
        ...(from ? { from: from.toISOString() } : {}),
        ...(to ? { to: to.toISOString() } : {}),
        ...(decision.value ? { decision: decision.value as Decision } : {}),
      };
      pager.reset();
      return load();
    },
    h('h2', { id: 'audit-title' }, 'Audit log'),
    h(
      'div',
      { class: 'grid' },
      field('Subject', inputs.subject, 'A data subject\u2019s id, or an sr_\u2026 pseudonym.'),
      field('Actor', inputs.actor, 'The caller who made the request.'),
      field('Operation name', inputs.operationName),
      field('From (UTC)', inputs.from),
      field('To (UTC)', inputs.to),
      field('Decision', decision, 'Events with at least one decision of this kind.'),
      field('Page size', pageSize),
    ),
    h('button', { type: 'submit' }, 'Search'),
  );
  void load();
  return h('div', {}, filters, status, results);
}

function eventsTable(events: readonly AuditEventView[]): HTMLTableElement {
  return table(
    'Audit events, oldest first',
    ['Time', 'Operation', 'Outcome', 'Actor', 'Purpose', 'Decisions'],
    events.map((e) => [
      h('time', { datetime: e.at }, utc(e.at)),
      h('span', {}, e.operationName ?? (e.accesses.join(', ') || '\u2014'), h('span', { class: 'muted' }, ` ${e.operationType ?? ''} #${e.seq}`)),
      h('span', { class: `outcome outcome-${e.outcome.toLowerCase()}` }, e.code ? `${e.outcome} (${e.code})` : e.outcome),
      `${e.actor.subject ?? 'system'}${e.actor.roles.length ? ` (${e.actor.roles.join(', ')})` : ''}`,
      e.purpose ?? '\u2014',
      decisionsOf(e),
    ]),
  );
}

function decisionsOf(event: AuditEventView): HTMLElement | string {
  if (!event.decisions.length) return event.accesses.length ? `none (access: ${event.accesses.join(', ')})` : 'none';
  const tally = DECISIONS.map((d) => [d, event.decisions.filter((x) => x.decision === d).length] as const).filter(([, n]) => n > 0);
  return h(
    'details',
    {},
    h('summary', {}, tally.map(([d, n]) => `${n} ${d}`).join(' \u00b7 ')),
    table(
      `Decisions of event ${event.id}`,
      ['Subject', 'Field', 'Category', 'Purpose', 'Decision', 'Reason'],
      event.decisions.map((d) => [d.subject ?? '\u2014', d.coordinate, d.category, d.purpose, h('span', { class: `decision decision-${d.decision.toLowerCase()}` }, d.decision), d.reason ?? '\u2014']),
    ),
  );
}
