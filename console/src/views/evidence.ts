import { download, field, form, h, statusLine } from '../dom.js';
import { EVIDENCE_BUNDLE, type EvidenceResult } from '../queries.js';
import { DAY_MS, fromInput, toInput } from '../time.js';
import { call } from './call.js';
import { officerOnly } from './guard.js';
import type { ViewContext } from './view.js';

const JWKS_PATH = '/.well-known/jwks.json';

/** evidenceBundle(from, to, since) saved as a .jws file, and where its keys are published. */
export function renderEvidence(ctx: ViewContext): HTMLElement {
  const refused = officerOnly(ctx.session, 'Evidence bundle');
  if (refused) return refused;
  const now = new Date();
  const from = h('input', { name: 'from', type: 'datetime-local', required: true, value: toInput(new Date(now.getTime() - DAY_MS)) });
  const to = h('input', { name: 'to', type: 'datetime-local', required: true, value: toInput(new Date(now.getTime() + 60_000)) });
  const since = h('textarea', { name: 'since', rows: 3, spellcheck: 'false' });
  const status = statusLine();

  const request = form(
    'evidence-title',
    async () => {
      const start = fromInput(from.value);
      const end = fromInput(to.value);
      if (!start || !end) {
        status.textContent = 'Give both ends of the range.';
        return;
      }
      const data = await call<EvidenceResult>(ctx, status, EVIDENCE_BUNDLE, { from: start.toISOString(), to: end.toISOString(), since: since.value.trim() || null });
      if (!data) return;
      const stamp = (d: Date): string => d.toISOString().slice(0, 16).replace(/:/g, '');
      const name = `govgate-evidence-${ctx.session.claims.tenant}-${stamp(start)}-${stamp(end)}.jws`;
      download(name, data.evidenceBundle, 'application/jose');
      status.textContent = `Saved ${name} (${Math.ceil(data.evidenceBundle.length / 1024)} KiB).`;
    },
    h('h2', { id: 'evidence-title' }, 'Evidence bundle'),
    h('p', {}, 'A compact JWS signed by the gateway\u2019s audit key over the range: event hashes and field coordinates (never values), signed tree heads with proofs, the verification and the pack.'),
    h('div', { class: 'grid' }, field('From (UTC)', from), field('To (UTC)', to)),
    field('Earlier signed head (optional)', since, 'A head saved from chain verification or an earlier bundle: the bundle then proves today\u2019s log extends it.'),
    h('button', { type: 'submit' }, 'Download evidence bundle'),
  );

  const keys = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'keys-title' },
    h('h2', { id: 'keys-title' }, 'Verifying a bundle'),
    h('p', {}, 'Download the gateway\u2019s public audit keys once and keep them (pin them): a bundle is checked against the keys you kept, not against what the gateway serves on the day.'),
    h('p', {}, h('a', { href: JWKS_PATH, download: 'govgate-jwks.json' }, `Public audit keys (${JWKS_PATH})`)),
    h('p', {}, 'Then, offline: ', h('code', {}, 'npm run evidence:verify -- bundle.jws --jwks govgate-jwks.json')),
  );
  return h('div', {}, request, status, keys);
}
