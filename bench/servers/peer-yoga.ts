/** Yoga for the peer variants: the same endpoint and error masking as govgate, a verified caller per request. */
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Connection } from 'mongoose';
import type { Verifier } from '../../src/auth/index.js';
import { createLogger } from '../../src/logger.js';
import { requestIdOf } from '../../src/request-meta.js';
import type { PeerContext } from './common.js';

export function peerYoga(schema: GraphQLSchema, verifier: Verifier, connection: Connection): YogaServerInstance<Record<string, unknown>, PeerContext> {
  // Silent like the gateway in the bench (LOG_LEVEL=silent): only content that fails to decrypt would log.
  const logger = createLogger('silent');
  return createYoga<Record<string, unknown>, PeerContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: false,
    maskedErrors: { isDev: false },
    logging: false,
    context: async ({ request }): Promise<PeerContext> => ({
      caller: await verifier.authenticate(request.headers.get('authorization')),
      purpose: request.headers.get('x-purpose')?.trim() || null,
      connection,
      logger,
      requestId: requestIdOf(request),
    }),
  });
}
