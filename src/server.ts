import { randomUUID } from 'node:crypto';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import type { Connection } from 'mongoose';
import { createAuditServices, requestEvent, type AuditServices } from './audit/index.js';
import { ANONYMOUS, createVerifier, type Caller, type DevKeys, type Verifier } from './auth/index.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { newId } from './db/ids.js';
import { isGovgateError } from './errors.js';
import { isPurpose } from './governance/taxonomy/index.js';
import { createPlanCache, createPseudonymizer, loadPolicyPack, pseudonymSecretFor, resolvePurpose, type PlanCache, type PolicyPack } from './governance/index.js';
import { createLogger, type Logger } from './logger.js';
import { useGovernance } from './plugins/use-governance.js';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { IncomingMessage } from 'node:http';
import { GovgateError } from './errors.js';
import { useBodyLimit } from './plugins/use-body-limit.js';
import { useJwks } from './plugins/use-jwks.js';
import { useQueryLimits } from './plugins/use-query-limits.js';
import { useSafeErrors } from './plugins/use-safe-errors.js';
import { useStatusFollowsData } from './plugins/use-status-follows-data.js';
import { useTrustedDocuments } from './plugins/use-trusted-documents.js';
import { RateLimiter } from './security/rate-limiter.js';
import { useReadiness } from './plugins/use-readiness.js';
import { clientOf, mipOptOutOf, requestIdOf } from './request-meta.js';
import { subjectStates } from './rights/index.js';
import { buildSchema } from './schema.js';

export interface GatewayOptions {
  config: GatewayConfig;
  /** An open connection for data; the gateway does not own it and does not close it. */
  connection: Connection;
  /** An open connection for the audit log. Default: the data connection. */
  auditConnection?: Connection;
  /** Default: a pino logger at config.logLevel. */
  logger?: Logger;
  /** Needed when config.auth.mode is 'development'. */
  devKeys?: DevKeys;
  /** Identifies this instance's audit chains. Default: a random UUID. */
  instanceId?: string;
}

export interface Gateway {
  readonly yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  readonly schema: GraphQLSchema;
  readonly verifier: Verifier;
  readonly instanceId: string;
  readonly pack: PolicyPack;
  readonly planCache: PlanCache;
  readonly audit: AuditServices;
  /** Flushes the audit log and signs the last checkpoints. */
  close(): Promise<void>;
}

const declaredPurpose = (request: Request): string | null => {
  const purpose = request.headers.get('x-purpose')?.trim() ?? null;
  return purpose && isPurpose(purpose) ? purpose : null;
};

/** The Yoga instance with its plugins and per-request context; no network listener. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, connection } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const verifier = await createVerifier({
    auth: config.auth,
    cacheSize: config.authVerifiedCacheS > 0 ? 10_000 : 0,
    cacheTtlMs: config.authVerifiedCacheS * 1000,
    ...(options.devKeys ? { devKeys: options.devKeys } : {}),
  });
  const schema = buildSchema();
  const instanceId = options.instanceId ?? randomUUID();
  const pack = loadPolicyPack(config.policyPack);
  const planCache = createPlanCache(schema, pack);
  const pseudonymizer = createPseudonymizer(await pseudonymSecretFor(config));
  const audit = await createAuditServices({ connection: options.auditConnection ?? connection, config, instanceId, logger });

  const { limits } = config;
  const rateLimiter = new RateLimiter({ perSecond: limits.ratePerSecond, burst: limits.rateBurst });
  const rateLimit = (key: string): void => {
    const wait = rateLimiter.take(key);
    if (wait > 0) {
      const retryAfter = String(Math.max(1, Math.ceil(wait)));
      throw new GovgateError('RATE_LIMITED', 'too many requests; slow down', { extensions: { http: { headers: { 'retry-after': retryAfter } } } });
    }
  };

  /** A request refused before execution is audited too; if even that fails, the refusal stands. */
  const auditDenied = async (request: Request, requestId: string, caller: Caller, code: string): Promise<void> => {
    await audit.writer
      .append(
        requestEvent({
          // Only a purpose from the taxonomy is recorded: the header is client text and the log is forever.
          id: newId(), requestId, caller, client: clientOf(request), purpose: declaredPurpose(request), legalBasis: null,
          operation: null, outcome: 'DENIED', code, accesses: [], decisions: [],
        }),
      )
      .catch((error: unknown) => logger.warn({ requestId, err: { message: (error as Error).message } }, 'denied request not audited'));
  };

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: config.graphiql ? { title: 'govgate' } : false,
    batching: { limit: limits.maxBatch },
    // Anything that is not a GovgateError (or another GraphQLError) leaves as INTERNAL_SERVER_ERROR.
    maskedErrors: { isDev: false },
    logging: {
      debug: (...args) => logger.debug({ args: args.map(String) }, 'yoga'),
      info: (...args) => logger.info({ args: args.map(String) }, 'yoga'),
      warn: (...args) => logger.warn({ args: args.map(String) }, 'yoga'),
      error: (...args) => logger.error({ err: args.find((a) => a instanceof Error) }, 'yoga error'),
    },
    plugins: [
      useBodyLimit(limits.maxBodyBytes),
      useReadiness({ connections: [...new Set([connection, options.auditConnection ?? connection])], instanceId, timeoutMs: 2000 }),
      useJwks(audit),
      useQueryLimits({ ...limits, blockFieldSuggestions: config.env === 'production' }),
      ...(limits.trustedDocumentsFile ? [useTrustedDocuments(limits.trustedDocumentsFile, limits.trustedDocumentsOnly)] : []),
      useDisableIntrospection({
        isDisabled: (request) => limits.introspection === 'off' || (limits.introspection === 'authenticated' && !request.headers.get('authorization')),
      }),
      useGovernance({ planCache, pseudonymizer, audit, subjectStateLoader: (ctx) => (subject, withConsents) => subjectStates(ctx).load(subject, withConsents) }),
      // Last, in this order: errors are made client-safe (codes set statuses), then statuses follow the data.
      useSafeErrors(),
      useStatusFollowsData(),
    ],
    context: async ({ request, req }: { request: Request; req?: IncomingMessage }): Promise<GatewayContext> => {
      const requestId = requestIdOf(request);
      let caller: Caller = ANONYMOUS;
      const peer = `peer:${req?.socket.remoteAddress ?? 'local'}`;
      try {
        caller = await verifier.authenticate(request.headers.get('authorization')).catch((error: unknown) => {
          rateLimit(peer);
          throw error;
        });
        rateLimit(caller.authenticated ? `caller:${caller.tenant}/${caller.subject}` : peer);
        const purpose = resolvePurpose(request.headers.get('x-purpose'), caller, pack);
        return { requestId, caller, purpose, pack, client: clientOf(request), audit, mipOptOut: mipOptOutOf(request), connection, config, logger };
      } catch (error) {
        // Rate-limited requests are not audited: under a flood that would turn refusals into writes.
        if (isGovgateError(error) && error.code !== 'RATE_LIMITED') await auditDenied(request, requestId, caller, error.code);
        throw error;
      }
    },
  });

  return {
    yoga,
    schema,
    verifier,
    instanceId,
    pack,
    planCache,
    audit,
    async close() {
      await yoga.dispose();
      await audit.close();
    },
  };
}

