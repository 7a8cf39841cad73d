import { resolve } from 'node:path';
import { z } from 'zod';

/** Policy packs shipped in schema/policies (one per seed document). */
export const POLICY_PACKS = ['ihuman', 'interhuman', 'aiwellflow', 'deepailab', 'hartsy'] as const;
export type PolicyPackName = (typeof POLICY_PACKS)[number];

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

/** An exact browser origin as a browser sends it: http(s), lower-case host, no default port, no path. */
const isOrigin = (value: string): boolean => {
  try {
    const url = new URL(value);
    // The URL parser lets a '*' through in a host name: a wildcard is not an origin.
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value && /^(\[[0-9a-f:.]+\]|[a-z0-9-]+(\.[a-z0-9-]+)*)$/.test(url.hostname);
  } catch {
    return false;
  }
};

/** Comma-separated origins; empty entries (a trailing comma) are ignored. */
const origins = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
  .pipe(z.array(z.string().refine(isOrigin, 'not an origin: expected scheme://host[:port] (http or https, lower-case, no path, no trailing slash, no wildcard)')));

/** Every variable the gateway reads. Defaults are documented here and in the README table (a test checks the table against this). */
export const envSchema = z
  .object({
    /** development | test | production. Default development. */
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    /** Interface to bind. Default 127.0.0.1 (docker compose sets 0.0.0.0). */
    HOST: z.string().min(1).default('127.0.0.1'),
    /** HTTP port. Default 4000. */
    PORT: port.default(4000),
    /** MongoDB connection string. Unset: an embedded development database is started. */
    MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
    /** Database name. Default govgate. */
    MONGODB_DB_NAME: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/).default('govgate'),
    /** Write concern for audit and data writes: majority or a number ≥ 1 (0 would acknowledge nothing, and "persisted before the response" would stop being true). Default majority in production, 1 elsewhere. */
    MONGODB_WRITE_CONCERN: z.union([z.literal('majority'), z.coerce.number().int().min(1).max(50)]).optional(),
    /** How long the driver waits for a reachable server before failing an operation, ms. Default 5000. */
    MONGODB_SERVER_SELECTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
    /** Which embedded database `npm start` uses without MONGODB_URI: auto (mongod binary if one can be had, else the Java server), mongodb-memory-server, java. Default auto. */
    EMBEDDED_DATABASE: z.enum(['auto', 'mongodb-memory-server', 'java']).default('auto'),
    /** JWKS JSON file trusted for caller tokens. */
    AUTH_JWKS_FILE: z.string().min(1).optional(),
    /** JWKS URL trusted for caller tokens (https outside development). */
    AUTH_JWKS_URL: z.url().optional(),
    /** Required `iss` claim. */
    AUTH_ISSUER: z.string().min(1).optional(),
    /** Required `aud` claim. */
    AUTH_AUDIENCE: z.string().min(1).optional(),
    /** Least time between two fetches of AUTH_JWKS_URL (an unknown kid triggers a refetch), seconds. Default 30. */
    AUTH_JWKS_COOLDOWN_S: z.coerce.number().int().min(0).max(3600).default(30),
    /** How long a verified token is trusted without re-checking its signature, seconds (0 disables). A key removed from the JWKS stops working within this time. Default 60. */
    AUTH_VERIFIED_CACHE_S: z.coerce.number().int().min(0).max(3600).default(60),
    /** Clock skew tolerated on exp/nbf, seconds (at most 30). Default 5. */
    AUTH_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(30).default(5),
    /** Secret keying pseudonyms (hash redaction), at least 32 characters. Production: required; development: generated in the state directory; test: random per process. */
    PSEUDONYM_SECRET: z.string().min(32).optional(),
    /** Key of the HMAC seals on consent and user records (subject state a database writer cannot forge), at least 32 characters. Production: required; development: generated in the state directory; test: random per process. */
    STATE_SEAL_KEY: z.string().min(32).optional(),
    /** File holding the 256-bit master key (hex or base64) that wraps every subject's data key. Production: required; development: generated in the state directory; test: random per process. */
    MASTER_KEY_FILE: z.string().min(1).optional(),
    /** Private JWK (JSON file) that signs audit tree heads and evidence bundles. Production: required; development: generated in the state directory; test: random per gateway. */
    AUDIT_SIGNING_KEY: z.string().min(1).optional(),
    /** JWKS (JSON file) of earlier audit signing keys' public halves: still trusted and published, so what they signed verifies after a rotation. */
    AUDIT_VERIFY_KEYS: z.string().min(1).optional(),
    /** Directory of the audit witness (tree heads kept outside the database). Default <state dir>/witness; test: a fresh temporary directory per gateway. */
    AUDIT_WITNESS_DIR: z.string().min(1).optional(),
    /** Where guardian confirmations are left for a mail relay (one JSON file each). Default <state dir>/guardian-outbox; test: a temporary directory. */
    GUARDIAN_OUTBOX_DIR: z.string().min(1).optional(),
    /** A remote witness: every witness-log entry is POSTed here as JSON. Default none. */
    AUDIT_WITNESS_URL: z.url().optional(),
    /** Separate MongoDB for the audit log (e.g. an append-only cluster). Default: the data database. */
    AUDIT_MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
    /** A chain's signed tree head goes into the witness log after this many events. Default 100. */
    AUDIT_CHECKPOINT_EVERY: z.coerce.number().int().min(1).max(1_000_000).default(100),
    /** ...and at least this often while a chain has events the witness log has not seen, seconds. Default 60. */
    AUDIT_CHECKPOINT_INTERVAL_S: z.coerce.number().int().min(1).max(86_400).default(60),
    /** An audit write slower than this fails the request (AUDIT_UNAVAILABLE), ms. Default 5000. */
    AUDIT_WRITE_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(5000),
    /** How often the erasure sweeper completes erasures whose grace period ended, seconds; 0: never (another instance sweeps). Default 300. */
    ERASURE_SWEEP_INTERVAL_S: z.coerce.number().int().min(0).max(86_400).default(300),
    /** How often the retention sweeper deletes what the pack's `sweep` rules say is past its period, seconds; 0: never (another instance sweeps). Default 3600. */
    RETENTION_SWEEP_INTERVAL_S: z.coerce.number().int().min(0).max(86_400).default(3600),
    /** Largest group commit, events. Default 500. */
    AUDIT_MAX_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
    /** Largest request body, bytes. Default 102400. */
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(102_400),
    /** Operations per batched request. Default 10. */
    MAX_BATCH: z.coerce.number().int().min(1).max(100).default(10),
    /** Query limits (graphql-armor): depth, aliases, cost, tokens, directives. */
    MAX_DEPTH: z.coerce.number().int().min(2).max(100).default(12),
    MAX_ALIASES: z.coerce.number().int().min(0).max(1000).default(15),
    /** Largest armor cost of an operation. Default 25000: admits a compliance officer's page of 100 audit events with every field and their decisions (~13 000). */
    MAX_COST: z.coerce.number().int().min(10).max(10_000_000).default(25_000),
    /** armor cost of a leaf field. Default 0.05: a field of an already loaded object costs little, so wide pages stay cheap. */
    COST_SCALAR: z.coerce.number().min(0).max(1000).default(0.05),
    /** armor cost of a field with a selection set. Default 1. */
    COST_OBJECT: z.coerce.number().min(0).max(1000).default(1),
    /** armor multiplier of a field's cost per nesting level. Default 3: nested lists fan out, so depth is what costs. */
    COST_DEPTH_FACTOR: z.coerce.number().min(1).max(10).default(3),
    MAX_TOKENS: z.coerce.number().int().min(50).max(100_000).default(2000),
    MAX_DIRECTIVES: z.coerce.number().int().min(0).max(1000).default(20),
    /** Introspection: on, authenticated (anonymous callers refused), off. Default on outside production, authenticated in production. */
    INTROSPECTION: z.enum(['on', 'authenticated', 'off']).optional(),
    /** JSON file mapping document ids (e.g. sha256 hashes) to trusted documents (persisted operations). */
    TRUSTED_DOCUMENTS_FILE: z.string().min(1).optional(),
    /** Refuse any operation that is not a trusted document. Default false. */
    TRUSTED_DOCUMENTS_ONLY: bool.optional(),
    /** Token bucket per caller: sustained requests per second (0 disables). Default 50. */
    RATE_LIMIT_PER_SECOND: z.coerce.number().min(0).max(100_000).default(50),
    /** Token bucket size (burst). Default 100. */
    RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(1_000_000).default(100),
    /** Share each caller's limit across every instance on the database (spend synchronised through MongoDB, never on the request path); false: per process. Default true. */
    RATE_LIMIT_SHARED: bool.default(true),
    /** How often the shared limit syncs, ms (the sync lag is what N instances may admit above the limit). Default 250. */
    RATE_LIMIT_SYNC_MS: z.coerce.number().int().min(50).max(10_000).default(250),
    /** Active policy pack. Default deepailab. */
    POLICY_PACK: z.enum(POLICY_PACKS).default('deepailab'),
    /** Directory holding the pack files (`<pack>.json`, `base.json`). Default: the repository's schema/policies. */
    POLICY_DIR: z.string().min(1).optional(),
    /** pino level. Default info (silent in test). */
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    /** Seed demo tenants, users and conversations at start. Default true with the embedded database. */
    SEED_DEMO: bool.optional(),
    /** Where development keys and other local state live. Default ./.govgate */
    GOVGATE_STATE_DIR: z.string().min(1).default('.govgate'),
    /** Serve GraphiQL at /graphql. Default true outside production. */
    GRAPHIQL: bool.optional(),
    /** Serve the compliance console (static files of console/dist) at /console. Default true. */
    CONSOLE: bool.default(true),
    /** Browser origins allowed to call the gateway cross-origin (CORS), comma-separated, exact. Default none in every environment: cross-origin requests get no Access-Control-Allow-Origin (GraphiQL is same-origin). */
    CORS_ORIGINS: origins.optional(),
    /** OpenTelemetry: OTLP/HTTP base URL; set, every GraphQL operation is a span sent to `<url>/v1/traces`. Default unset (no tracing). */
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    /** `service.name` of the spans. Default govgate. */
    OTEL_SERVICE_NAME: z.string().regex(/^[\w.-]{1,64}$/).default('govgate'),
  })
  .superRefine((env, ctx) => {
    if (env.AUTH_JWKS_FILE && env.AUTH_JWKS_URL) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: 'set AUTH_JWKS_FILE or AUTH_JWKS_URL, not both' });
    }
    if (env.NODE_ENV === 'production' && !env.AUTH_JWKS_FILE && !env.AUTH_JWKS_URL) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_FILE'], message: 'production needs AUTH_JWKS_FILE or AUTH_JWKS_URL (development keys are refused)' });
    }
    if (env.NODE_ENV === 'production' && env.AUTH_JWKS_URL && !env.AUTH_JWKS_URL.startsWith('https://')) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: 'production fetches keys over https only' });
    }
    if (env.TRUSTED_DOCUMENTS_ONLY && !env.TRUSTED_DOCUMENTS_FILE) {
      ctx.addIssue({ code: 'custom', path: ['TRUSTED_DOCUMENTS_FILE'], message: 'TRUSTED_DOCUMENTS_ONLY needs TRUSTED_DOCUMENTS_FILE' });
    }
    if (env.NODE_ENV === 'production' && !env.AUDIT_SIGNING_KEY) {
      ctx.addIssue({ code: 'custom', path: ['AUDIT_SIGNING_KEY'], message: 'production needs AUDIT_SIGNING_KEY (evidence must verify across restarts)' });
    }
    if (env.NODE_ENV === 'production' && !env.PSEUDONYM_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['PSEUDONYM_SECRET'], message: 'production needs PSEUDONYM_SECRET (pseudonyms must stay stable across restarts)' });
    }
    if (env.NODE_ENV === 'production' && !env.STATE_SEAL_KEY) {
      ctx.addIssue({ code: 'custom', path: ['STATE_SEAL_KEY'], message: 'production needs STATE_SEAL_KEY (sealed consent and user records must verify across restarts and replicas)' });
    }
    if (env.NODE_ENV === 'production' && !env.MASTER_KEY_FILE) {
      ctx.addIssue({ code: 'custom', path: ['MASTER_KEY_FILE'], message: 'production needs MASTER_KEY_FILE (encrypted content must stay readable across restarts and replicas)' });
    }
    if (env.NODE_ENV === 'production' && !env.MONGODB_URI) {
      ctx.addIssue({ code: 'custom', path: ['MONGODB_URI'], message: 'production needs MONGODB_URI (no embedded database)' });
    }
  });

/** Development keys generated in the state directory: no issuer is configured. */
export type DevAuthConfig = { mode: 'development'; stateDir: string; issuer: string; audience: string; clockToleranceS: number };

export type AuthConfig =
  | DevAuthConfig
  | { mode: 'jwks-file'; jwksFile: string; issuer?: string; audience?: string; clockToleranceS: number }
  | { mode: 'jwks-url'; jwksUrl: string; cooldownS: number; issuer?: string; audience?: string; clockToleranceS: number };

export interface GatewayConfig {
  readonly env: 'development' | 'test' | 'production';
  readonly host: string;
  readonly port: number;
  readonly mongo: {
    readonly uri?: string;
    readonly dbName: string;
    readonly writeConcern: 'majority' | number;
    readonly serverSelectionTimeoutMS: number;
    readonly embedded: 'auto' | 'mongodb-memory-server' | 'java';
  };
  readonly auth: Readonly<AuthConfig>;
  readonly authVerifiedCacheS: number;
  readonly policyPack: PolicyPackName;
  /** Absolute; unset: the shipped schema/policies. */
  readonly policyDir?: string;
  readonly limits: {
    readonly maxBodyBytes: number;
    readonly maxBatch: number;
    readonly maxDepth: number;
    readonly maxAliases: number;
    readonly maxCost: number;
    readonly costScalar: number;
    readonly costObject: number;
    readonly costDepthFactor: number;
    readonly maxTokens: number;
    readonly maxDirectives: number;
    readonly introspection: 'on' | 'authenticated' | 'off';
    readonly trustedDocumentsFile?: string;
    readonly trustedDocumentsOnly: boolean;
    readonly ratePerSecond: number;
    readonly rateBurst: number;
    /** RATE_LIMIT_SHARED: one limit across the instances on the database. */
    readonly rateShared: boolean;
    /** RATE_LIMIT_SYNC_MS. */
    readonly rateSyncMs: number;
  };
  readonly audit: {
    readonly signingKeyFile?: string;
    readonly verifyKeysFile?: string;
    /** Explicit witness directory; unset: under the state directory (a temporary one in tests). */
    readonly witnessDir?: string;
    readonly witnessUrl?: string;
    readonly mongoUri?: string;
    readonly checkpointEvery: number;
    readonly checkpointIntervalS: number;
    readonly writeTimeoutMs: number;
    readonly maxBatch: number;
  };
  /** Explicit guardian outbox directory; unset: under the state directory (a temporary one in tests). */
  readonly guardianOutboxDir?: string;
  /** ERASURE_SWEEP_INTERVAL_S: seconds between erasure sweeps; 0 disables this instance's sweeper. */
  readonly erasureSweepIntervalS: number;
  /** RETENTION_SWEEP_INTERVAL_S: seconds between retention sweeps; 0 disables this instance's sweeper. */
  readonly retentionSweepIntervalS: number;
  readonly pseudonymSecret?: string;
  readonly stateSealKey?: string;
  /** MASTER_KEY_FILE, resolved; unset: the development or test key. */
  readonly masterKeyFile?: string;
  readonly logLevel: string;
  readonly seedDemo: boolean;
  readonly stateDir: string;
  readonly graphiql: boolean;
  /** CONSOLE: serve the compliance console at /console. */
  readonly console: boolean;
  /** CORS_ORIGINS: the only origins a cross-origin browser request is allowed from; empty: none. */
  readonly corsOrigins: readonly string[];
  /** OpenTelemetry export; unset: no spans are made. */
  readonly tracing?: { readonly endpoint: string; readonly serviceName: string };
}

/** Thrown for a bad environment; main prints it and exits 1. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The development issuer/audience used by generated keys and `npm run token`. */
export const DEV_ISSUER = 'govgate-dev';
export const DEV_AUDIENCE = 'govgate';

/** Parse the environment once; the result is frozen and passed down, never re-read. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  const stateDir = resolve(e.GOVGATE_STATE_DIR);
  const clockToleranceS = e.AUTH_CLOCK_TOLERANCE_S;
  const optional = { ...(e.AUTH_ISSUER ? { issuer: e.AUTH_ISSUER } : {}), ...(e.AUTH_AUDIENCE ? { audience: e.AUTH_AUDIENCE } : {}) };
  const auth: AuthConfig = e.AUTH_JWKS_FILE
    ? { mode: 'jwks-file', jwksFile: resolve(e.AUTH_JWKS_FILE), clockToleranceS, ...optional }
    : e.AUTH_JWKS_URL
      ? { mode: 'jwks-url', jwksUrl: e.AUTH_JWKS_URL, cooldownS: e.AUTH_JWKS_COOLDOWN_S, clockToleranceS, ...optional }
      : { mode: 'development', stateDir, issuer: e.AUTH_ISSUER ?? DEV_ISSUER, audience: e.AUTH_AUDIENCE ?? DEV_AUDIENCE, clockToleranceS };
  const config: GatewayConfig = {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    mongo: Object.freeze({
      ...(e.MONGODB_URI ? { uri: e.MONGODB_URI } : {}),
      dbName: e.MONGODB_DB_NAME,
      writeConcern: e.MONGODB_WRITE_CONCERN ?? (e.NODE_ENV === 'production' ? 'majority' : 1),
      serverSelectionTimeoutMS: e.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
      embedded: e.EMBEDDED_DATABASE,
    }),
    auth: Object.freeze(auth),
    authVerifiedCacheS: e.AUTH_VERIFIED_CACHE_S,
    policyPack: e.POLICY_PACK,
    ...(e.POLICY_DIR ? { policyDir: resolve(e.POLICY_DIR) } : {}),
    limits: Object.freeze({
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxBatch: e.MAX_BATCH,
      maxDepth: e.MAX_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxCost: e.MAX_COST,
      costScalar: e.COST_SCALAR,
      costObject: e.COST_OBJECT,
      costDepthFactor: e.COST_DEPTH_FACTOR,
      maxTokens: e.MAX_TOKENS,
      maxDirectives: e.MAX_DIRECTIVES,
      introspection: e.INTROSPECTION ?? (e.NODE_ENV === 'production' ? 'authenticated' : 'on'),
      ...(e.TRUSTED_DOCUMENTS_FILE ? { trustedDocumentsFile: resolve(e.TRUSTED_DOCUMENTS_FILE) } : {}),
      trustedDocumentsOnly: e.TRUSTED_DOCUMENTS_ONLY ?? false,
      ratePerSecond: e.RATE_LIMIT_PER_SECOND,
      rateBurst: e.RATE_LIMIT_BURST,
      rateShared: e.RATE_LIMIT_SHARED,
      rateSyncMs: e.RATE_LIMIT_SYNC_MS,
    }),
    audit: Object.freeze({
      ...(e.AUDIT_SIGNING_KEY ? { signingKeyFile: resolve(e.AUDIT_SIGNING_KEY) } : {}),
      ...(e.AUDIT_VERIFY_KEYS ? { verifyKeysFile: resolve(e.AUDIT_VERIFY_KEYS) } : {}),
      ...(e.AUDIT_WITNESS_DIR ? { witnessDir: resolve(e.AUDIT_WITNESS_DIR) } : {}),
      ...(e.AUDIT_WITNESS_URL ? { witnessUrl: e.AUDIT_WITNESS_URL } : {}),
      ...(e.AUDIT_MONGODB_URI ? { mongoUri: e.AUDIT_MONGODB_URI } : {}),
      checkpointEvery: e.AUDIT_CHECKPOINT_EVERY,
      checkpointIntervalS: e.AUDIT_CHECKPOINT_INTERVAL_S,
      writeTimeoutMs: e.AUDIT_WRITE_TIMEOUT_MS,
      maxBatch: e.AUDIT_MAX_BATCH,
    }),
    ...(e.GUARDIAN_OUTBOX_DIR ? { guardianOutboxDir: resolve(e.GUARDIAN_OUTBOX_DIR) } : {}),
    erasureSweepIntervalS: e.ERASURE_SWEEP_INTERVAL_S,
    retentionSweepIntervalS: e.RETENTION_SWEEP_INTERVAL_S,
    ...(e.PSEUDONYM_SECRET ? { pseudonymSecret: e.PSEUDONYM_SECRET } : {}),
    ...(e.STATE_SEAL_KEY ? { stateSealKey: e.STATE_SEAL_KEY } : {}),
    ...(e.MASTER_KEY_FILE ? { masterKeyFile: resolve(e.MASTER_KEY_FILE) } : {}),
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'silent' : 'info'),
    seedDemo: e.SEED_DEMO ?? !e.MONGODB_URI,
    stateDir,
    graphiql: e.GRAPHIQL ?? e.NODE_ENV !== 'production',
    console: e.CONSOLE,
    corsOrigins: Object.freeze(e.CORS_ORIGINS ?? []),
    ...(e.OTEL_EXPORTER_OTLP_ENDPOINT ? { tracing: Object.freeze({ endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME }) } : {}),
  };
  return Object.freeze(config);
}
