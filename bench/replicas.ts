/**
 * `npm run bench:replicas`: govgate scaled out — 1, 2, 3 gateway processes on one database.
 *
 *   1. starts MongoDB (test/mongo's launcher with secondary indexes, as npm run bench; or MONGODB_URI) and
 *      loads the data set once (bench/lib/dataset.ts);
 *   2. per gateway count N: empties the audit log, starts N gateways (bench/servers/d-govgate.ts,
 *      NODE_ENV=production, the run's keys, one fresh AUDIT_WITNESS_DIR, the shared rate limit on),
 *      waits until each sees the others, checks each gateway's answer;
 *   3. drives them with one load process (one autocannon per gateway, connections split evenly,
 *      several distinct callers), reading CPU of every gateway, the database and the load generator;
 *   4. verifies the audit log through every gateway (lib/replicas-checks.ts), stops them, and checks
 *      the shared rate limit on N fresh gateways with a low limit: one caller sending round-robin
 *      at a known rate;
 *   5. writes bench/REPLICAS.md.
 *
 * Knobs: see lib/replicas-settings.ts (BENCH_QUICK=1 for a ~3 min smoke run).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { connectDatabase } from '../src/db/connect.js';
import { startJavaMongoServer, type RunningMongoServer } from '../src/db/java-mongo-server.js';
import { RATE_INSTANCES_COLLECTION, RATE_SPEND_COLLECTION } from '../src/security/index.js';
import { checkList, type GraphQLResponse } from './lib/checks.js';
import { POLICY_PACK, TENANT, loadDataset, plaintextContentCount, type LoadedDataset } from './lib/dataset.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, createBenchKeys, type BenchKeys } from './lib/keys.js';
import { machineInfo } from './lib/machine.js';
import { cpuTimeMs, killAllNow, machineBusyMs, nextMessage, spawnNode, stopAll, stopChild } from './lib/processes.js';
import { Q1 } from './lib/queries.js';
import { requestHeaders } from './lib/servers.js';
import { checkAuditAcrossInstances, checkSharedRateLimit, type RateCheck } from './lib/replicas-checks.js';
import type { ReplicaLoadResult, ReplicaLoadSpec } from './lib/replicas-load.js';
import { rowsOf, saturation, writeReplicaReport, type ReplicaPhase, type ReplicaSample } from './lib/replicas-report.js';
import { loadReplicaSettings, type ReplicaSettings } from './lib/replicas-settings.js';
import { fmt } from './lib/stats.js';

const started = Date.now();
const log = (line: string): void => console.log(`[replicas ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

interface Gateway {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
}

async function startGateway(env: Record<string, string>): Promise<Gateway> {
  const child = spawnNode('servers/d-govgate.ts', { env });
  const ready = await nextMessage<{ type: 'ready'; port: number; pid: number }>(child, 'ready', 180_000, 'gateway');
  return { child, pid: ready.pid, url: `http://127.0.0.1:${ready.port}/graphql` };
}

async function metricOf(gateway: Gateway, name: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', gateway.url))).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
}

/** Until every gateway splits the burst between all N (each has seen every heartbeat). */
async function untilAllSeeEachOther(gateways: readonly Gateway[]): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const seen = await Promise.all(gateways.map((g) => metricOf(g, 'govgate_rate_limit_instances')));
    if (seen.every((n) => n === gateways.length)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the gateways did not all see ${gateways.length} instances within 30 s (govgate_rate_limit_instances)`);
}

const post = async (url: string, query: string, token: string): Promise<GraphQLResponse & { status: number }> => {
  const response = await fetch(url, { method: 'POST', headers: requestHeaders(token), body: JSON.stringify({ query }) });
  return { ...((await response.json()) as GraphQLResponse), status: response.status };
};

interface Context {
  readonly settings: ReplicaSettings;
  readonly connection: Connection;
  readonly dbPid: number | null;
  readonly tokens: readonly string[];
}

const auditCount = (connection: Connection): Promise<number> => connection.collection('audit_events').countDocuments({ tenant: TENANT });

async function auditByChain(connection: Connection): Promise<Map<string, number>> {
  const rows = await connection.collection('audit_events').aggregate<{ _id: string; n: number }>([{ $match: { tenant: TENANT } }, { $group: { _id: '$chainId', n: { $sum: 1 } } }]).toArray();
  return new Map(rows.map((r) => [r._id, r.n]));
}

async function measure(ctx: Context, gateways: readonly Gateway[], round: number): Promise<ReplicaSample> {
  const { settings } = ctx;
  const spec: ReplicaLoadSpec = { urls: gateways.map((g) => g.url), tokens: [...ctx.tokens], body: JSON.stringify({ query: Q1 }), connections: settings.connections, warmupS: settings.warmupS, durationS: settings.durationS };
  const load = spawnNode('lib/replicas-load.ts', { env: { BENCH_LOAD_SPEC: JSON.stringify(spec) } });
  const limit = (settings.warmupS + settings.durationS + 120) * 1000;
  const windowStart = nextMessage(load, 'window-start', limit, 'load generator');
  const windowEnd = nextMessage(load, 'window-end', limit, 'load generator');
  const resultPromise = nextMessage<ReplicaLoadResult>(load, 'result', limit, 'load generator');
  for (const p of [windowStart, windowEnd, resultPromise]) p.catch(() => undefined);
  try {
    const read = () => ({
      gateways: gateways.map((g) => cpuTimeMs(g.pid)),
      db: ctx.dbPid === null ? null : cpuTimeMs(ctx.dbPid),
      load: load.pid === undefined ? null : cpuTimeMs(load.pid),
      machine: machineBusyMs(),
      at: Date.now(),
    });
    await windowStart;
    const before = read();
    const auditBefore = await auditCount(ctx.connection);
    await windowEnd;
    const after = read();
    const auditAfter = await auditCount(ctx.connection);
    const result = await resultPromise;
    const wallMs = after.at - before.at;
    const delta = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : b - a);
    const pctOfCore = (ms: number | null): number | null => (ms === null ? null : (100 * ms) / wallMs);
    const perReq = (ms: number | null): number | null => (ms === null || result.requests === 0 ? null : ms / result.requests);
    const gatewayMs = gateways.map((_, i) => delta(before.gateways[i] ?? null, after.gateways[i] ?? null));
    const allGatewaysMs = gatewayMs.every((v) => v !== null) ? (gatewayMs as number[]).reduce((a, b) => a + b, 0) : null;
    const dbMs = delta(before.db, after.db);
    const loadMs = delta(before.load, after.load);
    const machineMs = delta(before.machine, after.machine);
    const ours = (allGatewaysMs ?? 0) + (dbMs ?? 0) + (loadMs ?? 0);
    const failures: string[] = [];
    if (result.requests === 0) failures.push('no request completed in the window');
    if (result.errors) failures.push(`${result.errors} transport errors`);
    if (result.timeouts) failures.push(`${result.timeouts} timeouts`);
    if (result.rateLimited) failures.push(`${result.rateLimited} answered 429: the load callers hit their own limit (raise BENCH_CALLERS or BENCH_RATE_LIMIT_PER_SECOND)`);
    else if (result.non2xx) failures.push(`${result.non2xx} non-2xx`);
    if (result.graphqlErrors) failures.push(`${result.graphqlErrors} GraphQL errors (${result.sampleError ?? ''})`);
    return {
      replicas: gateways.length,
      round,
      requests: result.requests,
      rps: result.rps,
      p50: result.latency.p50,
      p99: result.latency.p99,
      perGatewayRps: result.perGateway.map((n) => n / result.durationS),
      gatewayCpuMsPerReq: perReq(allGatewaysMs),
      gatewayCpuPct: gatewayMs.map(pctOfCore),
      dbCpuMsPerReq: perReq(dbMs),
      dbCpuPct: pctOfCore(dbMs),
      loadCpuPct: pctOfCore(loadMs),
      machineBusyPct: machineMs === null ? null : (100 * machineMs) / (wallMs * cpus().length),
      foreignCpuPct: machineMs === null ? null : Math.max(0, (100 * (machineMs - ours)) / (wallMs * cpus().length)),
      auditPerRequest: result.requests ? (auditAfter - auditBefore) / result.requests : null,
      failures,
    };
  } finally {
    await stopChild(load);
  }
}

/** Each gateway answers q1 as the data set says (restricted and erasure-pending subjects redacted), writing one audit event. */
async function checkAnswers(ctx: Context, gateways: readonly Gateway[], dataset: LoadedDataset): Promise<string[]> {
  const problems: string[] = [];
  for (const [i, gateway] of gateways.entries()) {
    const before = await auditCount(ctx.connection);
    const json = await post(gateway.url, Q1, ctx.tokens[0]!);
    const after = await auditCount(ctx.connection);
    problems.push(...checkList(json, 'govgate', 100, 'service', dataset).map((p) => `gateway ${i + 1} q1: ${p}`));
    if (after - before !== 1) problems.push(`gateway ${i + 1}: ${after - before} audit events written before the response, expected 1`);
  }
  return problems;
}

/**
 * Until the requests the load generator left in flight are answered: the audit log has not grown
 * for two seconds (on a starved machine answers trickle in for a while after the load stops).
 */
async function untilAuditSettles(connection: Connection): Promise<void> {
  const until = Date.now() + 120_000;
  let last = await auditCount(connection);
  let stableSince = Date.now();
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await auditCount(connection);
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 2000) return;
  }
  throw new Error('the audit log kept growing for 2 minutes after the load stopped');
}

/** N fresh gateways with the limit under test: one caller sends round-robin at a known rate. */
async function rateCheck(n: number, env: Record<string, string>, settings: ReplicaSettings, keys: BenchKeys): Promise<RateCheck> {
  log(`starting ${n} gateway(s) limited to ${settings.ratePerSecond}/s, burst ${settings.rateBurst}, per caller`);
  const limited = await Promise.all(Array.from({ length: n }, () => startGateway(env)));
  try {
    await untilAllSeeEachOther(limited);
    const rate = await checkSharedRateLimit({
      gateways: limited.map((g) => g.url),
      token: await keys.token({ sub: `rate-check-${n}`, tenant: TENANT, roles: ['service'] }),
      sendRate: settings.checkRate,
      durationS: settings.checkDurationS,
      ratePerSecond: settings.ratePerSecond,
      burst: settings.rateBurst,
      syncMs: settings.rateSyncMs,
    });
    log(`rate limit: ${rate.admitted} of ${rate.sent} admitted over ${fmt(rate.spanS, 1)} s (one bucket: ${fmt(rate.ideal, 0)}, bound ${rate.bound}, ${n} per-process limits: ${rate.perProcess}) ${rate.passed ? 'ok' : 'OUT OF BOUND'}`);
    return rate;
  } finally {
    await Promise.all(limited.map((g) => stopChild(g.child)));
  }
}

/** Empties what one gateway count leaves for the next: audit log and rate-limit spend (the witness directory is fresh per count). */
async function resetBetweenCounts(connection: Connection): Promise<void> {
  // Dropped, not deleted: mongo-java-server fails deleteMany on the multikey audit index (see bench/run.ts).
  for (const name of ['audit_events', RATE_SPEND_COLLECTION, RATE_INSTANCES_COLLECTION]) await connection.collection(name).drop().catch(() => undefined);
}

async function run(): Promise<number> {
  const settings = loadReplicaSettings();
  const machine = machineInfo(!settings.mongoUri);
  log(`${settings.quick ? 'QUICK smoke run' : 'full run'}: ${settings.replicas.join(', ')} gateways, ${settings.users} users, ${settings.rounds} round(s) × ${settings.warmupS}+${settings.durationS} s, ${settings.connections} connections`);
  const tmp = await mkdtemp(join(tmpdir(), 'govgate-replicas-'));
  let mongo: RunningMongoServer | undefined;
  let connection: Connection | undefined;
  try {
    let uri = settings.mongoUri;
    let database = `MongoDB at ${uri ?? ''} (MONGODB_URI; its CPU is not measured)`;
    if (!uri) {
      log('starting MongoDB (test/mongo launcher with secondary indexes, no oplog; first run builds it with Maven)');
      mongo = await startJavaMongoServer({ indexed: true, oplog: false });
      uri = mongo.uri;
      database = 'mongo-java-server 1.47.0, in-memory backend with secondary indexes (test/mongo launcher, `indexed: true`, no oplog; a JVM on the same machine); not a mongod, and not a replica set';
    }
    const keys: BenchKeys = await createBenchKeys(tmp);
    connection = await connectDatabase({ uri, dbName: settings.dbName, writeConcern: 'majority' });
    log(`loading ${settings.users} users into ${settings.dbName}`);
    const dataset = await loadDataset(connection, settings.users, log, keys.stateSealKey, keys.masterKey);
    if ((await plaintextContentCount(connection)) > 0) throw new Error('stored titles / contents are not encrypted');
    const tokens = await Promise.all(Array.from({ length: settings.callers }, (_, i) => keys.token({ sub: `svc-bench-${i}`, tenant: TENANT, roles: ['service'] })));
    const officer = await keys.token({ sub: 'officer-bench', tenant: TENANT, roles: ['compliance_officer'] });
    const ctx: Context = { settings, connection, dbPid: mongo?.pid ?? null, tokens };
    const baseEnv = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      MONGODB_URI: uri,
      MONGODB_DB_NAME: settings.dbName,
      AUTH_JWKS_FILE: keys.jwksFile,
      AUTH_ISSUER: BENCH_ISSUER,
      AUTH_AUDIENCE: BENCH_AUDIENCE,
      PSEUDONYM_SECRET: keys.pseudonymSecret,
      STATE_SEAL_KEY: keys.stateSealKey,
      MASTER_KEY_FILE: keys.masterKeyFile,
      AUDIT_SIGNING_KEY: keys.auditKeyFile,
      POLICY_PACK,
      LOG_LEVEL: 'warn',
      // Shared, as in production; for throughput out of reach of the load's callers.
      RATE_LIMIT_SHARED: 'true',
      RATE_LIMIT_PER_SECOND: '100000',
      RATE_LIMIT_BURST: '1000000',
      RATE_LIMIT_SYNC_MS: String(settings.rateSyncMs),
      GOVGATE_STATE_DIR: join(tmp, 'state'),
    };
    const rateEnv = { RATE_LIMIT_PER_SECOND: String(settings.ratePerSecond), RATE_LIMIT_BURST: String(settings.rateBurst) };

    const phases: ReplicaPhase[] = [];
    for (const n of settings.replicas) {
      await resetBetweenCounts(connection);
      const env = { ...baseEnv, AUDIT_WITNESS_DIR: join(tmp, `witness-${n}`) };
      log(`starting ${n} gateway(s)`);
      const gateways = await Promise.all(Array.from({ length: n }, () => startGateway(env)));
      let phase: Omit<ReplicaPhase, 'replicas' | 'rate'>;
      try {
        await untilAllSeeEachOther(gateways);
        const problems = await checkAnswers(ctx, gateways, dataset);
        if (problems.length) {
          for (const p of problems) console.error(`✗ ${p}`);
          throw new Error(`${problems.length} correctness check(s) failed with ${n} gateway(s): nothing was timed`);
        }
        const correctness = [`every gateway answered q1 as the data set says and wrote its audit event before responding; each splits the rate limit between ${n} instance(s)`];
        const samples: ReplicaSample[] = [];
        for (let round = 1; round <= settings.rounds; round += 1) {
          const sample = await measure(ctx, gateways, round);
          samples.push(sample);
          log(`${n} gateway(s), round ${round}: ${fmt(sample.rps, 0)} req/s (${sample.perGatewayRps.map((r) => fmt(r, 0)).join(' / ')}), p50 ${fmt(sample.p50, 1)} ms, p99 ${fmt(sample.p99, 1)} ms, gateways ${fmt(sample.gatewayCpuMsPerReq, 2)} ms/req, DB ${fmt(sample.dbCpuPct, 0)}% of a core, machine ${fmt(sample.machineBusyPct, 0)}% busy${sample.failures.length ? ` ⚠ ${sample.failures.join('; ')}` : ''}`);
        }
        await untilAuditSettles(connection);
        log(`verifying the audit log through each of the ${n} gateway(s)`);
        const audit = await checkAuditAcrossInstances(
          gateways.map((g) => g.url),
          officer,
          () => auditByChain(connection!),
        );
        log(`audit: ${audit.passed ? 'every instance verified every chain; heads consistent' : `FAILED: ${audit.problems.join('; ')}`}`);
        phase = { samples, audit, correctness };
      } finally {
        await Promise.all(gateways.map((g) => stopChild(g.child)));
      }
      phases.push({ replicas: n, ...phase, rate: await rateCheck(n, { ...env, ...rateEnv }, settings, keys) });
    }

    await writeReplicaReport(settings.resultsFile, { settings, machine, database, dataset, query: `q1 (\`${Q1}\`)`, phases, elapsedS: (Date.now() - started) / 1000 });
    console.log(`\n${saturation(rowsOf(phases), machine.cores)}\n`);
    log(`wrote ${settings.resultsFile}`);
    const failed = phases.filter((p) => !p.audit.passed || !p.rate.passed || p.samples.some((s) => s.failures.length > 0));
    if (failed.length) {
      console.error(`checks failed at ${failed.map((p) => p.replicas).join(', ')} gateway(s): see the report`);
      return 1;
    }
    return 0;
  } finally {
    await stopAll();
    await connection?.close().catch(() => undefined);
    await mongo?.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

let exiting = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (exiting) return;
    exiting = true;
    log(`${signal}: stopping every child process`);
    void stopAll(2000).finally(() => process.exit(130));
  });
}
process.once('exit', killAllNow);

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench:replicas failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
