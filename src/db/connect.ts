import mongoose, { type Connection } from 'mongoose';

export interface DatabaseOptions {
  uri: string;
  dbName: string;
  /** Default 'majority'. */
  writeConcern?: 'majority' | number;
  /** How long an operation waits for a reachable server, ms. Default 5000. */
  serverSelectionTimeoutMS?: number;
  /** Emit driver command events (tests count round-trips with them). Default false. */
  monitorCommands?: boolean;
}

/**
 * One connection per gateway (not mongoose's global), so several gateways and test files can
 * share a process. Commands are not buffered: while the database is away an operation fails
 * after server selection instead of queueing silently.
 */
export async function connectDatabase(options: DatabaseOptions): Promise<Connection> {
  const connection = mongoose.createConnection(options.uri, {
    dbName: options.dbName,
    writeConcern: { w: options.writeConcern ?? 'majority' },
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    monitorCommands: options.monitorCommands ?? false,
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
    maxPoolSize: 50,
  });
  await connection.asPromise();
  return connection;
}
