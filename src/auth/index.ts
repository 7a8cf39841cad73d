export { ANONYMOUS, ROLES, isRole, isAuthenticated, type Caller, type AuthenticatedCaller, type Role } from './caller.js';
export { loadOrCreateDevKeys, DEV_ALG, type DevKeys } from './dev-keys.js';
export { signToken, type TokenClaims, type SignTokenOptions } from './sign-token.js';
export { requireAuthenticated } from './require.js';
export { requireRole } from './require-role.js';
export { subjectIdSchema, subjectOrCaller } from './subject-arg.js';
export { createVerifier, ALLOWED_ALGORITHMS, MAX_TOKEN_LENGTH, TOKEN_CLAIMS, type Verifier, type VerifierOptions } from './verifier.js';
