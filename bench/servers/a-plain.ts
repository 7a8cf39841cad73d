/**
 * Variant A: plain graphql-yoga + Pothos; no authorization beyond the verified JWT (jose, same JWKS
 * as D) and the consent rule, hand-written in its content resolvers (peer-consent.ts).
 */
import { benchEnv, main, openDatabase, peerVerifier, serve } from './common.js';
import { peerYoga } from './peer-yoga.js';
import { buildPeerSchema } from './peer-schema.js';

main(async () => {
  const env = benchEnv();
  const connection = await openDatabase(env);
  const yoga = peerYoga(buildPeerSchema({ consentInResolvers: true }), await peerVerifier(env), connection);
  await serve(yoga, async () => {
    await yoga.dispose();
    await connection.close();
  });
});
