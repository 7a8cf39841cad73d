/**
 * vitest globalSetup: gives every test file a MongoDB to talk to.
 *
 * - MONGODB_URI already set (CI service, a local mongod, ...): use it and start nothing.
 * - Otherwise: start one mongo-java-server (see src/db/java-mongo-server.ts) for the whole run and
 *   stop it in teardown.
 *
 * The URI reaches test files two ways: process.env.MONGODB_URI (worker processes are forked after
 * globalSetup and inherit this process's environment) and `inject('mongoUri')`.
 * GOVGATE_TEST_MONGO / `inject('mongoServerKind')` say which kind of server it is: 'java' when it
 * is the mongo-java-server started here, 'external' when MONGODB_URI was given.
 */
import type { TestProject } from 'vitest/node';
import { startJavaMongoServer } from '../src/db/java-mongo-server.js';

export type MongoServerKind = 'java' | 'external';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    mongoServerKind: MongoServerKind;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.MONGODB_URI;
  if (external !== undefined && external !== '') {
    process.env.GOVGATE_TEST_MONGO = 'external';
    project.provide('mongoUri', external);
    project.provide('mongoServerKind', 'external');
    return async () => {};
  }

  const server = await startJavaMongoServer();
  process.env.MONGODB_URI = server.uri;
  process.env.GOVGATE_TEST_MONGO = 'java';
  project.provide('mongoUri', server.uri);
  project.provide('mongoServerKind', 'java');

  return async () => {
    await server.stop();
    delete process.env.MONGODB_URI;
    delete process.env.GOVGATE_TEST_MONGO;
  };
}
