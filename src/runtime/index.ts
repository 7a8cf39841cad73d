// The governance runtime, in the order a request meets it:
//   admission.ts          1. before parsing: token, rate limit, purpose (purpose.ts)
//   (Yoga)                2. parse, limits, validation
//   request-context.ts    3. the typed context, with the request's governance (request-governance.ts)
//   use-governance.ts     4. plan (plan/: static verdicts per document × roles × purpose, cached) and, for a mutation, its audit intent
//   request-governance.ts 5–6. subject state (subject-state.ts) and per-value decisions in the resolvers
//   use-governance.ts     7. the outcome audited (audit-hand-off.ts) before the response is released
export { createAdmission, type Admission, type Admitted, type AdmissionOptions } from './admission.js';
export { AuditHandOff, type RequestActor } from './audit-hand-off.js';
export { buildPlan, createPlanCache, type Plan, type PlanCache, type PlanCacheStats } from './plan/index.js';
export { DEFAULT_PURPOSES, resolvePurpose } from './purpose.js';
export { createContextFactory, type ContextDeps } from './request-context.js';
export { RequestGovernance, type RequestGovernanceInit, type SubjectStateLoader } from './request-governance.js';
export { subjectStates, type SubjectStates } from './subject-state.js';
export { auditUnavailable, useGovernance, type GovernanceOptions } from './use-governance.js';
