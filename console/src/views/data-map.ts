import { download, field, h, show, statusLine, table } from '../dom.js';
import { DATA_MAP, RECORD_OF_PROCESSING, type DataMapResult, type RecordResult } from '../queries.js';
import { isComplianceOfficer } from '../session.js';
import { call } from './call.js';
import type { ViewContext } from './view.js';

/** The active pack, every classified field, and (for compliance officers) the Art. 30 record. */
export function renderDataMap(ctx: ViewContext): HTMLElement {
  const status = statusLine();
  const policy = h('div');
  const map = h('div');
  const record = h('div');
  void (async () => {
    const data = await call<DataMapResult>(ctx, status, DATA_MAP);
    if (!data) return;
    show(policy, policySection(data.policy));
    show(map, dataMapSection(data.dataMap));
    if (!isComplianceOfficer(ctx.session)) {
      show(record, h('p', { class: 'hint' }, 'The record of processing (Art. 30) is for compliance officers.'));
      return;
    }
    const rop = await call<RecordResult>(ctx, status, RECORD_OF_PROCESSING);
    if (rop) show(record, recordSection(rop.recordOfProcessing));
  })();
  return h('div', {}, h('h2', {}, 'Data map and record of processing'), status, policy, map, record);
}

function policySection(policy: DataMapResult['policy']): HTMLElement {
  const f = policy.facts;
  const rows: [string, string][] = [
    ['Pack', `${policy.pack} (version ${policy.version})`],
    ['Document', f.documentTitle],
    ['Law', f.law],
    ['Role', f.role],
    ['Controller', f.controllerName ?? 'not stated'],
    ['DPO contact', f.dpoContact ?? 'not stated'],
    ['Country', f.country],
    ['Data residency', f.residency ?? 'not stated'],
    ['Minimum age', String(policy.minimumAge)],
    ['Purposes needing consent', policy.purposesRequiringConsent.join(', ') || 'none'],
  ];
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'policy-title' },
    h('h3', { id: 'policy-title' }, 'Policy pack in force'),
    h('dl', { class: 'facts' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
  );
}

function dataMapSection(entries: DataMapResult['dataMap']): HTMLElement {
  const filter = h('input', { name: 'filter', type: 'search', autocomplete: 'off' });
  const count = statusLine('hint');
  const holder = h('div', { class: 'scroll' });
  const render = (): void => {
    const needle = filter.value.trim().toLowerCase();
    const shown = entries.filter((e) => !needle || [`${e.type}.${e.field}`, e.category, ...e.purposes].some((s) => s.toLowerCase().includes(needle)));
    count.textContent = `${shown.length} of ${entries.length} fields`;
    show(
      holder,
      table(
        'Classified fields',
        ['Field', 'Category', 'Purposes under the pack', 'Retention', 'Redaction'],
        shown.map((e) => [h('code', {}, `${e.type}.${e.field}`), e.category, e.purposes.join(', '), e.retention ?? 'while the account lives', e.strategy]),
      ),
    );
  };
  filter.addEventListener('input', render);
  render();
  return h('section', { class: 'panel', 'aria-labelledby': 'map-title' }, h('h3', { id: 'map-title' }, 'Data map'), field('Filter fields', filter, 'By field, category or purpose.'), count, holder);
}

function recordSection(r: RecordResult['recordOfProcessing']): HTMLElement {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'rop-title' },
    h('h3', { id: 'rop-title' }, `Record of processing (Art. ${r.article}), tenant ${r.tenant}`),
    h('p', {}, `Pack ${r.pack} ${r.packVersion}. Categories of data subjects: ${r.categoriesOfSubjects.join(', ')}.`),
    h(
      'button',
      { type: 'button', class: 'secondary', onclick: () => download(`record-of-processing-${r.tenant}-${r.pack}.md`, r.markdown, 'text/markdown') },
      'Download the record (Markdown)',
    ),
    table('Purposes', ['Purpose', 'Name', 'Legal basis', 'Consent'], r.purposes.map((p) => [h('code', {}, p.purpose), p.name, p.legalBasis, p.consentRequired ? 'required' : 'not required'])),
    table('Categories of data', ['Category', 'Name', 'Fields', 'Retention'], r.categoriesOfData.map((c) => [h('code', {}, c.category), c.name, String(c.fields.length), c.retention ?? 'no maximum'])),
    table('Recipients', ['Role', 'Scope'], r.recipients.map((x) => [x.role, x.scope])),
  );
}
