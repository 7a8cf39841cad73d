/**
 * What every bench server process shares: its environment (set by bench/run.ts), the database
 * connection, JWT verification for the peer variants, and the HTTP listener that reports its port
 * to the parent over IPC and shuts down cleanly on SIGTERM (so --cpu-prof profiles get written).
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { createVerifier, type Caller, type Verifier } from '../../src/auth/index.js';
import type { GatewayContext } from '../../src/context.js';
import { connectDatabase } from '../../src/db/connect.js';
import { registerModels } from '../../src/db/register-models.js';
import { installPeerKeys } from './peer-keys.js';

export interface BenchEnv {
  readonly mongoUri: string;
  readonly dbName: string;
  readonly jwksFile: string;
  readonly issuer: string;
  readonly audience: string;
  /** The gateway's MASTER_KEY_FILE: the peers decrypt stored content with it too. */
  readonly masterKeyFile: string;
}

export function benchEnv(): BenchEnv {
  const get = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set (bench servers are started by bench/run.ts)`);
    return value;
  };
  return {
    mongoUri: get('BENCH_MONGODB_URI'),
    dbName: get('BENCH_DB_NAME'),
    jwksFile: get('BENCH_JWKS_FILE'),
    issuer: get('BENCH_ISSUER'),
    audience: get('BENCH_AUDIENCE'),
    masterKeyFile: get('MASTER_KEY_FILE'),
  };
}

/** The same connection settings as the gateway in production (write concern majority), and its content keys. */
export async function openDatabase(env: BenchEnv): Promise<Connection> {
  const connection = await connectDatabase({ uri: env.mongoUri, dbName: env.dbName, writeConcern: 'majority' });
  await registerModels(connection);
  await installPeerKeys(connection, env.masterKeyFile);
  return connection;
}

/**
 * The peers verify the same ES256 tokens against the same JWKS file, with govgate's verifier
 * (jose jwtVerify, issuer, audience, algorithm allow-list, required exp/sub): verification costs
 * the same in every variant.
 */
export function peerVerifier(env: BenchEnv): Promise<Verifier> {
  return createVerifier({
    auth: { mode: 'jwks-file', jwksFile: env.jwksFile, issuer: env.issuer, audience: env.audience, clockToleranceS: 5 },
  });
}

/**
 * Context of the peer variants: the verified caller, the declared purpose (X-Purpose, read only for
 * the consent rule: peer-consent.ts) and the data connection, plus what openContent needs to
 * decrypt (a silent logger and the request id, as the gateway's context has).
 */
export interface PeerContext {
  readonly caller: Caller;
  readonly purpose: string | null;
  readonly connection: Connection;
  readonly logger: Logger;
  readonly requestId: string;
}

/**
 * govgate's DataLoaders are typed for the gateway context but read only `caller` (tenant) and
 * `connection`; the peers hand them their own smaller context. Same object every call, so the
 * per-request WeakMap caches work as in the gateway.
 */
export const asLoaderContext = (context: PeerContext): GatewayContext => context as unknown as GatewayContext;

/** Listen on 127.0.0.1 (ephemeral port), tell the parent, stop on SIGTERM / SIGINT / parent gone. */
export async function serve(listener: RequestListener, close: () => Promise<void>): Promise<void> {
  const server = createServer(listener);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await close().catch((error: unknown) => console.error(`close failed: ${(error as Error).message}`));
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  // The parent died without telling us: never outlive it.
  process.once('disconnect', () => void stop());
  if (!process.send) throw new Error('bench servers need an IPC channel (started by bench/run.ts)');
  process.send({ type: 'ready', port, pid: process.pid });
}

/** Run a server's main; any start-up failure is reported to the parent and ends the process. */
export function main(start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    console.error(`bench server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
}
