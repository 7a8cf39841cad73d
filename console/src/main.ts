import './styles.css';
import { h, show } from './dom.js';
import { clearSession, isComplianceOfficer, isExpired, loadSession, type Session } from './session.js';
import { utc } from './time.js';
import { renderAudit } from './views/audit.js';
import { renderChart } from './views/chart.js';
import { renderDataMap } from './views/data-map.js';
import { renderDsr } from './views/dsr.js';
import { renderEvidence } from './views/evidence.js';
import { renderSignIn } from './views/sign-in.js';
import { renderVerify } from './views/verify.js';
import type { View, ViewContext } from './views/view.js';

// Hash routes: the gateway serves one page, and the token never appears in a URL.
const ROUTES: readonly { hash: string; label: string; view: View }[] = [
  { hash: '#/audit', label: 'Audit log', view: renderAudit },
  { hash: '#/verify', label: 'Chain verification', view: renderVerify },
  { hash: '#/evidence', label: 'Evidence bundle', view: renderEvidence },
  { hash: '#/data-map', label: 'Data map', view: renderDataMap },
  { hash: '#/requests', label: 'Data-subject requests', view: renderDsr },
  { hash: '#/chart', label: 'Decisions chart', view: renderChart },
];

const main = document.getElementById('main')!;
const nav = document.getElementById('sections')!;
const identity = document.getElementById('identity')!;
let session: Session | null = loadSession();

function signOut(notice?: string): void {
  clearSession();
  session = null;
  render(notice);
}

function renderIdentity(): void {
  if (!session) return show(identity);
  const { subject, tenant, roles, expiresAt } = session.claims;
  show(
    identity,
    h(
      'dl',
      { class: 'whoami', 'aria-label': 'Signed in as' },
      h('dt', {}, 'Subject'),
      h('dd', { 'data-claim': 'subject' }, subject),
      h('dt', {}, 'Tenant'),
      h('dd', { 'data-claim': 'tenant' }, tenant),
      h('dt', {}, 'Roles'),
      h('dd', { 'data-claim': 'roles' }, roles.join(', ') || '(none)'),
      expiresAt ? h('dt', {}, 'Expires') : null,
      expiresAt ? h('dd', {}, utc(new Date(expiresAt * 1000))) : null,
    ),
    h('button', { type: 'button', class: 'secondary', onclick: () => signOut() }, 'Sign out'),
  );
}

function renderNav(current: string): void {
  nav.hidden = !session;
  show(
    nav,
    h('ul', {}, ...ROUTES.map((r) => h('li', {}, h('a', { href: r.hash, 'aria-current': r.hash === current ? 'page' : null }, r.label)))),
  );
}

function render(notice?: string): void {
  if (session && isExpired(session)) {
    clearSession();
    session = null;
    notice = 'Your token has expired. Sign in again.';
  }
  renderIdentity();
  if (!session) {
    renderNav('');
    show(
      main,
      renderSignIn((signedIn) => {
        session = signedIn;
        const target = isComplianceOfficer(signedIn) ? '#/audit' : '#/data-map';
        if (location.hash === target) render();
        else location.hash = target;
      }, notice),
    );
    return;
  }
  const route = ROUTES.find((r) => r.hash === location.hash) ?? ROUTES[isComplianceOfficer(session) ? 0 : 3]!;
  renderNav(route.hash);
  const ctx: ViewContext = { session, signOut };
  show(main, route.view(ctx));
  document.title = `${route.label} · govgate compliance console`;
  main.focus();
}

window.addEventListener('hashchange', () => {
  // The skip link's #main is not a route.
  if (location.hash.startsWith('#/')) render();
});
render();
