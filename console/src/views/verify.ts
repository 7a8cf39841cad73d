import { download, h, show, statusLine, table } from '../dom.js';
import { VERIFY_AUDIT_LOG, type VerifyResult } from '../queries.js';
import { call } from './call.js';
import { officerOnly } from './guard.js';
import type { ViewContext } from './view.js';

type Verification = VerifyResult['verifyAuditLog'];

/** verifyAuditLog: the verdict first, then the problems by kind, the chains and the signed head to keep. */
export function renderVerify(ctx: ViewContext): HTMLElement {
  const refused = officerOnly(ctx.session, 'Chain verification');
  if (refused) return refused;
  const status = statusLine();
  const result = h('div', { class: 'results' });
  const run = async (): Promise<void> => {
    show(result);
    const data = await call<VerifyResult>(ctx, status, VERIFY_AUDIT_LOG);
    if (data) show(result, ...verdict(data.verifyAuditLog, ctx.session.claims.tenant));
  };
  return h(
    'div',
    {},
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'verify-title' },
      h('h2', { id: 'verify-title' }, 'Chain verification'),
      h(
        'p',
        {},
        'Recomputes every audit chain of your tenant: event hashes and links, the signed tree heads (against the configured keys only) and the heads the witness keeps outside the database.',
      ),
      h('button', { type: 'button', onclick: () => void run() }, 'Verify the audit log'),
    ),
    status,
    result,
  );
}

function verdict(v: Verification, tenant: string): HTMLElement[] {
  const chains = `${v.chains.length} chain${v.chains.length === 1 ? '' : 's'}`;
  // Verification stops at the first break: past it, nothing was checked, so no count is given.
  const summary = v.ok
    ? `${v.checkedEvents} events and ${v.checkedCheckpoints} signed tree heads checked in ${chains}.`
    : `First problem in ${v.brokenChainId ? `chain ${v.brokenChainId}` : 'the tenant\u2019s log'}${v.firstBrokenSeq !== null ? ` at seq ${v.firstBrokenSeq}` : ''}${v.reason ? `: ${v.reason}` : ''} (${chains} examined).`;
  const out: HTMLElement[] = [
    h(
      'div',
      { class: `verdict ${v.ok ? 'verdict-ok' : 'verdict-bad'}`, role: 'alert' },
      h('strong', {}, v.ok ? 'OK: the audit log verifies.' : `Problems found: ${v.problems.length}.`),
      ' ',
      summary,
    ),
  ];
  if (!v.ok) {
    const kinds = [...new Set(v.problems.map((p) => p.kind))];
    out.push(
      h(
        'section',
        { class: 'problems', 'aria-labelledby': 'problems-title' },
        h('h3', { id: 'problems-title' }, 'Problems by kind'),
        ...kinds.map((kind) => {
          const of = v.problems.filter((p) => p.kind === kind);
          return h(
            'div',
            { class: 'problem-kind' },
            h('h4', {}, `${kind} (${of.length})`),
            h('ul', {}, ...of.map((p) => h('li', {}, `${p.chainId ? `chain ${p.chainId}` : 'tenant'}${p.seq !== null ? `, seq ${p.seq}` : ''}: ${p.detail}`))),
          );
        }),
      ),
    );
  }
  out.push(
    table(
      'Chains',
      ['Chain', 'Verdict', 'Status', 'Last seq', 'Signed up to', 'Witnessed size', 'Pending'],
      v.chains.map((c) => [c.chainId, c.ok ? 'OK' : 'broken', c.status, c.lastSeq, c.lastCheckpointSeq, c.witnessedSize, c.pendingEvents]),
      (i) => (v.chains[i]?.ok ? undefined : 'row-bad'),
    ),
  );
  if (v.head) {
    const head = v.head;
    const area = h('textarea', { id: 'signed-head', readonly: true, rows: 4, spellcheck: 'false' });
    area.value = head;
    out.push(
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'head-title' },
        h('h3', { id: 'head-title' }, 'Signed tenant head'),
        h('p', { class: 'hint' }, 'Keep it: a later evidence bundle requested with it (since) proves the log still extends it, and npm run evidence:verify -- --head checks that offline.'),
        h('label', { for: 'signed-head' }, 'Head (JWS)'),
        area,
        h('button', { type: 'button', class: 'secondary', onclick: () => download(`govgate-head-${tenant}-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.jws`, head, 'application/jose') }, 'Download the head'),
      ),
    );
  }
  return out;
}
