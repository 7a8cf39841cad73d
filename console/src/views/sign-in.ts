import { explain, graphql } from '../api.js';
import { field, form, h, statusLine } from '../dom.js';
import { clearSession, saveSession, type Session } from '../session.js';

interface DevToken {
  subject: string;
  tenant: string;
  roles: string[];
  token: string;
}

/**
 * Sign in by pasting a bearer token; with a gateway on development keys and demo data, also by
 * picking a demo user (`GET /console/dev-tokens`, a 404 anywhere else).
 */
export function renderSignIn(onSignedIn: (session: Session) => void, notice?: string): HTMLElement {
  const status = statusLine();
  if (notice) {
    status.textContent = notice;
    status.classList.add('error');
  }
  const input = h('textarea', { name: 'token', rows: 4, spellcheck: 'false', autocomplete: 'off', required: true });

  const signIn = async (token: string): Promise<void> => {
    const session = saveSession(token.trim());
    if (!session) {
      status.textContent = 'That is not a token govgate reads: a signed JWT with sub, tenant and roles claims.';
      status.classList.add('error');
      return;
    }
    status.classList.remove('error');
    status.textContent = 'Checking the token with the gateway\u2026';
    try {
      // Any authenticated query: the gateway, not the console, decides whether the token is good.
      await graphql(session.token, '{ policy { pack } }');
    } catch (error) {
      clearSession();
      status.textContent = explain(error);
      status.classList.add('error');
      return;
    }
    onSignedIn(session);
  };

  const paste = form(
    'paste-title',
    () => signIn(input.value),
    h('h2', { id: 'paste-title' }, 'Sign in with a token'),
    field('Bearer token', input, 'Paste a token from your identity provider. It is kept in this tab only (sessionStorage) and sent to this gateway only.'),
    h('button', { type: 'submit' }, 'Sign in'),
  );

  const picker = h('section', { class: 'panel', 'aria-labelledby': 'demo-title', hidden: true });
  void loadDemoTokens().then((tokens) => {
    if (!tokens.length) return;
    picker.hidden = false;
    picker.append(
      h('h2', { id: 'demo-title' }, 'Pick a demo role'),
      h('p', { class: 'hint' }, 'Development only: this gateway signs its own tokens and seeded demo users. Each token lives 15 minutes.'),
      h(
        'ul',
        { class: 'demo-users' },
        ...tokens.map((t) =>
          h('li', {}, h('button', { type: 'button', class: 'secondary', onclick: () => void signIn(t.token) }, `${t.subject}@${t.tenant}`, h('span', { class: 'roles' }, t.roles.join(', ')))),
        ),
      ),
    );
  });

  return h('div', { class: 'sign-in' }, status, paste, picker);
}

async function loadDemoTokens(): Promise<DevToken[]> {
  try {
    const response = await fetch('/console/dev-tokens', { cache: 'no-store', credentials: 'omit' });
    if (!response.ok) return [];
    return ((await response.json()) as { tokens: DevToken[] }).tokens;
  } catch {
    return [];
  }
}
