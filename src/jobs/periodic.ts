import type { Logger } from 'pino';

/** A job the gateway runs on a timer (erasure sweeps, retention sweeps). */
export interface PeriodicJob {
  /** Resolves once a run in progress has ended; no run starts after it is called. */
  stop(): Promise<void>;
}

export interface PeriodicOptions {
  /** Milliseconds between runs; 0 or less: never runs. */
  readonly intervalMs: number;
  /** The time each run is given (tests inject one). Default: the wall clock. */
  readonly clock?: () => Date;
  readonly logger: Logger;
  /** Names the job in its failure log line. */
  readonly name: string;
}

/**
 * Runs `run(now)` every `intervalMs` (timer unref'd: it never keeps the process alive). A tick
 * while a run is still going is skipped, so slow runs never queue up; a failed run is logged (its
 * message only) and the next tick tries again.
 */
export function startPeriodic(run: (now: Date) => Promise<unknown>, options: PeriodicOptions): PeriodicJob {
  if (options.intervalMs <= 0) return { stop: () => Promise.resolve() };
  const clock = options.clock ?? (() => new Date());
  let running: Promise<void> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped || running) return;
    running = run(clock())
      .then(() => undefined, (error: unknown) => {
        options.logger.error({ job: options.name, err: { message: (error as Error).message } }, 'periodic job failed');
      })
      .finally(() => {
        running = null;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
