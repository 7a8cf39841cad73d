import { createHmac } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics.js';
import { RateLimiter, type Limiter, type RateLimiterOptions } from './rate-limiter.js';
import { RateSpendStore, type SpendRow } from './rate-spend-store.js';

/** Spend is kept per key and window of this length (documents per key stay few; old windows are deleted). */
export const SPEND_WINDOW_MS = 60_000;
/** For this long after a window starts the previous one is read too: instances whose clock is behind still count. */
export const CLOCK_SKEW_MS = 10_000;
/** A key is kept in sync while it was taken here within this long. */
const ACTIVE_MS = 60_000;
/** A key not taken here since its last read is read again after this long (not every sync: reads stay proportional to what is busy). */
const IDLE_READ_MS = 1000;
/** Most keys read per sync (the most recently active). */
const MAX_KEYS_PER_SYNC = 10_000;
/** A heartbeat unchanged this long belongs to an instance that stopped without leaving: it is deleted. */
const STALE_MS = 60_000;

export interface SharedRateLimiterOptions extends RateLimiterOptions {
  /** The database every instance shares. */
  readonly connection: Connection;
  /** This instance's name in the shared documents. */
  readonly instanceId: string;
  /** Keys the caller-key hashes (the deployment's PSEUDONYM_SECRET): what is stored names no caller. */
  readonly secret: Buffer;
  /** Milliseconds between syncs (RATE_LIMIT_SYNC_MS). */
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly metrics: Pick<GatewayMetrics, 'rateLimitShared' | 'rateLimitInstances' | 'rateLimitSyncFailures'>;
  /** Wall clock (ms) naming windows. Default Date.now. */
  readonly wallClock?: () => number;
}

/** A key this instance took from recently. */
interface Tracked {
  hash: string | null;
  /** Admitted here since the last flush. */
  spent: number;
  /** Monotonic ms of the last take here, admitted or not. */
  lastTake: number;
  /** Monotonic ms of the last read of others' spend (0: never). */
  readAt: number;
  /** Others' spend already charged, per window. */
  seen: Map<number, number>;
  /** Read once: from now on every token others add is charged (before that, what they spent is history). */
  baselined: boolean;
}

/**
 * A caller's rate limit shared by every instance on one database, without a database round trip
 * on the request path. Each instance keeps its own token bucket per caller (the floor: losing or
 * editing the database never makes the limit weaker than one process's), holding its share of the
 * burst (burst / live instances). Every `intervalMs` a background sync adds this instance's spend
 * per caller to `govgate_rate_spend`, beats its heartbeat, and charges each bucket what the other
 * instances spent on that caller since the last sync. A sync that fails (or takes longer than its
 * timeout) falls back to the floor: each instance limits alone with the whole burst, logged once
 * per outage (no identifiers but the store's) and counted in /metrics.
 */
export class SharedRateLimiter implements Limiter {
  private readonly local: RateLimiter;
  private readonly store: RateSpendStore;
  private readonly tracked: LRUCache<string, Tracked>;
  private readonly keyKey: Buffer;
  private readonly wall: () => number;
  private readonly timeoutMs: number;
  private readonly liveMs: number;
  /** Heartbeats as this instance last saw them changing (monotonic ms). */
  private readonly beats = new Map<string, { beat: number; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = false;
  private sharing = true;
  private lastSweep = 0;

  constructor(private readonly options: SharedRateLimiterOptions) {
    this.local = new RateLimiter(options);
    this.timeoutMs = Math.max(2000, 8 * options.intervalMs);
    this.liveMs = Math.max(5000, 8 * options.intervalMs);
    this.store = new RateSpendStore(options.connection, options.instanceId, this.timeoutMs);
    this.tracked = new LRUCache({ max: options.maxCallers ?? 100_000 });
    this.keyKey = createHmac('sha256', options.secret).update('govgate/rate-limit/caller-key/v1').digest();
    this.wall = options.wallClock ?? Date.now;
  }

  take(key: string): number {
    const wait = this.local.take(key);
    let tracked = this.tracked.get(key);
    if (!tracked) {
      tracked = { hash: null, spent: 0, lastTake: 0, readAt: 0, seen: new Map(), baselined: false };
      this.tracked.set(key, tracked);
    }
    tracked.lastTake = performance.now();
    if (wait === 0) tracked.spent += 1;
    return wait;
  }

  /** Builds the window index and syncs once (so the burst is split before the first request), then every interval. */
  async start(): Promise<void> {
    await this.bounded(this.store.ensureIndexes()).catch((error: unknown) => this.failed(error));
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops syncing and removes this instance's heartbeat, so the others take over its share. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.running) await this.bounded(this.running).catch(() => undefined);
    await this.bounded(this.store.leave()).catch(() => undefined);
  }

  private hashOf(key: string, tracked: Tracked): string {
    tracked.hash ??= createHmac('sha256', this.keyKey).update(key).digest('base64url').slice(0, 22);
    return tracked.hash;
  }

  private bounded<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { name: 'TimeoutError' })), this.timeoutMs);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  /** One sync, bounded by its timeout; a tick while the last sync still runs is skipped. */
  private tick(): Promise<void> {
    if (this.stopped || this.running) return Promise.resolve();
    const sync = this.sync();
    // A sync that outlives its timeout still holds the slot until it settles.
    const settled = sync.then(
      () => undefined,
      () => undefined,
    );
    this.running = settled;
    void settled.then(() => {
      this.running = null;
    });
    return this.bounded(sync).then(
      () => this.restored(),
      (error: unknown) => this.failed(error),
    );
  }

  private restored(): void {
    if (this.sharing) return;
    this.sharing = true;
    this.options.metrics.rateLimitShared.set(1);
    this.options.logger.info({ store: 'govgate_rate_spend' }, 'shared rate limit restored');
  }

  private failed(error: unknown): void {
    this.options.metrics.rateLimitSyncFailures.inc();
    // The floor: alone, with the whole burst, as if the limit were not shared.
    this.local.share(1);
    this.options.metrics.rateLimitInstances.set(1);
    // Spend during the outage is not charged when the store returns: it would arrive all at once.
    for (const tracked of this.tracked.values()) {
      tracked.spent = 0;
      tracked.seen.clear();
      tracked.baselined = false;
    }
    if (!this.sharing) return;
    this.sharing = false;
    this.options.metrics.rateLimitShared.set(0);
    const { name, code } = error as { name?: unknown; code?: unknown };
    this.options.logger.warn({ store: 'govgate_rate_spend', err: { name: String(name ?? 'Error'), ...(code === undefined ? {} : { code: String(code) }) } }, 'shared rate limit unavailable: each instance limits alone until the store answers');
  }

  private async sync(): Promise<void> {
    const wall = this.wall();
    const window = Math.floor(wall / SPEND_WINDOW_MS);
    const now = performance.now();
    const rows: SpendRow[] = [];
    const toRead: [string, Tracked][] = [];
    const idle: string[] = [];
    for (const [key, tracked] of this.tracked.entries()) {
      if (tracked.spent > 0) {
        rows.push({ id: `${this.hashOf(key, tracked)}:${window}`, window, tokens: tracked.spent });
        tracked.spent = 0;
      }
      if (now - tracked.lastTake > ACTIVE_MS) idle.push(key);
      else if (toRead.length < MAX_KEYS_PER_SYNC && (tracked.lastTake >= tracked.readAt || now - tracked.readAt >= IDLE_READ_MS)) toRead.push([key, tracked]);
    }
    for (const key of idle) this.tracked.delete(key);
    await this.store.add(rows);

    const instances = this.liveInstances(await this.store.beat(), now);
    this.local.share(instances);
    this.options.metrics.rateLimitInstances.set(instances);

    const windows = wall - window * SPEND_WINDOW_MS < CLOCK_SKEW_MS ? [window - 1, window] : [window];
    const reads = new Map<string, { key: string; tracked: Tracked; window: number }>();
    for (const [key, tracked] of toRead) for (const w of windows) reads.set(`${this.hashOf(key, tracked)}:${w}`, { key, tracked, window: w });
    const spent = await this.store.othersSpent([...reads.keys()]);
    for (const [id, read] of reads) {
      const others = spent.get(id) ?? 0;
      const charged = read.tracked.seen.get(read.window) ?? (read.tracked.baselined ? 0 : others);
      if (others > charged) this.local.charge(read.key, others - charged);
      read.tracked.seen.set(read.window, Math.max(charged, others));
    }
    for (const [, tracked] of toRead) {
      tracked.readAt = now;
      tracked.baselined = true;
      for (const w of tracked.seen.keys()) if (w < window - 1) tracked.seen.delete(w);
    }

    if (now - this.lastSweep >= SPEND_WINDOW_MS / 2) {
      this.lastSweep = now;
      await this.store.sweep(window - 1);
      for (const [instance, seen] of this.beats) if (instance !== this.store.self && now - seen.at > STALE_MS) await this.store.forget(instance, seen.beat);
    }
  }

  /** Instances whose heartbeat moved lately (by this instance's clock: no two clocks are compared), this one included. */
  private liveInstances(beats: Map<string, number>, now: number): number {
    for (const [instance, beat] of beats) {
      const known = this.beats.get(instance);
      if (!known || known.beat !== beat) this.beats.set(instance, { beat, at: now });
    }
    for (const instance of this.beats.keys()) if (!beats.has(instance)) this.beats.delete(instance);
    let live = 0;
    for (const [instance, seen] of this.beats) if (instance === this.store.self || now - seen.at <= this.liveMs) live += 1;
    return Math.max(1, live);
  }
}
