/**
 * `npm run bench`: govgate side by side with what a team would run instead, on the same data.
 *
 *   1. starts MongoDB (test/mongo's mongo-java-server launcher, `indexed: true`; or MONGODB_URI)
 *      and loads the data set through govgate's models;
 *   2. starts every variant as its own process on 127.0.0.1 (bench/servers/*), and the load
 *      generator (bench/load.ts);
 *   3. checks every variant's answer to every query; any mismatch aborts the run;
 *   4. measures every query at each connection level (5 and 20), interleaved rounds;
 *   5. scaling: users per request (A, D) and governed fields in the schema (synthetic type);
 *   6. profiles D on every query (q1–q4) and the synthetic type at 500 fields (all and ten queried), governed
 *      and plain (bench/profile.ts as a child, its own database): CPU by bucket (lib/profile-breakdown.ts);
 *   7. writes bench/RESULTS.md, with the issue #20 targets judged at each connection level and the
 *      targets not met set against the profiles ("Where the time goes").
 *
 * Knobs (environment): BENCH_QUICK=1 (smoke run, ~5 min), BENCH_DURATION_S, BENCH_WARMUP_S,
 * BENCH_ROUNDS, BENCH_SCALE_DURATION_S, BENCH_SCALE_WARMUP_S, BENCH_SCALE_ROUNDS,
 * BENCH_CONNECTIONS (comma list, default 5,20), BENCH_SCALE_CONNECTIONS, BENCH_USERS,
 * BENCH_VARIANTS=A,D, BENCH_QUERIES=q1, BENCH_SKIP_SCALING=1, BENCH_SKIP_PROFILE=1,
 * BENCH_PROFILE_REQUESTS, BENCH_CPU_PROF=D (those variants
 * run with --cpu-prof; profiles in bench/profiles/), MONGODB_URI (use that server; the bench drops
 * and reloads database BENCH_DB_NAME, default govgate_bench), BENCH_RESULTS_FILE.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { decisionsOf, identifyEvents, type AuditEventDoc } from '../src/audit/index.js';
import { connectDatabase } from '../src/db/connect.js';
import { startJavaMongoServer, type RunningMongoServer } from '../src/db/java-mongo-server.js';
import { messageModel } from '../src/features/conversations/index.js';
import { localKeyService, SubjectKeyStore } from '../src/keys/index.js';
import type { Sample } from './lib/aggregate.js';
import { checkAddMessage, checkList, checkMe, checkSynthetic, checkTrainingDecisions, checkTrainingList, type GraphQLResponse, type RecordedDecision, type VariantKind } from './lib/checks.js';
import {
  ME_USER,
  POLICY_PACK,
  TENANT,
  TRAINING_PURPOSE,
  hasTrainingConsent,
  isOptedOut,
  isRedactedForService,
  loadDataset,
  plaintextContentCount,
  subjectOf,
  trainingConsentOf,
  trainingOutcomeOf,
  type LoadedDataset,
} from './lib/dataset.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, createBenchKeys, type BenchKeys } from './lib/keys.js';
import { machineInfo } from './lib/machine.js';
import { auditCount, measure, startLoadGenerator, type MeasureContext } from './lib/measure.js';
import { NOTES } from './lib/notes.js';
import { profileCases, runProfile, type ProfileFailure, type ProfileResult } from './lib/profile-phase.js';
import { killAllNow, stopAll, stopChild } from './lib/processes.js';
import { Q1, Q2, Q3, Q3_CONTENT, Q4, listQuery, syntheticQuery, type GraphQLBody } from './lib/queries.js';
import { mainTable, writeReport, type ReportInput } from './lib/report.js';
import { schemaQueryId } from './lib/schema-cost.js';
import { post, startServer, type RunningServer, type ServerSpec } from './lib/servers.js';
import { loadSettings } from './lib/settings.js';
import { fmt } from './lib/stats.js';

const started = Date.now();
const log = (line: string): void => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

/** Keeps the database the same size from one measurement to the next. */
async function resetBetweenMeasurements(connection: Connection, q3Conversation: string, dataset: LoadedDataset): Promise<void> {
  await messageModel(connection).deleteMany({ tenant: TENANT, conversationId: q3Conversation, _id: { $nin: dataset.messageIdsOf(q3Conversation) } });
}

/**
 * Empties the audit log between measurements. Dropped rather than deleted: mongo-java-server fails
 * deleteMany on the multikey access-log index (tenant, subjects, _id) ("Found no position").
 */
async function clearAudit(connection: Connection): Promise<void> {
  // Only when there is something to drop: the server logs a stack trace for a missing collection.
  if ((await auditCount(connection)) > 0) await connection.collection('audit_events').drop();
}

interface Case {
  readonly id: string;
  readonly description: string;
  readonly body: GraphQLBody;
  readonly token: string;
  /** Headers of the case beyond the token (q4: X-Purpose). */
  readonly headers: Record<string, string>;
  readonly check: (json: GraphQLResponse, kind: VariantKind) => string[];
  /** The decisions D recorded in the request's audit event, checked too (when they are in the database). */
  readonly checkDecisions?: (decisions: readonly RecordedDecision[]) => string[];
  readonly mutates: boolean;
}

/** "n subjects (reason), …" for the correctness summary. */
const tally = (values: readonly string[]): string =>
  [...values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>())].map(([v, n]) => `${n} ${v}`).join(', ');

async function run(): Promise<number> {
  const settings = loadSettings();
  const machine = machineInfo(!settings.mongoUri);
  log(`${settings.quick ? 'QUICK smoke run' : 'full run'}: ${settings.users} users, ${settings.rounds} round(s) × ${settings.warmupS}+${settings.durationS} s at ${settings.connections.join(' and ')} connections`);
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
    const db = await connectDatabase({ uri, dbName: settings.dbName, writeConcern: 'majority' });
    connection = db;
    log(`loading ${settings.users} users into ${settings.dbName}`);
    const dataset = await loadDataset(db, settings.users, log, keys.stateSealKey, keys.masterKey);
    log(`loaded ${dataset.users} users, ${dataset.conversations} conversations, ${dataset.messages} messages, ${dataset.consents} consents`);
    const plaintext = await plaintextContentCount(db);
    if (plaintext > 0) throw new Error(`${plaintext} stored titles / contents are not encrypted`);
    correctness.push('stored conversation titles and message contents are ciphertext (AES-256-GCM under per-subject data keys, as the gateway writes them); every variant decrypts what it returns');

    // 2. tokens, servers, load generator
    const q3Owner = settings.users - 1;
    const q3Conversation = dataset.conversationIdsOf(q3Owner)[0];
    if (!q3Conversation) throw new Error('q3 owner has no conversation');
    const tokens = {
      service: await keys.token({ sub: 'svc-bench', tenant: TENANT, roles: ['service'] }),
      support: await keys.token({ sub: 'sup-bench', tenant: TENANT, roles: ['support'] }),
      ml: await keys.token({ sub: 'ml-bench', tenant: TENANT, roles: ['ml_engineer'] }),
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
    const shield = "graphql-shield 7.6.5 + graphql-middleware 6.1.35 over A's schema (built without A's consent check), a rule on every field: role rules, owner / same-tenant rules and the consent rule on content fields; denied → null / []";
    const allSpecs: ServerSpec[] = [
      { name: 'A', entry: 'servers/a-plain.ts', kind: 'plain', env: peerEnv, description: 'plain graphql-yoga + Pothos (Relay plugin), same schema shapes, models, DataLoaders and pagination; verifies the JWT (jose, same JWKS, issuer, audience); its only rule is the consent rule, hand-written in its content resolvers (conversations, title, messages, content → [] / null)' },
      { name: 'B', entry: 'servers/b-shield.ts', kind: 'peer', env: peerEnv, args: ['--cache=default'], description: `${shield}; shield's default cache ('no_cache': every rule runs for every field)` },
      { name: 'B-strict', entry: 'servers/b-shield.ts', kind: 'peer', env: peerEnv, args: ['--cache=strict'], description: `${shield}; role rules cached per request ('contextual'), parent rules per object-hash of (parent, args) ('strict')` },
      { name: 'C', entry: 'servers/c-scope-auth.ts', kind: 'peer', env: peerEnv, description: '@pothos/plugin-scope-auth 4.2.1: the same rules as B as scopes (role scopes once per request; owner / tenant / consent as authScopes functions); denied → null / [] via unauthorizedResolver' },
      { name: 'D', entry: 'servers/d-govgate.ts', kind: 'govgate', env: govgateEnv, description: `govgate (createGateway, NODE_ENV=production, pack ${POLICY_PACK}): JWT, purpose, cached plan, per-value decisions with subject state and consent, redaction, audit event persisted before the response` },
      { name: 'D-noaudit', entry: 'servers/d-govgate.ts', kind: 'govgate', env: govgateEnv, args: ['--audit-sink=discard'], description: 'D with `GatewayOptions.auditSink` (benchmark only) acknowledging each audit write at once: events still assembled, hashed, chained, signed and witnessed, not inserted into MongoDB' },
    ];
    const specs = allSpecs.filter((s) => !settings.variants || settings.variants.includes(s.name) || s.name === 'A');
    log(`starting servers ${specs.map((s) => s.name).join(', ')} and the load generator`);
    const [load, ...servers] = await Promise.all([startLoadGenerator(), ...specs.map((s) => startServer(s, settings))]);
    const ctx: MeasureContext = { connection: db, dbPid: mongo?.pid ?? null, load };
    const subjectKeys = new SubjectKeyStore(db, localKeyService(keys.masterKey));
    const byName = new Map(servers.map((s) => [s.spec.name, s]));

    // 3. correctness
    const trainingHeaders = { 'x-purpose': TRAINING_PURPOSE };
    const allCases: Case[] = [
      {
        id: 'q1',
        description: `\`${Q1}\` as a \`service\` caller (tenant-wide grant of every user category for essential.service, which needs no consent; every value needs the subject's state: erasure, restriction, objections, retention)`,
        body: { query: Q1 },
        token: tokens.service,
        headers: {},
        check: (json, kind) => checkList(json, kind, 100, 'service', dataset),
        mutates: false,
      },
      {
        id: 'q2',
        description: `\`${Q2}\` as user ${subjectOf(ME_USER)} (own data: decided without subject state)`,
        body: { query: Q2 },
        token: tokens.me,
        headers: {},
        check: (json, kind) => checkMe(json, kind, ME_USER),
        mutates: false,
      },
      {
        id: 'q3',
        description: `\`addMessage(conversationId, role: USER, content)\` returning \`{ id role content }\`, as the conversation's owner ${subjectOf(q3Owner)} (the messages it adds are deleted after each measurement)`,
        body: { query: Q3, variables: { conversationId: q3Conversation, content: Q3_CONTENT } },
        token: tokens.owner,
        headers: {},
        check: (json, kind) => checkAddMessage(json, kind, Q3_CONTENT),
        mutates: true,
      },
      {
        id: 'q4',
        description: `\`${Q4}\` as an \`ml_engineer\` with \`X-Purpose: ${TRAINING_PURPOSE}\` (tenant-wide grant of user.unique_id and user.content.private for it; the purpose needs each subject's consent under the current terms, so every subject's consents are read and decided)`,
        body: { query: Q4 },
        token: tokens.ml,
        headers: trainingHeaders,
        check: (json, kind) => checkTrainingList(json, kind, dataset),
        checkDecisions: checkTrainingDecisions,
        mutates: false,
      },
    ];
    const cases = allCases.filter((c) => !settings.queries || settings.queries.includes(c.id));
    log('checking every variant before timing');
    const failures: string[] = [];
    for (const server of servers) {
      for (const c of cases) {
        const before = await auditCount(db);
        const json = await post(server, c.body, c.token, c.headers);
        const after = await auditCount(db);
        const problems = c.check(json, server.spec.kind);
        if (server.spec.kind === 'govgate') {
          // A mutation writes its intent before the effect and its outcome after; D-noaudit's go to its sink.
          const expected = server.spec.name === 'D-noaudit' ? 0 : c.mutates ? 2 : 1;
          if (after - before !== expected) problems.push(`audit events written before the response: ${after - before}, expected ${expected}`);
          const auditId = json.extensions?.governance?.auditId;
          if (c.checkDecisions && expected > 0 && typeof auditId === 'string') {
            const event = await db.collection<AuditEventDoc>('audit_events').findOne({ _id: auditId });
            // Stored under the subjects' audit pseudonyms: mapped back with their keys, as for a compliance officer.
            const [identified] = event ? await identifyEvents(subjectKeys, TENANT, [event]) : [];
            problems.push(...(identified ? c.checkDecisions(decisionsOf(identified)) : [`audit event ${auditId} not found`]));
          }
        }
        if (problems.length) failures.push(`${server.spec.name} ${c.id}: ${problems.join(' | ')}`);
      }
      // The support role: D masks e-mails, B / C withhold them, A shows everything.
      const support = checkList(await post(server, { query: Q1 }, tokens.support), server.spec.kind, 100, 'support', dataset);
      if (support.length) failures.push(`${server.spec.name} q1 as support: ${support.join(' | ')}`);
    }
    await resetBetweenMeasurements(db, q3Conversation, dataset);
    if (failures.length) {
      for (const f of failures) console.error(`✗ ${f}`);
      throw new Error(`${failures.length} correctness check(s) failed: nothing was timed`);
    }
    const first100 = Array.from({ length: 100 }, (_, i) => i);
    const redactedSubjects = first100.filter(isRedactedForService).length;
    const consented = first100.filter(hasTrainingConsent);
    const allowed = first100.filter((i) => trainingOutcomeOf(i) === 'ALLOW');
    correctness.push(
      `every variant × query answered as expected (${servers.length} variants × ${cases.length} queries, plus q1 as \`support\`)`,
      `q1 / \`service\`: A, B, B-strict, C return all 100 users in full; D redacts the restricted and erasure-pending subjects (${redactedSubjects} of the first 100: id hashed, name truncated, email masked, country null, conversations dropped; ${redactedSubjects * 5} redactions listed in extensions.governance)`,
      `q1 / \`support\`: D masks every email (\`u***@bench.example.com\`), nulls country, drops conversations, and also hashes / truncates the identity of the ${redactedSubjects} redacted subjects (${300 + redactedSubjects * 2} redactions); B, B-strict and C return null / [] for email, country, conversations; A (no role rules) returns everything`,
      "q2: every variant returns the caller's own profile, both conversations and all six messages unredacted",
      'q3: every variant stores and returns the message; D wrote exactly two audit events per request (intent, outcome) before responding, D-noaudit none to the database',
      `q4 / \`ml_engineer\`, ${TRAINING_PURPOSE}: the first 100 subjects' consent histories for it are ${tally(first100.map(trainingConsentOf))} (granted: one grant; withdrawn: granted then withdrawn; regranted: granted, withdrawn, granted again; old-terms: granted under base-1 only; renewed: granted under base-1, then under the current terms). A, B, B-strict and C return every id and the conversations of the ${consented.length} whose latest record is a grant under the current terms ([] for the other ${100 - consented.length}). D decides ${tally(first100.map(trainingOutcomeOf))} (erasure → restriction → consent → minors): the ${100 - allowed.length} not allowed get id pseudonymised and conversations dropped; of the ${allowed.length} allowed, the conversation titles of the ${allowed.filter(isOptedOut).length} who had opted out of model improvement are truncated (OPTED_OUT); the response lists exactly those redactions (reasons shown as WITHHELD: an ml_engineer may not learn a subject's privacy choices or age) and D's audit event records each subject's precise reason per field`,
    );
    log('all variants answered correctly');

    // 4. main rounds: every query at every connection level, A, B, B-strict, C, D, D-noaudit in turn.
    // A is always measured: every ratio is taken against A in the same round at the same connections.
    const total = settings.rounds * cases.length * settings.connections.length * servers.length;
    let done = 0;
    for (let round = 1; round <= settings.rounds; round += 1) {
      for (const c of cases) {
        for (const connections of settings.connections) {
          for (const server of servers) {
            done += 1;
            const sample = await measure(ctx, server, c.body, c.token, c.headers, {
              section: 'main', query: c.id, round, warmupS: settings.warmupS, durationS: settings.durationS, countAudit: server.spec.kind === 'govgate', connections,
            });
            samples.push(sample);
            log(`[${done}/${total}] round ${round} ${c.id} ×${connections} ${server.spec.name}: ${fmt(sample.rps, 0)} req/s, p50 ${fmt(sample.p50, 1)} ms, p99 ${fmt(sample.p99, 1)} ms, CPU ${fmt(sample.cpuMsPerReq, 2)} ms/req${sample.failures.length ? ` ⚠ ${sample.failures.join('; ')}` : ''}`);
            if (c.mutates) await resetBetweenMeasurements(db, q3Conversation, dataset);
            if (server.spec.kind === 'govgate') await clearAudit(db);
          }
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
        const cursor = (json.data?.users as { pageInfo?: { endCursor?: string } } | undefined)?.pageInfo?.endCursor ?? null;
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
            const sample = await measure(ctx, server, { query: listQuery(size, cursors) }, tokens.service, {}, {
              section: 'list', query: `list-${size}`, round, warmupS: settings.scaleWarmupS, durationS: settings.scaleDurationS, countAudit: server.spec.kind === 'govgate', connections: settings.scaleConnections,
            });
            samples.push(sample);
            log(`round ${round} list-${size} ${server.spec.name}: ${fmt(sample.rps, 0)} req/s, p99 ${fmt(sample.p99, 1)} ms, CPU ${fmt(sample.cpuMsPerReq, 2)} ms/req`);
            if (server.spec.kind === 'govgate') await clearAudit(db);
          }
        }
      }
    }
    for (const server of scaleServers) await stopChild(server.child);

    // 5b. scaling: governed fields in the schema, at every connection level (issue #20's targets)
    const schemaSizes = [50, 500];
    const schemaRows = 20;
    if (!settings.skipScaling) {
      const synthSpecs: ServerSpec[] = schemaSizes.flatMap((size) => [
        { name: `plain-${size}`, entry: 'servers/synthetic.ts', kind: 'plain' as const, env: { ...govgateEnv, SYNTH_FIELDS: String(size), SYNTH_GOVERNED: '0', SYNTH_ROWS: String(schemaRows) }, description: '' },
        { name: `governed-${size}`, entry: 'servers/synthetic.ts', kind: 'govgate' as const, env: { ...govgateEnv, SYNTH_FIELDS: String(size), SYNTH_GOVERNED: '1', SYNTH_ROWS: String(schemaRows) }, description: '' },
      ]);
      log(`starting synthetic servers ${synthSpecs.map((s) => s.name).join(', ')}`);
      const synth = await Promise.all(synthSpecs.map((s) => startServer(s, settings)));
      const selections = (size: number) => [size, 10].map((fields) => ({ id: schemaQueryId(size, fields), fields }));
      for (const server of synth) {
        const size = Number(server.spec.env.SYNTH_FIELDS);
        for (const q of selections(size)) {
          const problems = checkSynthetic(await post(server, { query: syntheticQuery(q.fields, schemaRows) }, tokens.service), server.spec.kind === 'govgate', q.fields, schemaRows);
          if (problems.length) throw new Error(`${server.spec.name} ${q.id}: ${problems.join(' | ')}`);
        }
      }
      correctness.push('schema-size scaling: plain servers return every value; governed servers redact every marketing-only field (PURPOSE) and list the redactions');
      for (let round = 1; round <= settings.scaleRounds; round += 1) {
        for (const size of schemaSizes) {
          for (const q of selections(size)) {
            for (const connections of settings.connections) {
              for (const server of synth.filter((s) => Number(s.spec.env.SYNTH_FIELDS) === size)) {
                const sample = await measure(ctx, server, { query: syntheticQuery(q.fields, schemaRows) }, tokens.service, {}, {
                  section: 'schema', query: q.id, round, warmupS: settings.scaleWarmupS, durationS: settings.scaleDurationS, countAudit: server.spec.kind === 'govgate', connections,
                });
                samples.push(sample);
                log(`round ${round} ${q.id} ×${connections} ${server.spec.name}: ${fmt(sample.rps, 0)} req/s, p99 ${fmt(sample.p99, 1)} ms, CPU ${fmt(sample.cpuMsPerReq, 2)} ms/req`);
                if (server.spec.kind === 'govgate') await clearAudit(db);
              }
            }
          }
        }
      }
      for (const server of synth) await stopChild(server.child);
    }

    // 6. profiles: where D's (and the synthetic type's) CPU goes, one child at a time, nothing else under load
    let profiles: ProfileResult[] | null = null;
    const profileFailures: ProfileFailure[] = [];
    if (!settings.skipProfile) {
      profiles = [];
      const largest = schemaSizes.at(-1) as number;
      const list = profileCases(cases.map((c) => c.id), byName.has('D'), settings.skipScaling ? null : { fields: largest, rows: schemaRows });
      for (const c of list) {
        log(`profiling ${c.id} ${c.variant} (${settings.profileRequests} requests, ${settings.users} users in ${settings.dbName}_profile)`);
        try {
          profiles.push(await runProfile(c, { uri, dbName: settings.dbName, users: settings.users, requests: settings.profileRequests }));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          profileFailures.push({ id: c.id, variant: c.variant, error: message });
          log(`⚠ profile ${c.id} ${c.variant} failed: ${message}`);
        }
      }
    }

    // 7. report
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
      profiles,
      profileFailures,
    };
    await writeReport(settings.resultsFile, input);
    console.log(`\n${mainTable(input).join('\n')}\n`);
    log(`wrote ${settings.resultsFile}`);
    const failed = samples.filter((s) => s.failures.length > 0);
    if (failed.length) console.error(`${failed.length} measurement(s) saw failed requests: see the report`);
    if (profileFailures.length) console.error(`${profileFailures.length} profile(s) failed: see the report`);
    return failed.length || profileFailures.length ? 1 : 0;
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
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
