export { PROBLEM_KINDS, type AuditProblem, type ProblemKind } from './problems.js';
export { verifyChain, type ChainStatus, type ChainVerification } from './verify-chain.js';
export { verifyTenant, type AuditVerification, type VerifyTenantOptions } from './verify-tenant.js';
