import { LRUCache } from 'lru-cache';

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

/** Token bucket per caller key; O(1) per request, bounded memory. */
export class RateLimiter {
  private readonly buckets: LRUCache<string, Bucket>;
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions) {
    this.buckets = new LRUCache({ max: options.maxCallers ?? 100_000 });
    this.now = options.now ?? (() => performance.now());
  }

  /** Takes one token; returns 0 when allowed, else the seconds until a token is available. */
  take(key: string): number {
    const { perSecond, burst } = this.options;
    if (perSecond <= 0) return 0;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / perSecond;
  }
}
