/**
 * Load generator of `npm run bench:replicas`, in its own process (its CPU is measured): one
 * autocannon instance per gateway, the connections split evenly between them, every connection
 * cycling through the same callers' tokens. One continuous run: `warmupS` seconds of warm-up, then
 * the `durationS` measurement window, whose edges are sent over IPC ("window-start", "window-end")
 * so the parent reads CPU counters under steady load. Only responses inside the window count;
 * every response is checked for status 200 and a body without `errors`, warm-up included.
 *
 * Spec (JSON in BENCH_LOAD_SPEC): ReplicaLoadSpec.
 */
import autocannon from 'autocannon';
import { requestHeaders } from './servers.js';

export interface ReplicaLoadSpec {
  urls: string[];
  tokens: string[];
  body: string;
  connections: number;
  warmupS: number;
  durationS: number;
}

export interface ReplicaLoadResult {
  type: 'result';
  /** Responses inside the window, all gateways. */
  requests: number;
  durationS: number;
  rps: number;
  /** Responses inside the window per gateway (same order as urls). */
  perGateway: number[];
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  rateLimited: number;
  graphqlErrors: number;
  sampleError: string | null;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);

/** Connections of gateway i when `total` are split between `n`. */
const share = (total: number, n: number, i: number): number => Math.floor(total / n) + (i < total % n ? 1 : 0);

function run(spec: ReplicaLoadSpec, send: (message: object) => void): Promise<ReplicaLoadResult> {
  const latencies: number[] = [];
  const perGateway = spec.urls.map(() => 0);
  const totals = { errors: 0, timeouts: 0, non2xx: 0, rateLimited: 0, graphqlErrors: 0 };
  let sampleError: string | null = null;
  let measuring = false;
  let windowStart = 0;
  let windowEnd = 0;
  const requests = spec.tokens.map((token) => ({
    method: 'POST' as const,
    headers: requestHeaders(token),
    body: spec.body,
    onResponse: (status: number, body: string) => {
      if (body.includes('"errors"')) {
        totals.graphqlErrors += 1;
        sampleError ??= `${status} ${body.slice(0, 300)}`;
      }
    },
  }));
  const runs = spec.urls.map(
    (url, i) =>
      new Promise<void>((resolve, reject) => {
        const instance = autocannon(
          // 30 s timeout: queueing on an overloaded machine is latency, not a failure.
          { url, connections: Math.max(1, share(spec.connections, spec.urls.length, i)), timeout: 30, duration: spec.warmupS + spec.durationS + 1, requests },
          (error: unknown, result: autocannon.Result) => {
            if (error) return reject(error instanceof Error ? error : new Error(String(error)));
            totals.errors += result.errors;
            totals.timeouts += result.timeouts;
            resolve();
          },
        );
        instance.on('response', (_client, statusCode, _bytes, responseTime) => {
          if (statusCode === 429) totals.rateLimited += 1;
          if (statusCode < 200 || statusCode >= 300) totals.non2xx += 1;
          if (!measuring) return;
          latencies.push(responseTime);
          perGateway[i] = (perGateway[i] ?? 0) + 1;
        });
      }),
  );
  // One window for all gateways, from the moment every autocannon runs.
  setTimeout(() => {
    measuring = true;
    windowStart = Date.now();
    send({ type: 'window-start' });
    setTimeout(() => {
      measuring = false;
      windowEnd = Date.now();
      send({ type: 'window-end' });
    }, spec.durationS * 1000);
  }, spec.warmupS * 1000);
  return Promise.all(runs).then(() => {
    const sorted = latencies.sort((a, b) => a - b);
    const seconds = (windowEnd - windowStart) / 1000;
    return {
      type: 'result',
      requests: sorted.length,
      durationS: seconds,
      rps: seconds > 0 ? sorted.length / seconds : 0,
      perGateway,
      latency: { p50: percentile(sorted, 50), p99: percentile(sorted, 99) },
      ...totals,
      sampleError,
    };
  });
}

async function main(): Promise<void> {
  const raw = process.env.BENCH_LOAD_SPEC;
  const send = process.send?.bind(process);
  if (!raw || !send) throw new Error('bench/lib/replicas-load.ts is started by bench/replicas.ts (BENCH_LOAD_SPEC and an IPC channel)');
  const result = await run(JSON.parse(raw) as ReplicaLoadSpec, (message) => send(message));
  await new Promise<void>((resolve) => send(result, () => resolve()));
  process.disconnect();
}

main().catch((error: unknown) => {
  console.error(`replica load generator failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
