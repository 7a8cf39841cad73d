import type { Logger } from 'pino';
import type { WitnessEntry } from './witness.js';

export interface WebhookWitnessOptions {
  url: string;
  logger: Logger;
  /** A POST not answered 2xx within this counts as failed, ms. Default 5000. */
  timeoutMs?: number;
  /** Attempts per entry (with a pause between). Default 3. */
  attempts?: number;
  /** Entries kept while the receiver is away; the oldest are dropped (and logged). Default 10 000. */
  maxQueue?: number;
}

/**
 * Sends every witness-log entry to a remote witness (an auditor's service that keeps the heads it is
 * shown and can check each new one against the last by its consistency proof). In order, one at a
 * time; never on a request's path.
 */
export function createWebhookWitness(options: WebhookWitnessOptions): { send(entry: WitnessEntry): void; flush(): Promise<void>; failures(): number } {
  const { url, logger, timeoutMs = 5000, attempts = 3, maxQueue = 10_000 } = options;
  const queue: WitnessEntry[] = [];
  let running: Promise<void> | null = null;
  let failed = 0;

  const post = async (entry: WitnessEntry): Promise<boolean> => {
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(entry), signal: AbortSignal.timeout(timeoutMs) });
        await response.body?.cancel();
        if (response.ok) return true;
      } catch {
        // Retried below; the receiver may be restarting.
      }
      if (attempt < attempts) await new Promise((r) => setTimeout(r, 200 * attempt));
    }
    return false;
  };

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const entry = queue.shift()!;
      if (!(await post(entry))) {
        failed += 1;
        logger.error({ tenant: entry.tenant, kind: entry.kind }, 'remote audit witness did not accept a head');
      }
    }
    running = null;
  };

  return {
    send(entry) {
      if (queue.length >= maxQueue) {
        queue.shift();
        failed += 1;
        logger.error('remote audit witness queue full: oldest head dropped');
      }
      queue.push(entry);
      running ??= drain();
    },
    async flush() {
      while (running) await running;
    },
    failures: () => failed,
  };
}
