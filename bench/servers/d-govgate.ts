/**
 * Variant D: govgate itself, started the way src/main.ts starts it (config → connectDatabase →
 * registerModels → createGateway → http.createServer(yoga)), with the environment bench/run.ts
 * gives it: NODE_ENV=production, AUTH_JWKS_FILE (the bench issuer's ES256 key), PSEUDONYM_SECRET,
 * AUDIT_SIGNING_KEY (a private JWK file), STATE_SEAL_KEY and MASTER_KEY_FILE (those the data set
 * was sealed and encrypted with), MONGODB_URI, LOG_LEVEL=silent, POLICY_PACK=deepailab.
 *
 * BENCH_AUDIT=off (variant "D-noaudit") replaces the audit writer's append with an immediately
 * resolved no-op after the gateway is built: the event is still assembled by useGovernance, but
 * not hashed, chained or persisted. govgate has no switch for this; see bench/RESULTS.md.
 */
import { GENESIS_HASH, type AuditEventInput } from '../../src/audit/index.js';
import { loadConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/connect.js';
import { registerModels } from '../../src/db/register-models.js';
import { createLogger } from '../../src/logger.js';
import { createGateway } from '../../src/server.js';
import { main, serve } from './common.js';

main(async () => {
  const config = loadConfig(process.env);
  if (!config.mongo.uri) throw new Error('MONGODB_URI is not set');
  const logger = createLogger(config.logLevel);
  const connection = await connectDatabase({
    uri: config.mongo.uri,
    dbName: config.mongo.dbName,
    writeConcern: config.mongo.writeConcern,
    serverSelectionTimeoutMS: config.mongo.serverSelectionTimeoutMS,
  });
  await registerModels(connection);
  const gateway = await createGateway({ config, connection, logger });
  if (process.env.BENCH_AUDIT === 'off') {
    gateway.audit.writer.append = (input: AuditEventInput) =>
      Promise.resolve({ ...input, chainId: 'bench-noop', seq: 0, prevHash: GENESIS_HASH, continues: null, hash: GENESIS_HASH });
  }
  await serve(gateway.yoga, async () => {
    await gateway.close();
    await connection.close();
  });
});
