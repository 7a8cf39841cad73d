/** Yoga for the peer variants: the same endpoint and error masking as govgate, a verified caller per request. */
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Connection } from 'mongoose';
import type { Verifier } from '../../src/auth/index.js';
import type { PeerContext } from './common.js';

export function peerYoga(schema: GraphQLSchema, verifier: Verifier, connection: Connection): YogaServerInstance<Record<string, unknown>, PeerContext> {
  return createYoga<Record<string, unknown>, PeerContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: false,
    maskedErrors: { isDev: false },
    logging: false,
    context: async ({ request }): Promise<PeerContext> => ({ caller: await verifier.authenticate(request.headers.get('authorization')), connection }),
  });
}
