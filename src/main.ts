import { ConfigError, loadConfig, type GatewayConfig } from './config.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './db/embedded.js';
import { createLogger } from './logger.js';

function readConfig(): GatewayConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Start-up: configuration, then (without MONGODB_URI) the embedded development database, which
 * boots while the gateway's modules load, then the gateway itself (serve.ts).
 */
async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  let embedded: Promise<EmbeddedDatabase> | undefined;
  if (!config.mongo.uri) {
    logger.info('MONGODB_URI unset: starting an embedded development database');
    embedded = startEmbeddedDatabase({ prefer: config.mongo.embedded });
    // Awaited in serve(); a failure meanwhile is reported there, not as an unhandled rejection.
    embedded.catch(() => undefined);
  }
  const { serve } = await import('./serve.js');
  await serve(config, logger, embedded);
}

main().catch((error: unknown) => {
  console.error(`govgate failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
