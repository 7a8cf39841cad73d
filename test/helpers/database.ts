/**
 * Per-test-file MongoDB databases on the server that test/global-setup.ts provides.
 *
 *   const db = await connectTestDatabase(import.meta.url);
 *   afterAll(() => db.close());
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { expect, inject } from 'vitest';
import type { MongoServerKind } from '../global-setup.js';

export interface TestDatabase {
  readonly connection: mongoose.Connection;
  readonly uri: string;
  readonly dbName: string;
  /** Drops the database, then closes the connection. Safe to call more than once. */
  close(): Promise<void>;
}

/** MongoDB allows up to 63 bytes in a database name; keep room for the prefix and suffix. */
const MAX_BASE_LENGTH = 40;

/** The URI of the test MongoDB server (MONGODB_URI, else the value provided by globalSetup). */
export function testMongoUri(): string {
  const fromEnv = process.env.MONGODB_URI;
  if (fromEnv !== undefined && fromEnv !== '') {
    return fromEnv;
  }
  const provided = inject('mongoUri');
  if (typeof provided === 'string' && provided !== '') {
    return provided;
  }
  throw new Error('No test MongoDB: set MONGODB_URI or run through vitest with test/global-setup.ts');
}

/** 'java' when the suite runs on the mongo-java-server that globalSetup started, else 'external'. */
export function testMongoKind(): MongoServerKind {
  const fromEnv = process.env.GOVGATE_TEST_MONGO;
  if (fromEnv === 'java' || fromEnv === 'external') {
    return fromEnv;
  }
  const provided = inject('mongoServerKind');
  return provided === 'java' ? 'java' : 'external';
}

function baseNameOf(name: string): string {
  let path = name;
  if (path.startsWith('file:')) {
    try {
      path = fileURLToPath(path);
    } catch {
      // Not a valid file URL: use it as a plain name.
    }
  }
  return basename(path).replace(/\.(test|spec)\.[cm]?[jt]sx?$/, '').replace(/\.[cm]?[jt]sx?$/, '');
}

function currentTestPath(): string | undefined {
  try {
    const testPath = expect.getState().testPath;
    return typeof testPath === 'string' && testPath !== '' ? testPath : undefined;
  } catch {
    return undefined;
  }
}

/** `test_<base>_<6 hex>`, restricted to characters MongoDB accepts in database names. */
export function testDatabaseName(name?: string): string {
  const source = name ?? currentTestPath();
  const base = source === undefined ? 'db' : baseNameOf(source);
  const safe = base.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, MAX_BASE_LENGTH) || 'db';
  return `test_${safe}_${randomBytes(3).toString('hex')}`;
}

/**
 * Opens a mongoose connection to a fresh database of its own on the test server.
 *
 * @param name the caller's `import.meta.url` (or any name); the database is called
 *   `test_<basename of it>_<random 6 hex>`. Defaults to the current test file's path, or a random name.
 */
export async function connectTestDatabase(name?: string): Promise<TestDatabase> {
  const uri = testMongoUri();
  const dbName = testDatabaseName(name);
  const connection = mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 10_000 });
  await connection.asPromise();

  let closing: Promise<void> | undefined;
  return {
    connection,
    uri,
    dbName,
    close(): Promise<void> {
      closing ??= (async () => {
        try {
          if (connection.readyState === mongoose.ConnectionStates.connected) {
            await connection.dropDatabase();
          }
        } finally {
          await connection.close();
        }
      })();
      return closing;
    },
  };
}
