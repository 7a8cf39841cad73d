export { buildPlan, type Plan } from './build-plan.js';
export { compileFieldPlan, type FieldPlan } from './field-plan.js';
export { createPlanCache, type PlanCache, type PlanCacheOptions, type PlanCacheStats } from './plan-cache.js';
