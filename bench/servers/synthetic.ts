/**
 * Schema-size scaling: a synthetic type `Record` with SYNTH_FIELDS personal-data fields (cycling
 * through name / email / location / username categories and truncate / mask / null / hash
 * strategies; every tenth field serves marketing only, so an essential.service read redacts it).
 * Rows live in memory (SYNTH_ROWS of them, owned by the first bench users), so the cost measured
 * is the gateway's, not the database's.
 *
 * SYNTH_GOVERNED=1: a separate Pothos builder with govgate's GovernancePlugin, wired like
 * createGateway (JWT verification, purpose, plan cache, per-value decisions with subject state
 * loaded from MongoDB, redaction, audit persisted before the response). SYNTH_GOVERNED=0: the same
 * builder code without the plugin (the `governance` options are then inert), JWT verification only.
 */
import { createYoga } from 'graphql-yoga';
import { createVerifier, type Caller } from '../../src/auth/index.js';
import { loadConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/connect.js';
import { registerModels } from '../../src/db/register-models.js';
import { createGateway } from '../../src/server.js';
import { buildSyntheticSchema, syntheticRows } from '../lib/synthetic-schema.js';
import { main, serve } from './common.js';

main(async () => {
  const fields = Number(process.env.SYNTH_FIELDS ?? '50');
  const rowCount = Number(process.env.SYNTH_ROWS ?? '20');
  const governed = process.env.SYNTH_GOVERNED === '1';
  const config = loadConfig(process.env);
  if (!config.mongo.uri) throw new Error('MONGODB_URI is not set');
  const connection = await connectDatabase({ uri: config.mongo.uri, dbName: config.mongo.dbName, writeConcern: config.mongo.writeConcern });
  await registerModels(connection);

  const schema = buildSyntheticSchema(fields, governed, syntheticRows(fields, rowCount));
  const verifier = await createVerifier({ auth: config.auth });

  if (!governed) {
    const yoga = createYoga<Record<string, unknown>, { caller: Caller }>({
      schema,
      graphqlEndpoint: '/graphql',
      landingPage: false,
      graphiql: false,
      maskedErrors: { isDev: false },
      logging: false,
      context: async ({ request }) => ({ caller: await verifier.authenticate(request.headers.get('authorization')) }),
    });
    await serve(yoga, async () => {
      await yoga.dispose();
      await connection.close();
    });
    return;
  }

  // The real gateway around the synthetic schema: admission, plan, decisions, redaction, audit.
  const gateway = await createGateway({ config, connection, schema });
  await serve(gateway.yoga, async () => {
    await gateway.close();
    await connection.close();
  });
});
