/**
 * Variant D: govgate itself, started the way src/main.ts starts it (config → connectDatabase →
 * registerModels → createGateway → http.createServer(yoga)), with the environment bench/run.ts
 * gives it: NODE_ENV=production, AUTH_JWKS_FILE (the bench issuer's ES256 key), PSEUDONYM_SECRET,
 * AUDIT_SIGNING_KEY (a private JWK file), STATE_SEAL_KEY and MASTER_KEY_FILE (those the data set
 * was sealed and encrypted with), MONGODB_URI, LOG_LEVEL=silent, POLICY_PACK=deepailab.
 *
 * `--audit-sink=discard` (variant "D-noaudit"): createGateway's `auditSink` (benchmark only, not
 * reachable from configuration) acknowledges every audit write at once without storing it. Each
 * event is still assembled, hashed, chained, put under a signed tree head and witnessed; only the
 * insert into MongoDB is gone, so D − D-noaudit prices the persistence.
 */
import type { AuditSink } from '../../src/audit/index.js';
import { loadConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/connect.js';
import { registerModels } from '../../src/db/register-models.js';
import { createLogger } from '../../src/logger.js';
import { createGateway } from '../../src/server.js';
import { main, serve } from './common.js';

const DISCARD: AuditSink = { insert: () => Promise.resolve() };

function auditSink(): AuditSink | undefined {
  const arg = process.argv.find((a) => a.startsWith('--audit-sink='))?.slice('--audit-sink='.length);
  if (arg === undefined || arg === 'store') return undefined;
  if (arg === 'discard') return DISCARD;
  throw new Error(`--audit-sink must be store or discard, got ${arg}`);
}

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
  const sink = auditSink();
  const gateway = await createGateway({ config, connection, logger, ...(sink ? { auditSink: sink } : {}) });
  await serve(gateway.yoga, async () => {
    await gateway.close();
    await connection.close();
  });
});
