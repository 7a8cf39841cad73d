import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.js';
import { loadOrCreateDevKeys, type DevKeys } from './auth/index.js';
import type { GatewayConfig } from './config.js';
import type { EmbeddedDatabase } from './db/embedded.js';
import { openDatabases } from './db/open-databases.js';
import { registerModels } from './db/register-models.js';
import { signDemoTokens } from './db/demo-tokens.js';
import { DEMO_QUERY, seedDemoData } from './db/seed-demo.js';
import { httpListener } from './http-listener.js';
import { createGateway } from './server.js';

/** How long in-flight requests may take to finish once a stop signal came; then their connections are closed. */
const DRAIN_MS = 10_000;

async function printDemoTokens(config: GatewayConfig, devKeys: DevKeys | undefined, url: string): Promise<void> {
  console.log(`\ngovgate ready: ${url}  (pack ${config.policyPack})`);
  if (config.console) console.log(`compliance console: ${url.replace(/\/graphql$/, '/console/')}`);
  if (!devKeys || config.auth.mode !== 'development') return;
  console.log('\nDemo tokens (valid 12 h). Try:');
  console.log(`  curl -s ${url} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`);
  console.log(`    -d '${JSON.stringify({ query: DEMO_QUERY })}'\n`);
  for (const { user, token } of await signDemoTokens(devKeys, config.auth, '12h')) {
    console.log(`${user.roles.join(',')} (${user.subject}@${user.tenant}):\n  ${token}\n`);
  }
}

/**
 * The gateway on a listening HTTP server: databases, the gateway, demo data (development), the
 * listener, and a shutdown that stops in order on SIGINT/SIGTERM. `embedded`: the development
 * database, started by main.ts while this module loaded.
 */
export async function serve(config: GatewayConfig, logger: Logger, embedded: Promise<EmbeddedDatabase> | undefined): Promise<void> {
  const database = embedded ? await embedded : undefined;
  if (database) logger.info({ kind: database.kind, reason: database.reason }, 'embedded database started');
  const uri = database?.uri ?? config.mongo.uri!;
  const databases = await openDatabases(config, uri);
  const connection = databases.data;
  await registerModels(connection);
  const devKeys = config.auth.mode === 'development' ? await loadOrCreateDevKeys(config.auth.stateDir) : undefined;
  const gateway = await createGateway({ config, connection, ...(databases.audit ? { auditConnection: databases.audit } : {}), logger, ...(devKeys ? { devKeys } : {}) });
  // After the gateway: it installs the state seal the seeded records are sealed with.
  if (config.seedDemo) {
    const { created } = await seedDemoData(connection, gateway.pack.version);
    logger.info({ created }, 'demo data seeded');
  }
  const server = createServer(httpListener(gateway.yoga));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host;
  // Listening means serving (and auditing): a signal from now on must end with a flushed, closed audit chain.
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting, let in-flight requests finish (a client that never finishes its request gets
    // DRAIN_MS, then its connection is closed: it must not hold the audit flush), flush the audit
    // log, then release the databases.
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    const cutOff = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    await drained;
    clearTimeout(cutOff);
    await gateway.close();
    await databases.close();
    await database?.stop();
    logger.info('stopped');
    process.exit(0);
  };
  // `on`, not `once`: npm and tsx forward the terminal's SIGINT to a child that already got it, and a
  // second signal must not kill the process halfway through its shutdown.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, (s) => void shutdown(s));
  await printDemoTokens(config, devKeys, `http://${shownHost}:${port}/graphql`);
}

