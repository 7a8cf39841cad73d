import type { GatewayMetrics } from '../metrics.js';
import { RateLimiter, type Limiter } from './rate-limiter.js';
import { SharedRateLimiter, type SharedRateLimiterOptions } from './shared-rate-limiter.js';

/** The gateway's rate limit: what admission charges, and its background sync's life. */
export interface GatewayRateLimit extends Limiter {
  /** Resolves once the limit is ready (a shared one has synced once, or fallen back to the floor). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface RateLimitOptions {
  readonly perSecond: number;
  readonly burst: number;
  readonly metrics: Pick<GatewayMetrics, 'rateLimitShared' | 'rateLimitInstances' | 'rateLimitSyncFailures'>;
  /** Share the limit across instances through this database; unset: per process. */
  readonly shared?: Omit<SharedRateLimiterOptions, 'perSecond' | 'burst' | 'metrics'>;
}

/** RATE_LIMIT_SHARED with a rate: the shared limiter; otherwise (or with RATE_LIMIT_PER_SECOND=0) one bucket per process, no sync. */
export function createRateLimit(options: RateLimitOptions): GatewayRateLimit {
  const { perSecond, burst, metrics, shared } = options;
  if (shared && perSecond > 0) {
    metrics.rateLimitShared.set(1);
    return new SharedRateLimiter({ ...shared, perSecond, burst, metrics });
  }
  metrics.rateLimitShared.set(0);
  metrics.rateLimitInstances.set(1);
  const limiter = new RateLimiter({ perSecond, burst });
  return { take: (key) => limiter.take(key), start: () => Promise.resolve(), stop: () => Promise.resolve() };
}
