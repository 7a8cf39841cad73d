import { randomUUID } from 'node:crypto';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import type { Connection } from 'mongoose';
import { createVerifier, type DevKeys, type Verifier } from './auth/index.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { createLogger, type Logger } from './logger.js';
import { createPlanCache, createPseudonymizer, loadPolicyPack, pseudonymSecretFor, resolvePurpose, type PlanCache, type PolicyPack } from './governance/index.js';
import { useGovernance } from './plugins/use-governance.js';
import { useReadiness } from './plugins/use-readiness.js';
import { subjectStates } from './rights/index.js';
import { mipOptOutOf, requestIdOf } from './request-meta.js';
import { buildSchema } from './schema.js';

export interface GatewayOptions {
  config: GatewayConfig;
  /** An open connection; the gateway does not own it and does not close it. */
  connection: Connection;
  /** Default: a pino logger at config.logLevel. */
  logger?: Logger;
  /** Needed when config.auth.mode is 'development'. */
  devKeys?: DevKeys;
}

export interface Gateway {
  readonly yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  readonly schema: GraphQLSchema;
  readonly verifier: Verifier;
  readonly instanceId: string;
  readonly pack: PolicyPack;
  readonly planCache: PlanCache;
  close(): Promise<void>;
}

/** The Yoga instance with its plugins and per-request context; no network listener. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, connection } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const verifier = await createVerifier({ auth: config.auth, ...(options.devKeys ? { devKeys: options.devKeys } : {}) });
  const schema = buildSchema();
  const instanceId = randomUUID();
  const pack = loadPolicyPack(config.policyPack);
  const planCache = createPlanCache(schema, pack);
  const pseudonymizer = createPseudonymizer(await pseudonymSecretFor(config));

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: config.graphiql ? { title: 'govgate' } : false,
    // Anything that is not a GovgateError (or another GraphQLError) leaves as INTERNAL_SERVER_ERROR.
    maskedErrors: { isDev: false },
    logging: {
      debug: (...args) => logger.debug({ args: args.map(String) }, 'yoga'),
      info: (...args) => logger.info({ args: args.map(String) }, 'yoga'),
      warn: (...args) => logger.warn({ args: args.map(String) }, 'yoga'),
      error: (...args) => logger.error({ err: args.find((a) => a instanceof Error) }, 'yoga error'),
    },
    plugins: [
      useReadiness({ connection, instanceId, timeoutMs: 2000 }),
      useGovernance({ planCache, pseudonymizer, subjectStateLoader: (ctx) => (subject) => subjectStates(ctx).load(subject) }),
    ],
    context: async ({ request }): Promise<GatewayContext> => {
      const requestId = requestIdOf(request);
      const caller = await verifier.authenticate(request.headers.get('authorization'));
      const purpose = resolvePurpose(request.headers.get('x-purpose'), caller, pack);
      return { requestId, caller, purpose, pack, mipOptOut: mipOptOutOf(request), connection, config, logger };
    },
  });

  return {
    yoga,
    schema,
    verifier,
    instanceId,
    pack,
    planCache,
    async close() {
      await yoga.dispose();
    },
  };
}
