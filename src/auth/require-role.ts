import { GovgateError } from '../errors.js';
import type { AuthenticatedCaller, Caller, Role } from './caller.js';
import { requireAuthenticated } from './require.js';

/** Operations only some roles may call (e.g. a platform `service` writing usage logs): FORBIDDEN for the others. */
export function requireRole(caller: Caller, roles: readonly Role[], what: string): AuthenticatedCaller {
  const authenticated = requireAuthenticated(caller);
  if (!roles.some((role) => authenticated.roles.includes(role))) throw new GovgateError('FORBIDDEN', `${what} is only for ${roles.join(' or ')}`);
  return authenticated;
}
