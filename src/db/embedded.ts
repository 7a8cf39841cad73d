import { startJavaMongoServer } from './java-mongo-server.js';
import { locateMongod, type LocatedMongod } from './locate-mongod.js';

export interface EmbeddedDatabase {
  readonly uri: string;
  readonly kind: 'mongodb-memory-server' | 'mongo-java-server';
  /** Why this kind: which binary was found, or why none was. */
  readonly reason: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /**
   * auto: a mongod already on this machine (see locateMongod), else the Java server; never a
   * download. mongodb-memory-server: a mongod, downloaded if need be, no fallback. java: the Java
   * server. Default auto.
   */
  prefer?: 'auto' | 'mongodb-memory-server' | 'java';
  /** How long to wait for mongodb-memory-server to find or fetch and start a mongod, ms. Default 60000. */
  memoryServerTimeoutMs?: number;
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

/** A mongod through mongodb-memory-server: `binary` set, that one (no download); unset, found or fetched. */
async function startMemoryServer(binary: LocatedMongod | undefined, timeoutMs: number, reason: string): Promise<EmbeddedDatabase> {
  // Loaded lazily: a development dependency, only needed for an embedded database.
  const { MongoBinary, MongoMemoryServer } = await import('mongodb-memory-server-core');
  const start = async () => {
    // Without a binary, find (or fetch) one first: MongoMemoryServer.create prints a stack trace
    // to the console when it has none.
    if (!binary) await MongoBinary.getPath();
    return MongoMemoryServer.create({
      instance: { ip: '127.0.0.1' },
      // The version too, so its version check has nothing to warn about.
      ...(binary ? { binary: { systemBinary: binary.path, version: binary.version } } : {}),
      // Its own process group, as the Java server's (see there): Ctrl-C reaches the gateway only.
      spawn: { detached: true },
    });
  };
  const server = await withTimeout(start(), timeoutMs, 'mongodb-memory-server');
  return { uri: server.getUri(), kind: 'mongodb-memory-server', reason, stop: async () => void (await server.stop()) };
}

async function startJava(reason: string): Promise<EmbeddedDatabase> {
  const server = await startJavaMongoServer();
  return { uri: server.uri, kind: 'mongo-java-server', reason, stop: () => server.stop() };
}

const javaFailed = (error: unknown, earlier: string[]): Error =>
  new Error(
    `No embedded database could start. Set MONGODB_URI to a MongoDB server, or install Java 17 and Maven.\n${[...earlier, `mongo-java-server: ${(error as Error).message}`].join('\n')}`,
  );

/** Development only: a database that needs nothing installed but Node and Java (or a local mongod). */
export async function startEmbeddedDatabase(options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const { prefer = 'auto', memoryServerTimeoutMs = 60_000 } = options;
  if (prefer === 'mongodb-memory-server') {
    return startMemoryServer(undefined, memoryServerTimeoutMs, 'EMBEDDED_DATABASE=mongodb-memory-server').catch((error: unknown) =>
      Promise.reject(new Error(`mongodb-memory-server: ${(error as Error).message}`)),
    );
  }
  if (prefer === 'java') return startJava('EMBEDDED_DATABASE=java').catch((error: unknown) => Promise.reject(javaFailed(error, [])));
  const search = await locateMongod();
  const earlier: string[] = [];
  let reason: string;
  if (search.found) {
    const { path, version, source } = search.found;
    try {
      return await startMemoryServer(search.found, memoryServerTimeoutMs, `mongod ${version} from ${source} (${path})`);
    } catch (error) {
      earlier.push(`mongodb-memory-server: ${(error as Error).message}`);
      reason = `the mongod from ${source} did not start (${(error as Error).message})`;
    }
  } else {
    reason = search.reason;
    earlier.push(`mongod: ${reason}`);
  }
  try {
    return await startJava(`${reason}; EMBEDDED_DATABASE=auto never downloads one`);
  } catch (error) {
    throw javaFailed(error, earlier);
  }
}
