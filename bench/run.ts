/**
 * `npm run bench`: govgate side by side with what a team would run instead, on the same data.
 *
 *   1. starts MongoDB (test/mongo's mongo-java-server launcher with --indexed; or MONGODB_URI) and
 *      loads the data set through govgate's models;
 *   2. starts every variant as its own process on 127.0.0.1 (bench/servers/*);
 *   3. checks every variant's answer to every query; any mismatch aborts the run;
 *   4. measures with autocannon in a separate process (bench/load.ts), interleaved rounds;
 *   5. scaling: users per request (A, D) and governed fields in the schema (synthetic type);
 *   6. writes bench/RESULTS.md.
 *
 * Knobs (environment): BENCH_QUICK=1 (smoke run, ~3 min), BENCH_DURATION_S, BENCH_WARMUP_S,
 * BENCH_ROUNDS, BENCH_SCALE_DURATION_S, BENCH_SCALE_WARMUP_S, BENCH_SCALE_ROUNDS,
 * BENCH_CONNECTIONS, BENCH_USERS, BENCH_VARIANTS=A,D, BENCH_QUERIES=q1, BENCH_SKIP_SCALING=1,
 * BENCH_CPU_PROF=D (those variants run with --cpu-prof; profiles in bench/profiles/),
 * MONGODB_URI (use that server; the bench drops and reloads database BENCH_DB_NAME, default
 * govgate_bench), BENCH_RESULTS_FILE.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { connectDatabase } from '../src/db/connect.js';
import { startJavaMongoServer, type RunningMongoServer } from '../src/db/java-mongo-server.js';
import { messageModel } from '../src/features/conversations/index.js';
import { checkAddMessage, checkList, checkMe, checkSynthetic, type GraphQLResponse, type VariantKind } from './lib/checks.js';
import { ME_USER, POLICY_PACK, TENANT, isRedactedForService, loadDataset, plaintextContentCount, subjectOf, type LoadedDataset } from './lib/dataset.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, createBenchKeys, type BenchKeys } from './lib/keys.js';
import { machineInfo } from './lib/machine.js';
import { cpus } from 'node:os';
import { BENCH_DIR, cpuTimeMs, killAllNow, machineBusyMs, nextMessage, spawnNode, stopAll, stopChild } from './lib/processes.js';
import { Q1, Q2, Q3, Q3_CONTENT, listQuery, syntheticQuery, type GraphQLBody } from './lib/queries.js';
import { mainTable, writeReport, type ReportInput, type Sample } from './lib/report.js';
import { loadSettings, type Settings } from './lib/settings.js';
import type { LoadResult } from './load.js';

const started = Date.now();
const log = (line: string): void => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

// ---------------------------------------------------------------- servers

interface ServerSpec {
  readonly name: string;
  readonly entry: string;
  readonly kind: VariantKind;
  readonly description: string;
  readonly env: Record<string, string>;
}

interface RunningServer {
  readonly spec: ServerSpec;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
}

async function startServer(spec: ServerSpec, settings: Settings): Promise<RunningServer> {
  const profiled = settings.cpuProf.includes(spec.name);
  // One directory per server: node writes a profile per thread (the main thread's is the big one;
  // tsx's module loader runs on a second thread).
  const profileDir = join(BENCH_DIR, 'profiles', `${spec.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  if (profiled) await mkdir(profileDir, { recursive: true });
  const child = spawnNode(spec.entry, { env: spec.env, nodeArgs: profiled ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [] });
  const ready = await nextMessage<{ type: 'ready'; port: number; pid: number }>(child, 'ready', 180_000, `server ${spec.name}`);
  return { spec, child, pid: ready.pid, url: `http://127.0.0.1:${ready.port}/graphql` };
}

const HEADERS = (token: string): Record<string, string> => ({
  'content-type': 'application/json',
  accept: 'application/graphql-response+json, application/json',
  authorization: `Bearer ${token}`,
  'user-agent': 'govgate-bench/1',
});

async function post(server: RunningServer, body: GraphQLBody, token: string): Promise<GraphQLResponse & { status: number }> {
  const response = await fetch(server.url, { method: 'POST', headers: HEADERS(token), body: JSON.stringify(body) });
  const json = (await response.json()) as GraphQLResponse;
  return { ...json, status: response.status };
}

// ---------------------------------------------------------------- measurement

interface Context {
  readonly settings: Settings;
  readonly connection: Connection;
  readonly dbPid: number | null;
  readonly samples: Sample[];
}

async function auditCount(connection: Connection): Promise<number> {
  return connection.collection('audit_events').countDocuments({});
}

/** Keeps the database the same size from one measurement to the next. */
async function resetBetweenMeasurements(ctx: Context, q3Conversation: string, dataset: LoadedDataset): Promise<void> {
  await messageModel(ctx.connection).deleteMany({ tenant: TENANT, conversationId: q3Conversation, _id: { $nin: dataset.messageIdsOf(q3Conversation) } });
}

interface MeasureOptions {
  readonly section: Sample['section'];
  readonly query: string;
  readonly round: number;
  readonly warmupS: number;
  readonly durationS: number;
  readonly countAudit: boolean;
  readonly connections: number;
}

/**
 * Empties the audit log between measurements. Dropped rather than deleted: mongo-java-server fails
 * deleteMany on the multikey access-log index (tenant, subjects, _id) ("Found no position").
 */
async function clearAudit(connection: { collection(name: string): { drop(): Promise<unknown> } }): Promise<void> {
  await connection.collection('audit_events').drop().catch(() => undefined);
}

async function measure(ctx: Context, server: RunningServer, body: GraphQLBody, token: string, o: MeasureOptions): Promise<Sample> {
  const spec = { url: server.url, headers: HEADERS(token), body: JSON.stringify(body), connections: o.connections, warmupS: o.warmupS, durationS: o.durationS };
  const load = spawnNode('load.ts', { env: { BENCH_LOAD_SPEC: JSON.stringify(spec) } });
  const limit = (o.warmupS + o.durationS + 120) * 1000;
  const windowStart = nextMessage(load, 'window-start', limit, 'load generator');
  const windowEnd = nextMessage(load, 'window-end', limit, 'load generator');
  const resultPromise = nextMessage<LoadResult>(load, 'result', limit, 'load generator');
  // Unhandled if the generator dies early; awaited in order below.
  for (const p of [windowStart, windowEnd, resultPromise]) p.catch(() => undefined);
  try {
    const loadPid = load.pid ?? null;
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
      rps: result.rps,
      p50: result.latency.p50,
      p99: result.latency.p99,
      cpuMsPerReq: perRequest(delta('server')),
      dbCpuMsPerReq: perRequest(delta('db')),
      requests: result.requests,
      failures,
      auditEvents: auditWarm === null || audit1 === null ? null : audit1 - auditWarm,
      foreignCpuPct,
    };
  } finally {
    await stopChild(load);
  }
}

// ---------------------------------------------------------------- main

interface Case {
  readonly id: string;
  readonly description: string;
  readonly body: GraphQLBody;
  readonly token: string;
  readonly check: (json: GraphQLResponse, kind: VariantKind) => string[];
  readonly mutates: boolean;
}

async function run(): Promise<number> {
  const settings = loadSettings();
  const machine = machineInfo(!settings.mongoUri);
  log(`${settings.quick ? 'QUICK smoke run' : 'full run'}: ${settings.users} users, ${settings.rounds} round(s) × ${settings.warmupS}+${settings.durationS} s, ${settings.connections} connections`);
  const tmp = await mkdtemp(join(tmpdir(), 'govgate-bench-'));
  let mongo: RunningMongoServer | undefined;
  let connection: Connection | undefined;
  const samples: Sample[] = [];
  const correctness: string[] = [];
  try {
    // 1. database and data
    let uri = settings.mongoUri;
    let database = `MongoDB at ${uri ?? ''} (MONGODB_URI)`;
    if (!uri) {
      log('starting MongoDB (mongo-java-server, indexed backend, no oplog; first run builds it with Maven)');
      mongo = await startJavaMongoServer({ indexed: true, oplog: false });
      uri = mongo.uri;
      database = 'mongo-java-server 1.47.0, in-memory backend with secondary indexes (test/mongo launcher, `indexed: true`, no oplog; same VM as the servers)';
    }
    // Keys first: the data set is sealed with the state seal key the gateway verifies with, and its
    // content encrypted under data keys wrapped by the master key every variant opens them with.
    const keys: BenchKeys = await createBenchKeys(tmp);
    connection = await connectDatabase({ uri, dbName: settings.dbName, writeConcern: 'majority' });
    log(`loading ${settings.users} users into ${settings.dbName}`);
    const dataset = await loadDataset(connection, settings.users, log, keys.stateSealKey, keys.masterKey);
    log(`loaded ${dataset.users} users, ${dataset.conversations} conversations, ${dataset.messages} messages, ${dataset.consents} consents`);
    const plaintext = await plaintextContentCount(connection);
    if (plaintext > 0) throw new Error(`${plaintext} stored titles / contents are not encrypted`);
    correctness.push('stored conversation titles and message contents are ciphertext (AES-256-GCM under per-subject data keys, as the gateway writes them); every variant decrypts what it returns');
    const ctx: Context = { settings, connection, dbPid: mongo?.pid ?? null, samples };

    // 2. tokens, servers
    const q3Owner = settings.users - 1;
    const q3Conversation = dataset.conversationIdsOf(q3Owner)[0];
    if (!q3Conversation) throw new Error('q3 owner has no conversation');
    const tokens = {
      service: await keys.token({ sub: 'svc-bench', tenant: TENANT, roles: ['service'] }),
      support: await keys.token({ sub: 'sup-bench', tenant: TENANT, roles: ['support'] }),
      me: await keys.token({ sub: subjectOf(ME_USER), tenant: TENANT, roles: ['user'] }),
      owner: await keys.token({ sub: subjectOf(q3Owner), tenant: TENANT, roles: ['user'] }),
    };
    // The peers decrypt stored content too (bench/servers/peer-keys.ts): the same master key file.
    const peerEnv = { BENCH_MONGODB_URI: uri, BENCH_DB_NAME: settings.dbName, BENCH_JWKS_FILE: keys.jwksFile, BENCH_ISSUER, BENCH_AUDIENCE, MASTER_KEY_FILE: keys.masterKeyFile };
    const govgateEnv = {
      ...peerEnv,
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
      LOG_LEVEL: 'silent',
      POLICY_PACK,
      // One bench caller would be throttled by the per-caller token bucket (default 50/s): keep the
      // limiter on, but out of reach. Cost limit: the 1000-user scaling query costs ~54 000.
      RATE_LIMIT_PER_SECOND: '100000',
      RATE_LIMIT_BURST: '1000000',
      MAX_COST: '100000',
      GOVGATE_STATE_DIR: join(tmp, 'state'),
    };
    const allSpecs: ServerSpec[] = [
      { name: 'A', entry: 'servers/a-plain.ts', kind: 'plain', env: peerEnv, description: 'plain graphql-yoga + Pothos (Relay plugin), same schema shapes, models, DataLoaders and pagination; verifies the JWT (jose, same JWKS, issuer, audience) and nothing else' },
      { name: 'B', entry: 'servers/b-shield.ts', kind: 'peer', env: peerEnv, description: `graphql-shield 7.6.5 + graphql-middleware 6.1.35 over A's schema, a rule on every field: role rules (cache 'contextual'), owner / same-tenant rules (cache 'strict'); denied → null / []` },
      { name: 'C', entry: 'servers/c-scope-auth.ts', kind: 'peer', env: peerEnv, description: "@pothos/plugin-scope-auth 4.2.1: the same rules as B as scopes (role scopes once per request, owner / tenant as authScopes functions); denied → null / [] via unauthorizedResolver" },
      { name: 'D', entry: 'servers/d-govgate.ts', kind: 'govgate', env: govgateEnv, description: `govgate (createGateway, NODE_ENV=production, pack ${POLICY_PACK}): JWT, purpose, cached plan, per-value decisions with subject state and consent, redaction, audit event persisted before the response` },
      { name: 'D-noaudit', entry: 'servers/d-govgate.ts', kind: 'govgate', env: { ...govgateEnv, BENCH_AUDIT: 'off' }, description: "D with the audit writer's append replaced by a no-op (bench-only monkeypatch; govgate has no switch)" },
    ];
    const specs = allSpecs.filter((s) => !settings.variants || settings.variants.includes(s.name) || s.name === 'A');
    log(`starting servers ${specs.map((s) => s.name).join(', ')}`);
    const servers = await Promise.all(specs.map((s) => startServer(s, settings)));
    const byName = new Map(servers.map((s) => [s.spec.name, s]));

    // 3. correctness
    const allCases: Case[] = [
      {
        id: 'q1',
        description: `\`${Q1}\` as a \`service\` caller (tenant-wide grant of every user category for essential.service; every value needs the subject's state: erasure, restriction, objections, consent, retention)`,
        body: { query: Q1 },
        token: tokens.service,
        check: (json, kind) => checkList(json, kind, 100, 'service', dataset),
        mutates: false,
      },
      {
        id: 'q2',
        description: `\`${Q2}\` as user ${subjectOf(ME_USER)} (own data: decided without subject state)`,
        body: { query: Q2 },
        token: tokens.me,
        check: (json, kind) => checkMe(json, kind, ME_USER),
        mutates: false,
      },
      {
        id: 'q3',
        description: `\`addMessage(conversationId, role: USER, content)\` returning \`{ id role content }\`, as the conversation's owner ${subjectOf(q3Owner)} (the messages it adds are deleted after each measurement)`,
        body: { query: Q3, variables: { conversationId: q3Conversation, content: Q3_CONTENT } },
        token: tokens.owner,
        check: (json, kind) => checkAddMessage(json, kind, Q3_CONTENT),
        mutates: true,
      },
    ];
    const cases = allCases.filter((c) => !settings.queries || settings.queries.includes(c.id));
    log('checking every variant before timing');
    const failures: string[] = [];
    for (const server of servers) {
      for (const c of cases) {
        const before = await auditCount(connection);
        const json = await post(server, c.body, c.token);
        const after = await auditCount(connection);
        const problems = c.check(json, server.spec.kind);
        if (server.spec.kind === 'govgate') {
          // A mutation writes its intent before the effect and its outcome after.
          const expected = server.spec.name === 'D-noaudit' ? 0 : c.mutates ? 2 : 1;
          if (after - before !== expected) problems.push(`audit events written before the response: ${after - before}, expected ${expected}`);
        }
        if (problems.length) failures.push(`${server.spec.name} ${c.id}: ${problems.join(' | ')}`);
      }
      // The support role: D masks e-mails, B / C withhold them, A shows everything.
      const support = checkList(await post(server, { query: Q1 }, tokens.support), server.spec.kind, 100, 'support', dataset);
      if (support.length) failures.push(`${server.spec.name} q1 as support: ${support.join(' | ')}`);
    }
    await resetBetweenMeasurements(ctx, q3Conversation, dataset);
    if (failures.length) {
      for (const f of failures) console.error(`✗ ${f}`);
      throw new Error(`${failures.length} correctness check(s) failed: nothing was timed`);
    }
    const redactedSubjects = Array.from({ length: 100 }, (_, i) => i).filter(isRedactedForService).length;
    correctness.push(
      `every variant × query answered as expected (${servers.length} variants × ${cases.length} queries, plus q1 as \`support\`)`,
      `q1 / \`service\`: A, B, C return all 100 users in full; D redacts the restricted and erasure-pending subjects (${redactedSubjects} of the first 100: id hashed, name truncated, email masked, country null, conversations dropped; ${redactedSubjects * 5} redactions listed in extensions.governance)`,
      `q1 / \`support\`: D masks every email (\`u***@bench.example.com\`), nulls country, drops conversations, and also hashes / truncates the identity of the ${redactedSubjects} redacted subjects (${300 + redactedSubjects * 2} redactions); B and C return null / [] for email, country, conversations; A (no authorization) returns everything`,
      "q2: every variant returns the caller's own profile, both conversations and all six messages unredacted",
      'q3: every variant stores and returns the message; D wrote exactly one audit event per request before responding, D-noaudit none',
    );
    log('all variants answered correctly');

    // 4. main rounds: A, B, C, D, D-noaudit, A, B, …
    // A is always measured: every ratio is taken against A in the same round.
    const mainVariants = servers.filter((s) => !settings.variants || settings.variants.includes(s.spec.name) || s.spec.name === 'A');
    const total = settings.rounds * cases.length * mainVariants.length;
    let done = 0;
    for (let round = 1; round <= settings.rounds; round += 1) {
      for (const c of cases) {
        for (const server of mainVariants) {
          done += 1;
          const sample = await measure(ctx, server, c.body, c.token, {
            section: 'main', query: c.id, round, warmupS: settings.warmupS, durationS: settings.durationS, countAudit: server.spec.kind === 'govgate', connections: settings.connections,
          });
          samples.push(sample);
          log(`[${done}/${total}] round ${round} ${c.id} ${server.spec.name}: ${sample.rps.toFixed(0)} req/s, p50 ${sample.p50.toFixed(1)} ms, p99 ${sample.p99.toFixed(1)} ms, CPU ${sample.cpuMsPerReq?.toFixed(2) ?? '–'} ms/req${sample.failures.length ? ` ⚠ ${sample.failures.join('; ')}` : ''}`);
          if (c.mutates) await resetBetweenMeasurements(ctx, q3Conversation, dataset);
          if (server.spec.kind === 'govgate') await clearAudit(connection);
        }
      }
    }
    for (const server of servers) if (!['A', 'D'].includes(server.spec.name)) await stopChild(server.child);

    // 5a. scaling: users per request
    const listSizes = [10, 100, 1000].filter((size) => size <= settings.users);
    const scaleServers = ['A', 'D'].map((name) => byName.get(name)).filter((s): s is RunningServer => s !== undefined);
    if (!settings.skipScaling && scaleServers.length === 2) {
      const a = scaleServers[0] as RunningServer;
      const cursors: string[] = [];
      for (let page = 0; page < 9; page += 1) {
        const after = cursors.at(-1);
        const json = await post(a, { query: `{ users(first: 100${after ? `, after: ${JSON.stringify(after)}` : ''}) { pageInfo { endCursor } } }` }, tokens.service);
        const cursor = ((json.data?.users as { pageInfo?: { endCursor?: string } } | undefined)?.pageInfo?.endCursor) ?? null;
        if (!cursor) throw new Error('could not page through users for the 1000-user query');
        cursors.push(cursor);
      }
      for (const size of listSizes) {
        for (const server of scaleServers) {
          const problems = checkList(await post(server, { query: listQuery(size, cursors) }, tokens.service), server.spec.kind, size, 'service', dataset);
          if (problems.length) throw new Error(`${server.spec.name} list-${size}: ${problems.join(' | ')}`);
        }
      }
      correctness.push(`users-per-request scaling: A and D answered ${listSizes.join(' / ')} users correctly (D: restricted / erasure-pending subjects redacted)`);
      for (let round = 1; round <= settings.scaleRounds; round += 1) {
        for (const size of listSizes) {
          for (const server of scaleServers) {
            const sample = await measure(ctx, server, { query: listQuery(size, cursors) }, tokens.service, {
              section: 'list', query: `list-${size}`, round, warmupS: settings.scaleWarmupS, durationS: settings.scaleDurationS, countAudit: server.spec.kind === 'govgate', connections: settings.scaleConnections,
            });
            samples.push(sample);
            log(`round ${round} list-${size} ${server.spec.name}: ${sample.rps.toFixed(0)} req/s, p99 ${sample.p99.toFixed(1)} ms, CPU ${sample.cpuMsPerReq?.toFixed(2) ?? '–'} ms/req`);
            if (server.spec.kind === 'govgate') await clearAudit(connection);
          }
        }
      }
    }
    for (const server of scaleServers) await stopChild(server.child);

    // 5b. scaling: governed fields in the schema
    const schemaSizes = [50, 500];
    const schemaRows = 20;
    if (!settings.skipScaling) {
      const synthSpecs: ServerSpec[] = schemaSizes.flatMap((size) => [
        { name: `plain-${size}`, entry: 'servers/synthetic.ts', kind: 'plain' as const, env: { ...govgateEnv, SYNTH_FIELDS: String(size), SYNTH_GOVERNED: '0', SYNTH_ROWS: String(schemaRows) }, description: '' },
        { name: `governed-${size}`, entry: 'servers/synthetic.ts', kind: 'govgate' as const, env: { ...govgateEnv, SYNTH_FIELDS: String(size), SYNTH_GOVERNED: '1', SYNTH_ROWS: String(schemaRows) }, description: '' },
      ]);
      log(`starting synthetic servers ${synthSpecs.map((s) => s.name).join(', ')}`);
      const synth = await Promise.all(synthSpecs.map((s) => startServer(s, settings)));
      const queriesFor = (size: number) => [
        { id: `schema-${size}-all`, fields: size },
        { id: `schema-${size}-10`, fields: 10 },
      ];
      for (const server of synth) {
        const size = Number(server.spec.env.SYNTH_FIELDS);
        for (const q of queriesFor(size)) {
          const problems = checkSynthetic(await post(server, { query: syntheticQuery(q.fields, schemaRows) }, tokens.service), server.spec.kind === 'govgate', q.fields, schemaRows);
          if (problems.length) throw new Error(`${server.spec.name} ${q.id}: ${problems.join(' | ')}`);
        }
      }
      correctness.push('schema-size scaling: plain servers return every value; governed servers redact every marketing-only field (PURPOSE) and list the redactions');
      for (let round = 1; round <= settings.scaleRounds; round += 1) {
        for (const size of schemaSizes) {
          for (const q of queriesFor(size)) {
            for (const server of synth.filter((s) => Number(s.spec.env.SYNTH_FIELDS) === size)) {
              const sample = await measure(ctx, server, { query: syntheticQuery(q.fields, schemaRows) }, tokens.service, {
                section: 'schema', query: q.id, round, warmupS: settings.scaleWarmupS, durationS: settings.scaleDurationS, countAudit: server.spec.kind === 'govgate', connections: settings.scaleConnections,
              });
              samples.push(sample);
              log(`round ${round} ${q.id} ${server.spec.name}: ${sample.rps.toFixed(0)} req/s, p99 ${sample.p99.toFixed(1)} ms, CPU ${sample.cpuMsPerReq?.toFixed(2) ?? '–'} ms/req`);
              if (server.spec.kind === 'govgate') await clearAudit(connection);
            }
          }
        }
      }
      for (const server of synth) await stopChild(server.child);
    }

    // 6. report
    const input: ReportInput = {
      settings,
      machine,
      database,
      dataset,
      variants: specs.map((s) => ({ name: s.name, description: s.description })),
      queries: cases.map((c) => ({ id: c.id, description: c.description })),
      samples,
      correctness,
      listSizes: settings.skipScaling ? [] : listSizes,
      schemaSizes: settings.skipScaling ? [] : schemaSizes,
      schemaRows,
      elapsedS: (Date.now() - started) / 1000,
      notes: NOTES,
    };
    await writeReport(settings.resultsFile, input);
    console.log(`\n${mainTable(input).join('\n')}\n`);
    log(`wrote ${settings.resultsFile}`);
    const failed = samples.filter((s) => s.failures.length > 0);
    if (failed.length) {
      console.error(`${failed.length} measurement(s) saw failed requests: see the report`);
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

const NOTES: readonly string[] = [
  'All processes share one 2-core VM: the server under load, the load generator, and the database (a JVM). Absolute numbers are therefore low and noisy; the ratios measured in the same round are the meaningful part, and CPU per request of the server process is the least noisy measure of a gateway\'s own cost.',
  'Database: the stock mongo-java-server memory backend ignores every non-unique index and answers `{tenant, owner: {$in: [...]}}` by scanning the collection (~250 ms per q1 request for 20 000 conversations; `{tenant, _id}` lookups scan too), which would turn every variant into a scan benchmark. The bench starts test/mongo\'s launcher with `indexed: true` (`--indexed`: the same server and version with secondary indexes — hash lookup, _id-ordered walk for sorted limited reads, unique indexes narrowing queries on more keys) and `oplog: false` (no change streams in govgate); set MONGODB_URI to run against a real mongod instead. Its DB CPU per request is still far above a real mongod\'s: read it as a relative measure.',
  'All variants read through govgate\'s own models, DataLoaders (per request), `paginateById` and input validation; the peers get a context with only `caller` and `connection` (plus a silent logger and the request id, for decryption). Conversation titles and message contents are stored encrypted (AES-256-GCM under per-subject data keys wrapped by MASTER_KEY_FILE, written by the models\' own plugin when the data set is loaded and on addMessage); every variant opens them with govgate\'s `openContent` (one batched key load per request, its own key cache over the same master key), so storage decryption is paid by all and governance is what differs. D decrypts only values its decisions let out; B and C only fields their rules allow. All verify the same ES256 JWT with govgate\'s verifier (jose jwtVerify, same JWKS file, issuer, audience, allowed algorithms).',
  'B and C enforce the static part of the policy only (role and owner / tenant); they do not load subject state, so they cannot honour restriction, objection, consent, erasure or retention, and they return null instead of masked / hashed / truncated values. That per-value work (one consent query per request for all subjects, decisions per value, the redaction list, the audit event) is what D adds.',
  'D-noaudit replaces `gateway.audit.writer.append` after createGateway with a resolved no-op: the audit event is still assembled (requestEvent) but not hashed, chained or inserted. A real switch would need govgate to accept an audit writer (or an AUDIT_MODE) in GatewayOptions / config.',
  'D runs with RATE_LIMIT_PER_SECOND=100000 and RATE_LIMIT_BURST=1000000 (the per-caller token bucket stays in the request path, but one bench caller would otherwise be throttled at the default 50/s) and MAX_COST=100000 (the 1000-user scaling query costs ~54 000 against the default limit of 25000); every other setting is the production default.',
  'q3 (addMessage) writes a message per request; the bench deletes them after each measurement, and deletes the audit events after each measurement of a govgate variant (after counting them), so every measurement starts from the same database size.',
  '`User.conversations` is classified `user.content.private` (retention 90 days in deepailab) and is judged by the parent User\'s `createdAt`: for users older than 90 days a non-owner (e.g. `service`) would get conversations dropped. The bench loads users "now", so this does not show here.',
  'Variant C\'s schema is JavaScript (bench/servers/c-scope-auth-schema.js): scope-auth\'s global type augmentation makes its builder option required for every SchemaBuilder in a TypeScript program, which would break src/builder.ts under `tsc -p .`.',
  'Profiling: BENCH_CPU_PROF=D npm run bench starts that variant with --cpu-prof (profiles in bench/profiles/, written when the server stops); BENCH_VARIANTS=A,D BENCH_QUERIES=q1 BENCH_SKIP_SCALING=1 narrows a run to what is being optimised.',
];

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
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
