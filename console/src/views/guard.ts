import { h } from '../dom.js';
import { isComplianceOfficer, type Session } from '../session.js';

/** Audit views are for compliance officers: anyone else is told why, and nothing is asked of the gateway. */
export function officerOnly(session: Session, title: string): HTMLElement | null {
  if (isComplianceOfficer(session)) return null;
  const { subject, tenant, roles } = session.claims;
  return h(
    'section',
    { class: 'refusal', 'aria-labelledby': 'refusal-title' },
    h('h2', { id: 'refusal-title' }, title),
    h('p', {}, `You are signed in as ${subject} of tenant ${tenant} with the role${roles.length === 1 ? '' : 's'} ${roles.join(', ') || '(none)'}.`),
    h('p', {}, 'This view shows audit data, which only the compliance_officer role may read. Sign in with a compliance officer\u2019s token to use it.'),
  );
}
