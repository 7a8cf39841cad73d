import { requireAuthenticated, type AuthenticatedCaller } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';

/**
 * Audit data is for compliance officers of the same tenant only; every use of it is itself
 * recorded in the audit log (as an access to the operation's coordinate).
 */
export function requireComplianceOfficer(ctx: GatewayContext, coordinate: string): AuthenticatedCaller {
  const caller = requireAuthenticated(ctx.caller);
  ctx.governance.noteAccess(coordinate);
  if (!caller.roles.includes('compliance_officer')) throw new GovgateError('FORBIDDEN', 'audit data is only for compliance officers');
  return caller;
}
