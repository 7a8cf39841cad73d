/**
 * The production path: `npm run build` compiles src/ to dist/, and `node dist/main.js` (the
 * image's CMD) starts, serves and stops with what a production install has (dependencies only).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_QUERY } from '../../src/db/seed-demo.js';
import { cleanEnv, postGraphQL, REPO_ROOT, spawnNode, type Spawned } from '../helpers/spawn.js';

const started: Spawned[] = [];
afterAll(() => started.forEach((s) => s.kill('SIGKILL')));

/** Packages loaded only on demand by development-only code (the embedded database), never in production. */
const DEVELOPMENT_ONLY = new Set(['mongodb-memory-server-core']);

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));

/** `a/b/c` → `a`, `@s/p/x` → `@s/p`. */
const packageOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

describe('npm run build, then node dist/main.js', () => {
  beforeAll(() => {
    const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000 });
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
  }, 300_000);

  it('dist/ mirrors src/, and what dist/main.js loads imports nothing a production install (npm ci --omit=dev) lacks', () => {
    const dist = join(REPO_ROOT, 'dist');
    const js = filesUnder(dist).filter((file) => file.endsWith('.js'));
    expect(js.map((file) => file.slice(dist.length + 1))).toEqual(expect.arrayContaining(['main.js', 'server.js', 'db/java-mongo-server.js', 'governance/packs/load-pack.js']));
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    // The gateway's module graph from its entry point: development tools compiled beside it
    // (dist/scripts: the console build, the schema check) may need development dependencies.
    const seen = new Set<string>();
    const queue = [join(dist, 'main.js')];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      const imports = [
        // import x, { y as z } from '…' / import * as x from '…' / export { … } from '…' / export * from '…' / import '…'
        ...[...source.matchAll(/^(?:import\s+[\w$*{}\s,]+?\s+from|export\s+(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from|import)\s*['"]([^'"]+)['"]/gm)].map((m) => ({ specifier: m[1]!, lazy: false })),
        ...[...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => ({ specifier: m[1]!, lazy: true })),
      ];
      for (const { specifier, lazy } of imports) {
        if (specifier.startsWith('.')) {
          queue.push(join(dirname(file), specifier));
          continue;
        }
        if (specifier.startsWith('node:') || builtins.has(specifier)) continue;
        const name = packageOf(specifier);
        if (name in pkg.dependencies) continue;
        // A lazy import() of a development-only package is allowed; a static one would fail at start.
        if (lazy && DEVELOPMENT_ONLY.has(name)) continue;
        missing.add(`${name} (${file.slice(dist.length + 1)})`);
      }
    }
    expect(seen.size).toBeGreaterThan(100);
    expect([...missing]).toEqual([]);
    expect(pkg.devDependencies).toHaveProperty('tsx');
  });

  it('starts, answers a demo token, serves GraphiQL, and stops cleanly', { timeout: 180_000 }, async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'govgate-dist-'));
    const app = spawnNode(['dist/main.js'], cleanEnv({ PORT: '0', HOST: '127.0.0.1', GOVGATE_STATE_DIR: stateDir, EMBEDDED_DATABASE: 'java', LOG_LEVEL: 'info' }));
    started.push(app);
    const [, url] = await app.waitFor(/govgate ready: (http:\/\/\S+\/graphql)/, 120_000);
    const [, token] = await app.waitFor(/user \(alice@demo\):\n\s+(\S+)/);
    const reply = await postGraphQL<{ me: { id: string; conversations: { title: string }[] } }>(url!, { query: DEMO_QUERY }, { token: token! });
    expect(reply.errors).toBeUndefined();
    expect(reply.data?.me.id).toBe('alice');
    expect(reply.data?.me.conversations.length).toBeGreaterThan(0);
    // The policy packs (schema/policies) and the Java launcher (test/mongo) were found from dist/.
    expect(app.stdout()).toMatch(/govgate ready: \S+ {2}\(pack deepailab\)/);
    const page = await fetch(url!, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/);
    expect(await page.text()).toContain('renderYogaGraphiQL');

    app.kill('SIGTERM');
    expect(await app.exited(30_000)).toBe(0);
    const logged = app
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(logged.filter((line) => line.level >= 40)).toEqual([]);
    expect(logged.map((line) => line.msg).slice(-2)).toEqual(['shutting down', 'stopped']);
    expect(`${app.stdout()}${app.stderr()}`).not.toMatch(/^\s+at /m);
  });

  it('npm start on a checkout without a built console builds it apart, and the gateway still starts in development', { timeout: 240_000 }, async () => {
    // A copy of the checkout (the repository's own console/dist is served by other tests meanwhile).
    const copy = await mkdtemp(join(tmpdir(), 'govgate-checkout-'));
    const skip = new Set(['node_modules', '.git', 'test-artifacts', '.govgate']);
    for (const entry of readdirSync(REPO_ROOT)) {
      if (!skip.has(entry)) cpSync(join(REPO_ROOT, entry), join(copy, entry), { recursive: true, filter: (path) => !path.includes(`${join('console', 'dist')}`) });
    }
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'));
    const app = spawnNode([join(copy, 'scripts', 'start.mjs')], cleanEnv({ PORT: '0', HOST: '127.0.0.1', GOVGATE_STATE_DIR: await mkdtemp(join(tmpdir(), 'govgate-npm-start-')), EMBEDDED_DATABASE: 'java', LOG_LEVEL: 'info' }));
    started.push(app);
    await app.waitFor(/compliance console built/, 120_000);
    // Vite sets NODE_ENV=production where it builds: had it built in this process, the gateway would refuse development keys.
    const [, url] = await app.waitFor(/govgate ready: (http:\/\/\S+\/graphql)/, 120_000);
    await app.waitFor(/user \(alice@demo\):\n\s+\S+/);
    expect((await fetch(url!.replace(/\/graphql$/, '/console/'))).status).toBe(200);
    app.kill('SIGINT');
    expect(await app.exited(30_000)).toBe(0);
  });

  it('npm start (scripts/start.mjs) compiles only when a source changed, then serves from dist/ in its own process', { timeout: 240_000 }, async () => {
    const stamp = join(REPO_ROOT, 'dist', '.tsbuildinfo');
    const run = async (): Promise<Spawned> => {
      const app = spawnNode(['scripts/start.mjs'], cleanEnv({ PORT: '0', HOST: '127.0.0.1', GOVGATE_STATE_DIR: await mkdtemp(join(tmpdir(), 'govgate-npm-start-')), EMBEDDED_DATABASE: 'java', LOG_LEVEL: 'info' }));
      started.push(app);
      const [, url] = await app.waitFor(/govgate ready: (http:\/\/\S+\/graphql)/, 120_000);
      const [, token] = await app.waitFor(/user \(alice@demo\):\n\s+(\S+)/);
      expect((await postGraphQL<{ me: { id: string } }>(url!, { query: DEMO_QUERY }, { token: token! })).data?.me.id).toBe('alice');
      app.kill('SIGINT');
      expect(await app.exited(30_000)).toBe(0);
      expect(`${app.stdout()}${app.stderr()}`).not.toMatch(/^\s+at /m);
      return app;
    };
    // Built just now: nothing is compiled again.
    const before = statSync(stamp).mtimeMs;
    await run();
    expect(statSync(stamp).mtimeMs).toBe(before);
    // A source newer than the build: compiled (without type checking), then served.
    const source = join(REPO_ROOT, 'src', 'main.ts');
    const later = new Date(before + 2000);
    utimesSync(source, later, later);
    await run();
    expect(statSync(stamp).mtimeMs).toBeGreaterThan(before);
  });
});
