import type { Connection } from 'mongoose';
import type { GatewayConfig } from '../config.js';
import { connectDatabase } from './connect.js';

export interface Databases {
  readonly data: Connection;
  /** Only with AUDIT_MONGODB_URI; without it the audit log lives in `data`. */
  readonly audit?: Connection;
  /** Closes the audit connection, then the data one. Call after the gateway has flushed its audit log. */
  close(): Promise<void>;
}

/** A driver message without any `user:password@` it might quote, on one line. */
const reasonOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/\/\/[^/@\s]*@/g, '//***@');

async function connectNamed(variable: string, options: Parameters<typeof connectDatabase>[0]): Promise<Connection> {
  try {
    return await connectDatabase(options);
  } catch (error) {
    // Named by its variable, never by its URI: a connection string may carry a password.
    throw new Error(`${variable}: cannot reach the database (${reasonOf(error)})`, { cause: error });
  }
}

/**
 * The data database and, when AUDIT_MONGODB_URI is set, the audit database: same database name,
 * write concern and server selection timeout. Either one unreachable at start-up stops the start
 * (an operator sees a wrong address at once instead of a gateway that never becomes ready).
 */
export async function openDatabases(config: GatewayConfig, dataUri: string): Promise<Databases> {
  const options = { dbName: config.mongo.dbName, writeConcern: config.mongo.writeConcern, serverSelectionTimeoutMS: config.mongo.serverSelectionTimeoutMS };
  const data = await connectNamed(config.mongo.uri ? 'MONGODB_URI' : 'embedded database', { uri: dataUri, ...options });
  let audit: Connection | undefined;
  if (config.audit.mongoUri) {
    try {
      audit = await connectNamed('AUDIT_MONGODB_URI', { uri: config.audit.mongoUri, ...options });
    } catch (error) {
      await data.close().catch(() => undefined);
      throw error;
    }
  }
  return {
    data,
    ...(audit ? { audit } : {}),
    async close() {
      await audit?.close();
      await data.close();
    },
  };
}
