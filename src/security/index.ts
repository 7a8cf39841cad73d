export { createRateLimit, type GatewayRateLimit, type RateLimitOptions } from './create-rate-limit.js';
export { RateLimiter, type Limiter, type RateLimiterOptions } from './rate-limiter.js';
export { RATE_INSTANCES_COLLECTION, RATE_SPEND_COLLECTION } from './rate-spend-store.js';
export { CLOCK_SKEW_MS, SPEND_WINDOW_MS, SharedRateLimiter, type SharedRateLimiterOptions } from './shared-rate-limiter.js';
