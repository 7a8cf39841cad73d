import { GovgateError } from '../errors.js';
import { isAuthenticated, type AuthenticatedCaller, type Caller } from './caller.js';

/** Operations on personal data need a caller with a subject and a tenant. */
export function requireAuthenticated(caller: Caller): AuthenticatedCaller {
  if (!isAuthenticated(caller)) throw new GovgateError('UNAUTHENTICATED', 'authentication required');
  return caller;
}
