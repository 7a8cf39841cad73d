import type { AuditEventDoc } from '../../audit/index.js';
import type { AuthenticatedCaller, Role } from '../../auth/index.js';
import type { ValueFacts } from '../../governance/decide.js';

/** The caller of a recorded request as the audit keeps it: roles and tenant, its subject by pseudonym. */
export const recordedCaller = (event: AuditEventDoc): AuthenticatedCaller => ({
  authenticated: true,
  subject: event.actor.subject ?? '',
  tenant: event.tenant,
  roles: event.actor.roles as Role[],
  purposes: null,
});

/**
 * What the data-free checks need of a recorded value: whose it is, by pseudonym as the event names
 * it (the caller's own when it is the actor's), of the caller's tenant (another tenant's is recorded
 * as TENANT before any of this), and none of the value's own facts, which the audit does not keep.
 */
export const recordedFacts = (caller: AuthenticatedCaller, subjectRef: string | null): ValueFacts => ({
  subject: subjectRef === null ? null : subjectRef === caller.subject ? caller.subject : `other:${subjectRef}`,
  tenant: caller.tenant,
  timestamp: null,
  optedOut: false,
});
