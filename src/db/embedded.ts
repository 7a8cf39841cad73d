import type { Logger } from 'pino';
import { startJavaMongoServer } from './java-mongo-server.js';

export interface EmbeddedDatabase {
  readonly uri: string;
  readonly kind: 'mongodb-memory-server' | 'mongo-java-server';
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** auto: a real mongod when one can be had, else the Java server. Default auto. */
  prefer?: 'auto' | 'mongodb-memory-server' | 'java';
  /** How long to wait for mongodb-memory-server to find or fetch a mongod, ms. Default 60000. */
  memoryServerTimeoutMs?: number;
  logger: Logger;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not start within ${ms} ms`)), ms);
    }),
  ]);
}

async function startMemoryServer(timeoutMs: number): Promise<EmbeddedDatabase> {
  // Loaded lazily: it is only needed on machines where a mongod binary can be had.
  const { MongoBinary, MongoMemoryServer } = await import('mongodb-memory-server-core');
  // Find (or fetch) the binary first: MongoMemoryServer.create prints a stack trace to the console
  // when it has none, and on a fresh machine that is the expected path to the Java fallback.
  const start = async () => {
    await MongoBinary.getPath();
    return MongoMemoryServer.create({ instance: { ip: '127.0.0.1' } });
  };
  const server = await withTimeout(start(), timeoutMs, 'mongodb-memory-server');
  return {
    uri: server.getUri(),
    kind: 'mongodb-memory-server',
    stop: async () => {
      await server.stop();
    },
  };
}

async function startJava(): Promise<EmbeddedDatabase> {
  const server = await startJavaMongoServer();
  return { uri: server.uri, kind: 'mongo-java-server', stop: () => server.stop() };
}

/** Development only: a database that needs nothing installed but Node (and Java as fallback). */
export async function startEmbeddedDatabase(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { prefer = 'auto', memoryServerTimeoutMs = 60_000, logger } = options;
  const failures: string[] = [];
  if (prefer !== 'java') {
    try {
      return await startMemoryServer(memoryServerTimeoutMs);
    } catch (error) {
      failures.push(`mongodb-memory-server: ${(error as Error).message}`);
      if (prefer === 'mongodb-memory-server') throw new Error(failures.join('\n'));
      logger.info({ reason: (error as Error).message }, 'no mongod binary available; using mongo-java-server');
    }
  }
  try {
    return await startJava();
  } catch (error) {
    failures.push(`mongo-java-server: ${(error as Error).message}`);
    throw new Error(
      `No embedded database could start. Set MONGODB_URI to a MongoDB server, or install Java 17 and Maven.\n${failures.join('\n')}`,
    );
  }
}
