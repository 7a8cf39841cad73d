import { requireAuthenticated, type AuthenticatedCaller } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { userLoaders, type UserDoc } from '../users/index.js';

/**
 * A data-subject right is exercised by the subject, on their own data only: the caller's token
 * names them (tenant, subject) and they must hold an account there. Any role will do — the right is
 * the person's, not a grant of the pack. Records the access (`coordinate`) for the audit event.
 */
export async function requireAccount(ctx: GatewayContext, coordinate: string): Promise<{ caller: AuthenticatedCaller; user: UserDoc }> {
  const caller = requireAuthenticated(ctx.caller);
  ctx.governance.noteAccess(coordinate);
  const user = await userLoaders(ctx).bySubject.load(caller.subject);
  if (!user) throw new GovgateError('BAD_USER_INPUT', 'register an account first');
  return { caller, user };
}
