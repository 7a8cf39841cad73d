/**
 * Deployment files: docker-compose.yml, Dockerfile, .dockerignore.
 *
 * - Always: docker-compose.yml is parsed with `yaml` and checked for the invariants the stack
 *   relies on (gateway -> mongo replica set, healthchecks, bind address, ...).
 * - When a docker client with the compose plugin is present: `docker compose config` must accept
 *   the file (no engine needed) and its normalized output must keep the same invariants.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSE_FILE = 'docker-compose.yml';

// Decided synchronously at collection time so describe.skipIf can use it.
const composeProbe = spawnSync('docker', ['compose', 'version'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
const hasCompose = composeProbe.status === 0;
const composeMissingReason = composeProbe.error
  ? `no docker client (${composeProbe.error.message})`
  : `\`docker compose version\` exited ${composeProbe.status ?? composeProbe.signal}: ${(composeProbe.stderr || composeProbe.stdout).trim().split('\n')[0]}`;

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: (string | number | { target?: number | string; published?: number | string })[];
}

interface ComposeFile {
  version?: unknown;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Environment as a map whether the file uses the map or the KEY=value list form. */
function envOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const i = entry.indexOf('=');
        return i === -1 ? [entry, ''] : [entry.slice(0, i), entry.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function commandOf(service: ComposeService): string[] {
  const command = service.command ?? [];
  return Array.isArray(command) ? command : command.split(/\s+/).filter(Boolean);
}

function healthcheckText(service: ComposeService): string {
  const test = service.healthcheck?.test ?? [];
  return Array.isArray(test) ? test.join(' ') : test;
}

function replSetOf(service: ComposeService): string | undefined {
  const command = commandOf(service);
  const i = command.findIndex((arg) => arg === '--replSet' || arg.startsWith('--replSet='));
  if (i === -1) return undefined;
  const arg = command[i] ?? '';
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : command[i + 1];
}

/** The invariants docker-compose.yml must keep, checked on the raw file and on `docker compose config`. */
function expectStackInvariants(compose: ComposeFile, { normalized }: { normalized: boolean }): void {
  const { mongo, gateway } = compose.services;
  expect(mongo, 'service `mongo`').toBeDefined();
  expect(gateway, 'service `gateway`').toBeDefined();
  if (!mongo || !gateway) return;

  // MongoDB: a replica set (transactions, majority writes) listening beyond localhost.
  expect(mongo.image).toMatch(/^mongo:7\.0/);
  const replSet = replSetOf(mongo);
  expect(replSet, 'mongo runs with --replSet').toBeTruthy();
  expect(commandOf(mongo)).toContain('--bind_ip_all');
  expect(mongo.healthcheck?.disable).not.toBe(true);
  const mongoHealth = healthcheckText(mongo);
  expect(mongoHealth).toContain('rs.initiate');
  expect(mongoHealth).toContain(`'${replSet}'`);
  expect(mongoHealth).toContain("host: 'mongo:27017'");

  // Gateway -> mongo service, same replica set name.
  const env = envOf(gateway);
  const uri = new URL(env.MONGODB_URI ?? '');
  expect(uri.protocol).toBe('mongodb:');
  expect(uri.hostname).toBe('mongo');
  expect(uri.port === '' || uri.port === '27017').toBe(true);
  expect(uri.searchParams.get('replicaSet')).toBe(replSet);
  expect(env.MONGODB_DB_NAME).toBe('govgate');
  expect(env.MONGODB_WRITE_CONCERN).toBe('majority');
  expect(env.HOST).toBe('0.0.0.0');
  expect(env.PORT).toBe('4000');
  expect(env.NODE_ENV).toBe('development');
  expect(env.SEED_DEMO).toBe('true');
  expect(env.POLICY_PACK).toBe(normalized ? 'deepailab' : '${POLICY_PACK:-deepailab}');

  expect(gateway.build, 'gateway is built from the Dockerfile').toBeDefined();
  const dependsOn = gateway.depends_on;
  expect(dependsOn && !Array.isArray(dependsOn) ? dependsOn.mongo?.condition : undefined).toBe('service_healthy');
  const ports = (gateway.ports ?? []).map((p) => (typeof p === 'object' ? `${p.published}:${p.target}` : String(p)));
  expect(ports).toContain('4000:4000');
  expect(gateway.healthcheck?.disable).not.toBe(true);
  expect(healthcheckText(gateway)).toContain('/ready');
}

describe('docker-compose.yml (parsed with yaml)', () => {
  const raw = readFileSync(join(ROOT, COMPOSE_FILE), 'utf8');
  const compose = parse(raw) as ComposeFile;

  it('keeps the stack invariants', () => {
    expectStackInvariants(compose, { normalized: false });
  });

  it('has no obsolete top-level `version:` and declares its named volumes', () => {
    expect(compose).not.toHaveProperty('version');
    expect(Object.keys(compose.volumes ?? {})).toContain('mongo-data');
  });

  it('healthcheck scripts are valid JavaScript (mongosh --eval, node -e)', () => {
    for (const name of ['mongo', 'gateway'] as const) {
      const test = compose.services[name]?.healthcheck?.test;
      expect(Array.isArray(test) && test[0] === 'CMD', `${name}: exec-form healthcheck`).toBe(true);
      const script = (test as string[]).at(-1) ?? '';
      // Parse only: new Function compiles the body without running it.
      expect(() => new Function(script), `${name} healthcheck script`).not.toThrow();
    }
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    scripts?: Record<string, string>;
  };

  /** The Dockerfile's stages by name (`FROM … AS name`), each with its instructions. */
  const stages = new Map(
    dockerfile
      .split(/^(?=FROM )/m)
      .slice(1)
      .map((stage) => [/^FROM \S+ AS (\S+)/.exec(stage)?.[1] ?? '', stage] as const),
  );

  it('builds dist/ in a build stage and runs `node dist/main.js` on production dependencies only, as the unprivileged node user', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect([...stages.keys()]).toEqual(['build', 'deps', 'runtime']);
    const build = stages.get('build')!;
    expect(build).toMatch(/^RUN npm ci$/m);
    expect(build).toMatch(/^COPY src \.\/src$/m);
    expect(build).toMatch(/^RUN npm run build$/m);
    expect(stages.get('deps')).toMatch(/^RUN npm ci --omit=dev\b/m);

    const runtime = stages.get('runtime')!;
    expect(runtime).toMatch(/^COPY --from=deps \/app\/node_modules \.\/node_modules$/m);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    // The packs, where dist/governance/packs/ looks for them (../../../schema/policies).
    expect(runtime).toMatch(/^COPY schema\/policies \.\/schema\/policies$/m);
    // No sources, no full install, no TypeScript runtime in the image.
    expect(runtime).not.toMatch(/^COPY (src|tsconfig)/m);
    expect(runtime).not.toMatch(/^RUN npm (ci|install)/m);
    expect(runtime).not.toMatch(/tsx/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^EXPOSE 4000$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*\/ready/m);
    expect(runtime).toContain('CMD ["node", "dist/main.js"]');
    // `npm ci --omit=dev` installs dependencies only: the runtime must need nothing else (test/deploy/build.test.ts checks dist/'s imports).
    expect(pkg.dependencies).not.toHaveProperty('tsx');
    expect(pkg.dependencies).not.toHaveProperty('typescript');
  });

  it('builds the compliance console in the build stage and ships only its output where the gateway serves it from', () => {
    expect(stages.get('build')).toMatch(/^COPY console \.\/console$/m);
    // `npm run build` builds the console too (package.json), so the build stage's one build makes both.
    expect(pkg.scripts?.build).toMatch(/build:console/);
    // src/plugins/use-console.ts serves <install>/console/dist; WORKDIR is /app.
    expect(stages.get('runtime')).toMatch(/^COPY --from=build \/app\/console\/dist \.\/console\/dist$/m);
  });

  it('keeps local state and dependencies out of the build context', () => {
    // dist and console/dist: the build stage makes its own.
    for (const entry of ['node_modules', '.git', '.govgate', 'dist', 'coverage', '*.log', 'test/mongo/target', 'console/dist', 'test-artifacts']) {
      expect(dockerignore).toContain(entry);
    }
  });
});

describe.skipIf(!hasCompose)(
  hasCompose ? 'docker compose config' : `docker compose config (skipped: ${composeMissingReason})`,
  () => {
    it('accepts docker-compose.yml (config -q)', () => {
      const result = spawnSync('docker', ['compose', '-f', COMPOSE_FILE, 'config', '-q'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, POLICY_PACK: '' },
      });
      expect(result.status, result.stderr).toBe(0);
    });

    it('normalized config keeps the stack invariants', () => {
      const result = spawnSync('docker', ['compose', '-f', COMPOSE_FILE, 'config', '--format', 'json'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, POLICY_PACK: '' },
      });
      expect(result.status, result.stderr).toBe(0);
      expectStackInvariants(JSON.parse(result.stdout) as ComposeFile, { normalized: true });
    });
  },
);
