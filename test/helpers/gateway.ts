/**
 * A gateway on its own database of the test MongoDB, driven through `yoga.fetch` with real tokens.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { loadConfig, type GatewayConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/connect.js';
import { registerModels } from '../../src/db/register-models.js';
import type { AuditSink } from '../../src/audit/index.js';
import { createGateway, type Gateway } from '../../src/server.js';
import { createTestIssuer, TEST_AUDIENCE, TEST_ISSUER, type TestIssuer } from './auth.js';
import { testDatabaseName, testMongoUri } from './database.js';

export interface CallOptions {
  token?: string;
  headers?: Record<string, string>;
}

export interface GraphQLResponse<T> extends ExecutionResult<T> {
  status: number;
  extensions?: Record<string, unknown>;
}

export interface TestGateway {
  readonly gateway: Gateway;
  readonly connection: Connection;
  readonly config: GatewayConfig;
  readonly issuer: TestIssuer;
  /** Signs a token for a caller of this gateway. */
  token(sub: string, tenant: string, roles: string[], purposes?: string[]): Promise<string>;
  /** POST a typed document to /graphql. */
  execute<R, V>(document: TypedDocumentNode<R, V>, variables?: V, options?: CallOptions): Promise<GraphQLResponse<R>>;
  /** POST a raw body to /graphql. */
  post(body: unknown, options?: CallOptions): Promise<Response>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** import.meta.url of the test file, to name its database. */
  name: string;
  /** Extra environment for loadConfig. */
  env?: Record<string, string>;
  /** Connect to this URI instead of the shared test server. */
  uri?: string;
  monitorCommands?: boolean;
  /** Use this database (e.g. a restart on the data of an earlier gateway). Default: a fresh one. */
  dbName?: string;
  /** Keep the database on close (another gateway reuses it). Default false. */
  keepDatabase?: boolean;
  /** A separate audit connection (with AUDIT_MONGODB_URI in env); the caller closes it. Default: the data connection. */
  auditConnection?: Connection;
  /** The gateway's logger (a test reads what it logs). Default: the gateway's own, silent in tests. */
  logger?: Logger;
  /** The time the gateway's periodic jobs run at (GatewayOptions.clock). Default: the wall clock. */
  clock?: () => Date;
  /** Where audit writes go instead of the store (GatewayOptions.auditSink). Default: the store. */
  auditSink?: AuditSink;
}

export async function startTestGateway(options: TestGatewayOptions): Promise<TestGateway> {
  const issuer = await createTestIssuer();
  const uri = options.uri ?? testMongoUri();
  // An empty string in options.env removes a default (e.g. AUTH_JWKS_FILE when testing a JWKS URL).
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    MONGODB_URI: uri,
    MONGODB_DB_NAME: options.dbName ?? testDatabaseName(options.name),
    AUTH_JWKS_FILE: issuer.jwksFile,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    // Tests drive many requests per caller; rate limiting is tested where it is switched on.
    RATE_LIMIT_PER_SECOND: '0',
    ...options.env,
  };
  for (const [key, value] of Object.entries(env)) if (value === '') delete env[key];
  const config = loadConfig(env);
  const connection = await connectDatabase({
    uri,
    dbName: config.mongo.dbName,
    writeConcern: config.mongo.writeConcern,
    serverSelectionTimeoutMS: config.mongo.serverSelectionTimeoutMS,
    monitorCommands: options.monitorCommands ?? false,
  });
  await registerModels(connection);
  const gateway = await createGateway({
    config,
    connection,
    ...(options.auditConnection ? { auditConnection: options.auditConnection } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.auditSink ? { auditSink: options.auditSink } : {}),
  });

  const fetchPath = (path: string, init?: RequestInit): Promise<Response> =>
    Promise.resolve(gateway.yoga.fetch(new URL(path, "http://govgate.test"), init ?? {}));
  const post = (body: unknown, call: CallOptions = {}): Promise<Response> =>
    fetchPath('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(call.token ? { authorization: `Bearer ${call.token}` } : {}),
        ...call.headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  return {
    gateway,
    connection,
    config,
    issuer,
    token: (sub, tenant, roles, purposes) => issuer.token({ sub, tenant, roles, ...(purposes ? { purposes } : {}) }),
    async execute(document, variables, call) {
      const response = await post({ query: print(document), variables: variables ?? {} }, call);
      const json = (await response.json()) as ExecutionResult<never>;
      return { ...json, status: response.status } as GraphQLResponse<never>;
    },
    post,
    fetch: fetchPath,
    async close() {
      await gateway.close();
      if (!options.keepDatabase) await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
}
