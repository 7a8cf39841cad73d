import { randomUUID } from 'node:crypto';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Connection } from 'mongoose';
import { createAuditServices, type AuditServices, type AuditSink } from './audit/index.js';
import { createVerifier, type DevKeys, type Verifier } from './auth/index.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { installStateSeal } from './db/connection-seal.js';
import { installSubjectKeys, localKeyService, masterKeyFor, SubjectKeyStore } from './keys/index.js';
import { createPseudonymizer, createStateSeal, governedFieldsOf, loadPolicyPack, pseudonymSecretFor, stateSealKeyFor, type PolicyPack } from './governance/index.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type GatewayMetrics } from './metrics.js';
import { demoGraphiQLPrefill } from './plugins/graphiql-demo-prefill.js';
import { useBodyLimit } from './plugins/use-body-limit.js';
import { useConsole } from './plugins/use-console.js';
import { consoleDevTokens } from './db/demo-tokens.js';
import { useGraphiQLPage } from './plugins/use-graphiql-page.js';
import { useGraphqlMetrics } from './plugins/use-graphql-metrics.js';
import { useRequestLog } from './plugins/use-request-log.js';
import { useJwks } from './plugins/use-jwks.js';
import { useMetricsEndpoint } from './plugins/use-metrics-endpoint.js';
import { useNoStore } from './plugins/use-no-store.js';
import { useOnlyEndpoint } from './plugins/use-only-endpoint.js';
import { useQueryLimits } from './plugins/use-query-limits.js';
import { useSafeErrors } from './plugins/use-safe-errors.js';
import { useStatusFollowsData } from './plugins/use-status-follows-data.js';
import { useReadiness } from './plugins/use-readiness.js';
import { useTrustedDocuments } from './plugins/use-trusted-documents.js';
import { AuditHandOff, createAdmission, createContextFactory, createPlanCache, useGovernance, type PlanCache } from './runtime/index.js';
import { buildSchema } from './schema.js';
import { sweepErasures } from './features/rights/erasure-sweeper.js';
import { sweepRetention, type RetentionSweepResult } from './features/retention/retention-sweeper.js';
import { startPeriodic } from './jobs/periodic.js';
import { corsPolicy, useVaryOnOrigin } from './security/cors.js';
import { createRateLimit } from './security/index.js';

/** An error as logs may hold it: its name and stack frames, without the message (which may carry input). */
const errorShape = (error: unknown): { name: string; frames: string } | undefined =>
  error instanceof Error ? { name: error.name, frames: (error.stack ?? '').split('\n').slice(1, 8).join('\n') } : undefined;

export interface GatewayOptions {
  config: GatewayConfig;
  /** An open connection for data; the gateway does not own it and does not close it. */
  connection: Connection;
  /** An open connection for the audit log; required when config.audit.mongoUri is set. Default: the data connection. */
  auditConnection?: Connection;
  /** Default: a pino logger at config.logLevel. */
  logger?: Logger;
  /** Needed when config.auth.mode is 'development'. */
  devKeys?: DevKeys;
  /** Identifies this instance's audit chains. Default: a random UUID. */
  instanceId?: string;
  /** The schema to serve, built with the governance plugin. Default: govgate's own (the benchmark passes a synthetic one). */
  schema?: GraphQLSchema;
  /** The time the periodic jobs (erasure and retention sweeps) run at. Default: the wall clock; tests move it. */
  clock?: () => Date;
  /**
   * Benchmark only: where audit events go instead of the store. The events are still assembled,
   * hashed, chained, signed and witnessed; only their persistence is replaced, so the benchmark can
   * price it. No configuration reaches it. Default: the MongoDB store.
   */
  auditSink?: AuditSink;
}

export interface Gateway {
  readonly yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  readonly schema: GraphQLSchema;
  readonly verifier: Verifier;
  readonly instanceId: string;
  readonly pack: PolicyPack;
  readonly planCache: PlanCache;
  readonly audit: AuditServices;
  readonly metrics: GatewayMetrics;
  /** Completes the erasures due at `now` (the sweeper calls it every ERASURE_SWEEP_INTERVAL_S); how many. */
  sweepErasures(now?: Date): Promise<number>;
  /** Deletes what the pack's retention `sweep` rules say is past its period at `now` (the sweeper calls it every RETENTION_SWEEP_INTERVAL_S). */
  sweepRetention(now?: Date): Promise<RetentionSweepResult>;
  /** Stops the erasure and retention sweepers, flushes the audit log and witnesses the last tree heads. */
  close(): Promise<void>;
}

/**
 * The Yoga instance with its plugins and per-request context; no network listener. A request runs
 * top-down through src/runtime/: admission (token, rate limit, purpose — before parsing) → limits
 * and validation → context with its governance → plan and mutation intent → per-value decisions in
 * the resolvers → outcome audited before the response.
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, connection } = options;
  // A programming error, not an outage: the audit log must never fall back to the data database unnoticed.
  if (config.audit.mongoUri && !options.auditConnection) throw new Error('AUDIT_MONGODB_URI is configured but createGateway was given no auditConnection');
  const logger = options.logger ?? createLogger(config.logLevel);
  const verifier = await createVerifier({
    auth: config.auth,
    cacheSize: config.authVerifiedCacheS > 0 ? 10_000 : 0,
    cacheTtlMs: config.authVerifiedCacheS * 1000,
    ...(options.devKeys ? { devKeys: options.devKeys } : {}),
  });
  const schema = options.schema ?? buildSchema();
  const instanceId = options.instanceId ?? randomUUID();
  // Checked against the schema it will govern: a pack rule naming a field that is not there stops start-up.
  const pack = loadPolicyPack(config.policyPack, config.policyDir, { fields: governedFieldsOf(schema) });
  const metrics = createMetrics();
  const planCache = createPlanCache(schema, pack, { onLookup: (hit) => metrics.planCache.inc({ result: hit ? 'hit' : 'miss' }) });
  const pseudonymSecret = await pseudonymSecretFor(config);
  const pseudonymizer = createPseudonymizer(pseudonymSecret);
  // From here every write through the connection's models is sealed, and subject state verified.
  installStateSeal(connection, createStateSeal(await stateSealKeyFor(config)));
  // ...and every content field encrypted under its owner's data key, wrapped by the master key.
  const subjectKeys = installSubjectKeys(connection, new SubjectKeyStore(connection, localKeyService(await masterKeyFor(config)), { logger }));
  const auditConnection = options.auditConnection ?? connection;
  const audit = await createAuditServices({
    connection: auditConnection,
    config,
    instanceId,
    logger,
    ...(options.auditSink ? { sink: options.auditSink } : {}),
    observer: {
      written(events, waited) {
        metrics.auditBatchSize.observe(events);
        for (const seconds of waited) metrics.auditAppendSeconds.observe(seconds);
      },
    },
  });
  const handOff = new AuditHandOff(audit, pack, subjectKeys);
  const { limits } = config;
  // Shared: every replica on the database spends from one limit per caller (synced in the background).
  const rateLimit = createRateLimit({
    perSecond: limits.ratePerSecond,
    burst: limits.rateBurst,
    metrics,
    ...(limits.rateShared ? { shared: { connection, instanceId, secret: pseudonymSecret, intervalMs: limits.rateSyncMs, logger } } : {}),
  });
  await rateLimit.start();
  const admission = createAdmission({
    verifier,
    pack,
    limiter: rateLimit,
    handOff,
    metrics,
    logger,
  });

  // Loaded only when configured: tracing is off by default and its SDK is not needed otherwise.
  const tracing = config.tracing ? (await import('./plugins/use-tracing.js')).createTracing(config.tracing) : undefined;

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    // Served by useGraphiQLPage instead: bundled assets (no CDN), a CSP, a demo prefill in development.
    graphiql: false,
    cors: corsPolicy(config.corsOrigins),
    batching: { limit: limits.maxBatch },
    // The schema takes no uploads: a multipart body is not a request this gateway serves.
    multipart: false,
    // Anything that is not a GovgateError (or another GraphQLError) leaves as INTERNAL_SERVER_ERROR.
    maskedErrors: { isDev: false },
    logging: {
      debug: (...args) => logger.debug({ args: args.map(String) }, 'yoga'),
      info: (...args) => logger.info({ args: args.map(String) }, 'yoga'),
      warn: (...args) => logger.warn({ args: args.map(String) }, 'yoga'),
      // Library messages can quote values (a cast error names what it could not cast): log the kind and where, never the message.
      error: (...args) => logger.error({ err: errorShape(args.find((a) => a instanceof Error)) }, 'yoga error'),
    },
    plugins: [
      // First: every request gets its access-log line and its X-Request-Id, refused ones too.
      // The paths it may name: the ones the plugins below (and Yoga's /health) serve.
      useRequestLog(logger, { paths: ['/graphql', '/health', '/ready', '/metrics', '/.well-known/jwks.json', ...(config.console ? ['/console', '/console/*'] : [])] }),
      useNoStore(),
      ...(config.corsOrigins.length > 0 ? [useVaryOnOrigin()] : []),
      // Before anything reads the body: size, then who is asking, how often, for what.
      useBodyLimit(limits.maxBodyBytes),
      admission.plugin,
      // After admission: a page is some 9 MB, charged to the caller's rate limit like any request.
      ...(config.graphiql ? [useGraphiQLPage({ prefill: demoGraphiQLPrefill(config, options.devKeys) })] : []),
      useReadiness({ checks: { mongodb: connection, audit: auditConnection }, instanceId, timeoutMs: 2000 }),
      useJwks(audit.jwks),
      ...(config.console ? [useConsole({ devTokens: consoleDevTokens(config, options.devKeys) })] : []),
      useMetricsEndpoint(metrics.registry),
      // Last of the paths: anything else that is not exactly /graphql is a 404, not an unadmitted GraphQL request.
      useOnlyEndpoint(),
      useGraphqlMetrics(metrics.registry),
      ...(tracing ? [tracing.plugin] : []),
      useQueryLimits({ ...limits, blockFieldSuggestions: config.env === 'production' }),
      ...(limits.trustedDocumentsFile ? [useTrustedDocuments(limits.trustedDocumentsFile, limits.trustedDocumentsOnly)] : []),
      useDisableIntrospection({
        isDisabled: (request) => limits.introspection === 'off' || (limits.introspection === 'authenticated' && !request.headers.get('authorization')),
      }),
      useGovernance({ planCache, handOff, metrics }),
      // Last, in this order: errors are made client-safe (codes set statuses), then statuses follow the data.
      useSafeErrors(),
      useStatusFollowsData(),
    ],
    context: createContextFactory({ admission, pack, pseudonymizer, audit, connection, config, logger }),
  });

  const erasureDeps = { connection, audit, pack, logger, holder: instanceId };
  const clock = options.clock ?? (() => new Date());
  const sweeper = startPeriodic((now) => sweepErasures(erasureDeps, now), { intervalMs: config.erasureSweepIntervalS * 1000, clock, logger, name: 'erasure-sweep' });
  const retention = startPeriodic((now) => sweepRetention(erasureDeps, now), { intervalMs: config.retentionSweepIntervalS * 1000, clock, logger, name: 'retention-sweep' });

  return {
    yoga,
    schema,
    verifier,
    instanceId,
    pack,
    planCache,
    audit,
    metrics,
    sweepErasures: (now) => sweepErasures(erasureDeps, now),
    sweepRetention: (now) => sweepRetention(erasureDeps, now),
    async close() {
      await rateLimit.stop();
      await sweeper.stop();
      await retention.stop();
      await yoga.dispose();
      await audit.close();
      await tracing?.shutdown();
    },
  };
}
