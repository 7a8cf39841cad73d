/**
 * Load generator: one process for the whole run (spawned by bench/run.ts, never in a server's
 * process), one measurement at a time on request ({ type: 'run', spec } over IPC; it answers
 * 'ready' once started). Each measurement is one continuous autocannon run: the first `warmupS`
 * seconds warm the server up, the next `durationS` seconds are the measurement window. The
 * window's edges are announced over IPC ("window-start", "window-end") the moment they happen, so
 * the parent reads CPU counters while the load is steady; only responses that arrive inside the
 * window count. Every response body is checked for a GraphQL `errors` key, warm-up included.
 *
 * Spec: { url, headers, body, connections, warmupS, durationS }.
 */
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  warmupS: number;
  durationS: number;
}

export interface LoadResult {
  type: 'result';
  /** Responses inside the measurement window. */
  requests: number;
  durationS: number;
  rps: number;
  latency: { p50: number; p90: number; p99: number; mean: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  graphqlErrors: number;
  sampleError: string | null;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);

function run(spec: LoadSpec, send: (message: object) => void): Promise<LoadResult> {
  let graphqlErrors = 0;
  let sampleError: string | null = null;
  let non2xx = 0;
  let measuring = false;
  let windowStart = 0;
  let windowEnd = 0;
  const latencies: number[] = [];
  return new Promise<LoadResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        // 20 connections on a server that needs ~150 ms of CPU per request queue for seconds:
        // autocannon's default 10 s timeout would count the slowest variants' queueing as failures.
        timeout: 30,
        // An upper bound only: the run is stopped the moment the window closes (on its own timer).
        duration: spec.warmupS + spec.durationS + 10,
        requests: [
          {
            method: 'POST',
            headers: spec.headers,
            body: spec.body,
            onResponse: (status: number, body: string) => {
              if (body.includes('"errors"')) {
                graphqlErrors += 1;
                sampleError ??= `${status} ${body.slice(0, 300)}`;
              }
            },
          },
        ],
      },
      (error: unknown, result: autocannon.Result) => {
        if (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        const sorted = latencies.sort((a, b) => a - b);
        const seconds = (windowEnd - windowStart) / 1000;
        resolve({
          type: 'result',
          requests: sorted.length,
          durationS: seconds,
          rps: seconds > 0 ? sorted.length / seconds : 0,
          latency: {
            p50: percentile(sorted, 50),
            p90: percentile(sorted, 90),
            p99: percentile(sorted, 99),
            mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : Number.NaN,
            max: sorted.at(-1) ?? Number.NaN,
          },
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx,
          graphqlErrors,
          sampleError,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 200 || statusCode >= 300) non2xx += 1;
      if (measuring) latencies.push(responseTime);
    });
    instance.on('start', () => {
      setTimeout(() => {
        measuring = true;
        windowStart = Date.now();
        send({ type: 'window-start' });
        setTimeout(() => {
          measuring = false;
          windowEnd = Date.now();
          send({ type: 'window-end' });
          instance.stop();
        }, spec.durationS * 1000);
      }, spec.warmupS * 1000);
    });
  });
}

function main(): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('bench/load.ts is started by bench/run.ts (with an IPC channel)');
  let busy = false;
  process.on('message', (message: { type?: string; spec?: LoadSpec }) => {
    if (message.type !== 'run' || !message.spec) return;
    if (busy) throw new Error('one measurement at a time');
    busy = true;
    run(message.spec, (m) => send(m))
      .then((result) => send(result))
      .catch((error: unknown) => {
        console.error(`load generator failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      })
      .finally(() => {
        busy = false;
      });
  });
  // The parent is gone (or done): so is the load generator.
  process.once('disconnect', () => process.exit(0));
  send({ type: 'ready' });
}

main();
