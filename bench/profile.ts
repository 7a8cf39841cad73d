/**
 * In-process profile of one query: the gateway (createGateway, production configuration, the bench
 * data set) driven through `yoga.fetch` with no network, `PROFILE_CONCURRENCY` requests in flight,
 * for `PROFILE_REQUESTS` requests after a warm-up. Prints server CPU per request and, with
 * `PROFILE_OUT`, writes a V8 CPU profile of the measured requests (not of the set-up) to open in DevTools.
 * With `PROFILE_BREAKDOWN=1` a second JSON line follows: that profile's CPU by bucket
 * (lib/profile-breakdown.ts), each bucket's share of the sampled time and that share of the CPU per
 * request in µs.
 *
 *   NODE_ENV=production node --import tsx bench/profile.ts q1                     # 100 users, service role (q2, q3, q4: as the bench sends them)
 *   NODE_ENV=production PROFILE_FIELDS=500 node --import tsx bench/profile.ts synthetic
 *   NODE_ENV=production PROFILE_OUT=bench/profiles/q1.cpuprofile node --import tsx bench/profile.ts q1   # V8 profile of the measured requests only
 *   NODE_ENV=production PROFILE_BREAKDOWN=1 node --import tsx bench/profile.ts q4                     # … and where its CPU goes
 *
 * Other knobs: PROFILE_USERS (data set, default 1000), PROFILE_CONCURRENCY; synthetic: PROFILE_FIELDS
 * (governed fields in the type, default 50), PROFILE_SELECTED (fields queried, default all),
 * PROFILE_ROWS (default 20), PROFILE_PLAIN=1 (without governance); MONGODB_URI (else a
 * mongo-java-server is started, indexed as the bench's), PROFILE_DB_NAME (default govgate_profile:
 * loaded at start, dropped at the end).
 *
 * NODE_ENV=production as the bench's servers run: graphql-js reads it when it loads (before this
 * module's code runs) and checks types more expensively without it.
 *
 * Not a benchmark (no peers, one process does the load and the serving): a tool to see where a
 * request's time goes, step by step, while changing the request path.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { createVerifier, type Caller } from '../src/auth/index.js';
import { loadConfig, type GatewayConfig } from '../src/config.js';
import { connectDatabase } from '../src/db/connect.js';
import { startJavaMongoServer } from '../src/db/java-mongo-server.js';
import { registerModels } from '../src/db/register-models.js';
import { createGateway, type Gateway } from '../src/server.js';
import { breakdown, type CpuProfile } from './lib/profile-breakdown.js';
import { loadDataset, ME_USER, POLICY_PACK, subjectOf, TENANT } from './lib/dataset.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, createBenchKeys } from './lib/keys.js';
import { buildSyntheticSchema, syntheticRows } from './lib/synthetic-schema.js';
import { Q1, Q2, Q3, Q3_CONTENT, Q4, syntheticQuery } from './lib/queries.js';

const which = process.argv[2] ?? 'q1';
const requests = Number(process.env.PROFILE_REQUESTS ?? 2000);
const concurrency = Number(process.env.PROFILE_CONCURRENCY ?? 10);
const fields = Number(process.env.PROFILE_FIELDS ?? 50);
/** Synthetic: the first `selected` fields are queried (default every one). */
const selected = Math.min(fields, Number(process.env.PROFILE_SELECTED ?? fields));
const rows = Number(process.env.PROFILE_ROWS ?? 20);
const withBreakdown = process.env.PROFILE_BREAKDOWN === '1';

const users = Number(process.env.PROFILE_USERS ?? 1000);
/** As bench/run.ts sends them: q2 as user ME_USER, q3 by the last user into their first conversation. */
const Q3_OWNER = users - 1;

interface QuerySpec {
  readonly query: string;
  readonly roles: string[];
  readonly purpose?: string;
  /** The caller (default a service account). */
  readonly sub?: string;
  /** Variables, given the loaded data set's conversations of a user. */
  readonly variables?: (conversationsOf: (i: number) => string[]) => Record<string, unknown>;
}

const QUERIES: Record<string, QuerySpec> = {
  q1: { query: Q1, roles: ['service'] },
  q2: { query: Q2, roles: ['user'], sub: subjectOf(ME_USER) },
  q3: { query: Q3, roles: ['user'], sub: subjectOf(Q3_OWNER), variables: (conversationsOf) => ({ conversationId: conversationsOf(Q3_OWNER)[0], content: Q3_CONTENT }) },
  q4: { query: Q4, roles: ['ml_engineer'], purpose: 'train_ai_system' },
  synthetic: { query: syntheticQuery(selected, rows), roles: ['service'] },
};

/** The synthetic schema without governance: Yoga with token verification only (the bench's plain variant). */
async function plainGateway(schema: GraphQLSchema, config: GatewayConfig): Promise<Pick<Gateway, 'yoga' | 'close'>> {
  const verifier = await createVerifier({ auth: config.auth });
  const yoga = createYoga<Record<string, unknown>, { caller: Caller }>({
    schema, graphqlEndpoint: '/graphql', landingPage: false, graphiql: false, maskedErrors: { isDev: false }, logging: false,
    context: async ({ request }) => ({ caller: await verifier.authenticate(request.headers.get('authorization')) }),
  });
  return { yoga: yoga as unknown as Gateway['yoga'], close: () => yoga.dispose() as Promise<void> };
}

async function startProfiler(): Promise<{ stop(): Promise<CpuProfile> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return { stop: async () => ((await post('Profiler.stop')) as { profile: CpuProfile }).profile };
}

async function main(): Promise<void> {
  if (process.env.NODE_ENV !== 'production') throw new Error('run with NODE_ENV=production (graphql-js reads it when it loads)');
  const spec = QUERIES[which];
  if (!spec) throw new Error(`unknown query ${which}: one of ${Object.keys(QUERIES).join(', ')}`);
  // Indexed and without oplog, as bench/run.ts starts it (the stock backend scans for every non-unique index).
  const server = process.env.MONGODB_URI ? null : await startJavaMongoServer({ indexed: true, oplog: false });
  const uri = process.env.MONGODB_URI ?? server!.uri;
  const dir = await mkdtemp(join(tmpdir(), 'govgate-profile-'));
  const keys = await createBenchKeys(dir);
  const config = loadConfig({
    NODE_ENV: 'production', MONGODB_URI: uri, MONGODB_DB_NAME: process.env.PROFILE_DB_NAME || 'govgate_profile', AUTH_JWKS_FILE: keys.jwksFile, AUTH_ISSUER: BENCH_ISSUER,
    AUTH_AUDIENCE: BENCH_AUDIENCE, PSEUDONYM_SECRET: keys.pseudonymSecret, STATE_SEAL_KEY: keys.stateSealKey, MASTER_KEY_FILE: keys.masterKeyFile,
    AUDIT_SIGNING_KEY: keys.auditKeyFile, AUDIT_WITNESS_DIR: join(dir, 'witness'), LOG_LEVEL: 'silent', POLICY_PACK, RATE_LIMIT_PER_SECOND: '0',
    MAX_COST: '1000000', MAX_TOKENS: '100000', MONGODB_WRITE_CONCERN: '1',
  });
  const connection = await connectDatabase({ uri, dbName: config.mongo.dbName, writeConcern: config.mongo.writeConcern });
  await registerModels(connection);
  const plain = which === 'synthetic' && process.env.PROFILE_PLAIN === '1';
  // The plain synthetic type serves in-memory rows and never reads the database.
  const dataset = plain ? null : await loadDataset(connection, users, () => undefined, keys.stateSealKey, keys.masterKey);
  const schema = which === 'synthetic' ? buildSyntheticSchema(fields, !plain, syntheticRows(fields, rows)) : undefined;
  const gateway = plain ? await plainGateway(schema!, config) : await createGateway({ config, connection, ...(schema ? { schema } : {}) });
  const token = await keys.token({ sub: spec.sub ?? 'profiler', tenant: TENANT, roles: spec.roles });
  const variables = spec.variables && dataset ? spec.variables((i) => dataset.conversationIdsOf(i)) : undefined;
  const body = JSON.stringify({ query: spec.query, ...(variables ? { variables } : {}) });
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(spec.purpose ? { 'x-purpose': spec.purpose } : {}) };
  const once = async (): Promise<void> => {
    const response = await gateway.yoga.fetch('http://bench.local/graphql', { method: 'POST', headers, body });
    const json = (await response.json()) as { errors?: unknown[] };
    if (response.status !== 200 || json.errors) throw new Error(`request failed: ${response.status} ${JSON.stringify(json.errors)}`);
  };
  const run = async (count: number): Promise<void> => {
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        await once();
      }
    }));
  };
  await run(Math.min(500, requests));
  const profiler = process.env.PROFILE_OUT || withBreakdown ? await startProfiler() : null;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run(requests);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const profile = await profiler?.stop();
  if (profile && process.env.PROFILE_OUT) await writeFile(process.env.PROFILE_OUT, JSON.stringify(profile));
  const cpuMs = (used.user + used.system) / 1000;
  console.log(JSON.stringify({ query: which, plain, fields: which === 'synthetic' ? fields : undefined, selected: which === 'synthetic' ? selected : undefined, rows: which === 'synthetic' ? rows : undefined, requests, concurrency, reqPerS: Math.round((requests / wall) * 1000), cpuMsPerReq: +(cpuMs / requests).toFixed(3) }));
  if (profile && withBreakdown) {
    // The process's CPU per request (all threads, as the bench measures a server) split by the
    // main thread's sampled shares.
    const { totalUs, buckets } = breakdown(profile);
    const perRequest = (cpuMs * 1000) / requests;
    console.log(JSON.stringify({ breakdown: { sampledUsPerReq: Math.round(totalUs / requests), cpuUsPerReq: Math.round(perRequest), buckets: buckets.map((b) => ({ bucket: b.bucket, share: +b.share.toFixed(4), usPerReq: Math.round(b.share * perRequest) })) } }));
  }
  await gateway.close();
  await connection.dropDatabase();
  await connection.close();
  await server?.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
