export { buildPlan, type Plan } from './build-plan.js';
export { createPlanCache, type PlanCache, type PlanCacheOptions, type PlanCacheStats } from './plan-cache.js';
