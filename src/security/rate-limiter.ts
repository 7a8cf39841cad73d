import { LRUCache } from 'lru-cache';

/** What admission charges: one token per request. */
export interface Limiter {
  /** Takes one token; returns 0 when allowed, else the seconds until a token is available. */
  take(key: string): number;
}

export interface RateLimiterOptions {
  /** Sustained rate, tokens per second; 0 disables limiting. */
  perSecond: number;
  /** Bucket size: the burst a caller may spend at once. */
  burst: number;
  /** Callers tracked at once (least recently seen forgotten, i.e. refilled). Default 100 000. */
  maxCallers?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token bucket per caller key; O(1) per request, bounded memory. Alone it limits one process; the
 * shared limiter (shared-rate-limiter.ts) also charges it what other instances spent and gives it
 * its share of the burst.
 */
export class RateLimiter implements Limiter {
  private readonly buckets: LRUCache<string, Bucket>;
  private readonly now: () => number;
  /** Most tokens a bucket holds: the burst, or this instance's share of it. */
  private capacity: number;

  constructor(private readonly options: RateLimiterOptions) {
    this.buckets = new LRUCache({ max: options.maxCallers ?? 100_000 });
    this.now = options.now ?? (() => performance.now());
    this.capacity = options.burst;
  }

  private refilled(key: string): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.options.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    return bucket;
  }

  take(key: string): number {
    const { perSecond } = this.options;
    if (perSecond <= 0) return 0;
    const bucket = this.refilled(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / perSecond;
  }

  /**
   * Removes tokens spent elsewhere (other instances). The bucket may go into debt, so the caller
   * waits until the shared rate has paid for it; at most one burst of debt, which bounds the
   * Retry-After whatever the database says.
   */
  charge(key: string, tokens: number): void {
    if (this.options.perSecond <= 0 || !(tokens > 0)) return;
    const bucket = this.refilled(key);
    bucket.tokens = Math.max(-this.options.burst, bucket.tokens - tokens);
  }

  /** Splits the burst between `instances` (at least one token each): together they hold one burst. */
  share(instances: number): void {
    this.capacity = Math.max(1, this.options.burst / Math.max(1, instances));
  }
}
