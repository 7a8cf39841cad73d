/**
 * One measurement: the load generator (one process for the run, bench/load.ts) drives a server
 * for warm-up + window; CPU counters of the server, the database and the load generator are read
 * at the window's edges, while the load is steady.
 */
import type { ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import type { Connection } from 'mongoose';
import type { LoadResult, LoadSpec } from '../load.js';
import type { Sample } from './aggregate.js';
import { cpuTimeMs, machineBusyMs, nextMessage, spawnNode } from './processes.js';
import type { GraphQLBody } from './queries.js';
import { requestHeaders, type RunningServer } from './servers.js';

export interface MeasureContext {
  readonly connection: Connection;
  readonly dbPid: number | null;
  readonly load: ChildProcess;
}

export interface MeasureOptions {
  readonly section: Sample['section'];
  readonly query: string;
  readonly round: number;
  readonly warmupS: number;
  readonly durationS: number;
  readonly countAudit: boolean;
  readonly connections: number;
}

/** The run's load generator, ready for its first measurement. */
export async function startLoadGenerator(): Promise<ChildProcess> {
  const load = spawnNode('load.ts', { env: {} });
  await nextMessage(load, 'ready', 120_000, 'load generator');
  return load;
}

export const auditCount = (connection: Connection): Promise<number> => connection.collection('audit_events').countDocuments({});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until a process is idle (under 10 % of a core over 200 ms, at most `capMs`): when the load
 * stops, a saturated server still works through the requests it had accepted, and that tail must
 * not land in the next measurement's window (its CPU, its audit events).
 */
export async function settle(pids: readonly (number | null)[], capMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + capMs;
  const busy = (): number => pids.reduce<number>((sum, pid) => sum + (pid === null ? 0 : (cpuTimeMs(pid) ?? 0)), 0);
  let last = busy();
  while (Date.now() < deadline) {
    await sleep(200);
    const now = busy();
    if (now - last < 20) return true;
    last = now;
  }
  return false;
}

export async function measure(ctx: MeasureContext, server: RunningServer, body: GraphQLBody, token: string, headers: Record<string, string>, o: MeasureOptions): Promise<Sample> {
  const spec: LoadSpec = { url: server.url, headers: requestHeaders(token, headers), body: JSON.stringify(body), connections: o.connections, warmupS: o.warmupS, durationS: o.durationS };
  const limit = (o.warmupS + o.durationS + 120) * 1000;
  const windowStart = nextMessage(ctx.load, 'window-start', limit, 'load generator');
  const windowEnd = nextMessage(ctx.load, 'window-end', limit, 'load generator');
  const resultPromise = nextMessage<LoadResult>(ctx.load, 'result', limit, 'load generator');
  // Unhandled if the generator dies early; awaited in order below.
  for (const p of [windowStart, windowEnd, resultPromise]) p.catch(() => undefined);
  ctx.load.send({ type: 'run', spec });
  const loadPid = ctx.load.pid ?? null;
  const read = () => ({
    server: cpuTimeMs(server.pid),
    db: ctx.dbPid === null ? null : cpuTimeMs(ctx.dbPid),
    load: loadPid === null ? null : cpuTimeMs(loadPid),
    machine: machineBusyMs(),
    at: Date.now(),
  });
  await windowStart;
  const before = read();
  const auditWarm = o.countAudit ? await auditCount(ctx.connection) : null;
  await windowEnd;
  const after = read();
  const audit1 = o.countAudit ? await auditCount(ctx.connection) : null;
  const result = await resultPromise;
  if (!(await settle([server.pid, ctx.dbPid]))) console.warn(`[bench] ${server.spec.name} or the database still busy 15 s after the load stopped`);
  const failures: string[] = [];
  if (result.requests === 0) failures.push('no request completed (raise BENCH_DURATION_S)');
  if (result.errors) failures.push(`${result.errors} transport errors`);
  if (result.timeouts) failures.push(`${result.timeouts} timeouts`);
  if (result.non2xx) failures.push(`${result.non2xx} non-2xx`);
  if (result.graphqlErrors) failures.push(`${result.graphqlErrors} GraphQL errors (${result.sampleError ?? ''})`);
  const delta = (key: 'server' | 'db' | 'load' | 'machine'): number | null => {
    const a = before[key];
    const b = after[key];
    return a === null || b === null ? null : b - a;
  };
  const perRequest = (value: number | null): number | null => (value === null || result.requests === 0 ? null : value / result.requests);
  // CPU the machine spent on anything but this server, the database and the load generator.
  const machine = delta('machine');
  const ours = (delta('server') ?? 0) + (delta('db') ?? 0) + (delta('load') ?? 0);
  const foreignCpuPct = machine === null ? null : Math.max(0, (100 * (machine - ours)) / ((after.at - before.at) * cpus().length));
  return {
    section: o.section,
    query: o.query,
    variant: server.spec.name,
    round: o.round,
    connections: o.connections,
    rps: result.rps,
    // NaN (no response in the window) arrives as null: JSON over IPC.
    p50: result.latency.p50 ?? Number.NaN,
    p99: result.latency.p99 ?? Number.NaN,
    cpuMsPerReq: perRequest(delta('server')),
    dbCpuMsPerReq: perRequest(delta('db')),
    requests: result.requests,
    failures,
    auditEvents: auditWarm === null || audit1 === null ? null : audit1 - auditWarm,
    foreignCpuPct,
  };
}
