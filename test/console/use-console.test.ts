/**
 * The compliance console's static files and its development-only token endpoint: what is served,
 * with which headers, and that nothing outside the build directory can be reached.
 */
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createYoga, type Plugin } from 'graphql-yoga';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevKeys } from '../../src/auth/index.js';
import { DEV_AUDIENCE, DEV_ISSUER, loadConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/connect.js';
import { DEMO_USERS } from '../../src/db/seed-demo.js';
import { registerModels } from '../../src/db/register-models.js';
import { useConsole, type ConsoleDevToken } from '../../src/plugins/use-console.js';
import { createGateway, type Gateway } from '../../src/server.js';
import { testDatabaseName, testMongoUri } from '../helpers/database.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const SECRET = 'OUTSIDE-THE-BUILD-7c1e';
const servers: Server[] = [];
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  for (const close of closers) await close();
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with the path sent exactly as written (fetch would resolve `..` and re-encode). */
function raw(port: number, path: string, options: { method?: string; host?: string } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `localhost:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The plugin alone in a Yoga of its own, over real HTTP. */
async function serveConsole(plugin: Plugin): Promise<number> {
  const yoga = createYoga({ schema: undefined, plugins: [plugin], graphiql: false, landingPage: false });
  return listen(yoga);
}

function expectStrictHeaders(res: Raw): void {
  const csp = String(res.headers['content-security-policy']);
  for (const directive of ["default-src 'self'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) expect(csp).toContain(directive);
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('DENY');
}

describe('useConsole on a build directory', () => {
  let port: number;
  const devTokens = async (): Promise<ConsoleDevToken[]> => [{ subject: 'carl', tenant: 'demo', roles: ['compliance_officer'], token: 'a.b.c' }];

  beforeAll(async () => {
    const base = await mkdtemp(join(tmpdir(), 'govgate-console-'));
    const root = join(base, 'dist');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(root, 'assets', 'app-1a2b.js'), 'console.log(1)');
    await writeFile(join(root, 'assets', 'app-1a2b.css'), 'body{}');
    await writeFile(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(root, '.source-hash'), SECRET);
    await writeFile(join(root, 'notes.env'), SECRET);
    await writeFile(join(base, 'outside.html'), SECRET);
    await writeFile(join(base, 'package.json'), SECRET);
    await symlink(join(base, 'outside.html'), join(root, 'assets', 'linked.js'));
    await symlink(join(base, 'outside.html'), join(root, 'linked.html'));
    port = await serveConsole(useConsole({ root, devTokens }));
  });

  it('serves the index at /console and /console/ and each file with its type, under a strict CSP', async () => {
    for (const path of ['/console', '/console/', '/console/index.html']) {
      const res = await raw(port, path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<title>console</title>');
      expectStrictHeaders(res);
    }
    const types: [string, string][] = [
      ['/console/assets/app-1a2b.js', 'text/javascript; charset=utf-8'],
      ['/console/assets/app-1a2b.css', 'text/css; charset=utf-8'],
      ['/console/favicon.svg', 'image/svg+xml'],
    ];
    for (const [path, type] of types) {
      const res = await raw(port, path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toBe(type);
      expectStrictHeaders(res);
    }
    expect((await raw(port, '/console/assets/app-1a2b.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers HEAD without a body, and other methods with 405', async () => {
    const head = await raw(port, '/console/assets/app-1a2b.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(String('console.log(1)'.length));
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await raw(port, '/console/index.html', { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
    // OPTIONS is Yoga's CORS preflight, answered before any plugin: no file either.
    expect((await raw(port, '/console/index.html', { method: 'OPTIONS' })).body).toBe('');
  });

  it('never serves a file outside the build directory, a symbolic link, a dot file or an unknown type: 404', async () => {
    const attempts = [
      '/console/../package.json',
      '/console/../outside.html',
      '/console/..%2foutside.html',
      '/console/%2e%2e/outside.html',
      '/console/%2e%2e%2foutside.html',
      '/console/assets/..%2f..%2foutside.html',
      '/console/assets/%2e%2e/%2e%2e/outside.html',
      '/console/..%5coutside.html',
      '/console/assets/..\\..\\outside.html',
      '/console//outside.html',
      '/console/%00index.html',
      '/console/index.html%00.js',
      '/console/assets/linked.js',
      '/console/linked.html',
      '/console/.source-hash',
      '/console/notes.env',
      '/console/assets/',
      '/console/assets',
      '/console/missing.js',
      '/console/ASSETS/app-1a2b.js',
    ];
    for (const path of attempts) {
      const res = await raw(port, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain(SECRET);
    }
  });

  it('leaves other paths to the rest of the gateway', async () => {
    const res = await raw(port, '/consoles/index.html');
    expect(res.headers['content-security-policy']).toBeUndefined();
  });

  it('hands demo tokens only to a loopback peer naming a loopback host', async () => {
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      const res = await raw(port, '/console/dev-tokens', { host: `${host}:${port}` });
      expect(res.status, host).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(JSON.parse(res.body)).toEqual({ tokens: await devTokens() });
    }
    // A page of another site whose name was rebound to 127.0.0.1 sends its own name.
    const rebound = await raw(port, '/console/dev-tokens', { host: `attacker.example:${port}` });
    expect(rebound.status).toBe(404);
    expect(rebound.body).not.toContain('a.b.c');
  });
});

describe('useConsole without a build', () => {
  it('says the console is not built (503) and serves nothing else', async () => {
    const port = await serveConsole(useConsole({ root: join(tmpdir(), 'govgate-no-such-console-dir') }));
    const index = await raw(port, '/console/');
    expect(index.status).toBe(503);
    expect(index.body).toMatch(/npm run build:console/);
    expect((await raw(port, '/console/assets/app.js')).status).toBe(404);
  });
});

describe('the gateway serves the built console', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ name: import.meta.url });
    closers.push(() => t.close());
  });

  it('the index and every file it references, with their types', async () => {
    const index = await t.fetch('/console/');
    expect(index.status).toBe(200);
    const html = await index.text();
    // Everything the page loads is its own, under /console/: no CDN, no web font, no inline script.
    const refs = [...html.matchAll(/(?:src|href)="([^"#][^"]*)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) expect(ref, ref).toMatch(/^\/console\//);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=/);
    const expected: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };
    for (const ref of refs) {
      const res = await t.fetch(ref);
      expect(res.status, ref).toBe(200);
      expect(res.headers.get('content-type'), ref).toBe(expected[ref.split('.').pop()!]);
      const body = await res.text();
      expect(body, ref).not.toMatch(/https?:\/\/(?!www\.w3\.org\/)/);
    }
  });

  it('has no demo-token endpoint outside development keys with demo data (NODE_ENV=test, a JWKS file)', async () => {
    const res = await t.fetch('/console/dev-tokens');
    expect(res.status).toBe(404);
  });
});

describe('CONSOLE=false', () => {
  it('serves nothing under /console', async () => {
    const t = await startTestGateway({ name: import.meta.url, env: { CONSOLE: 'false' } });
    closers.push(() => t.close());
    const res = await t.fetch('/console/');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBeNull();
  });
});

describe('the demo role picker with development keys and demo data', () => {
  let gateway: Gateway;
  let port: number;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'govgate-console-dev-'));
    const uri = testMongoUri();
    const config = loadConfig({ NODE_ENV: 'development', MONGODB_URI: uri, MONGODB_DB_NAME: testDatabaseName(import.meta.url), GOVGATE_STATE_DIR: stateDir, SEED_DEMO: 'true', LOG_LEVEL: 'silent', RATE_LIMIT_PER_SECOND: '0' });
    const connection = await connectDatabase({ uri, dbName: config.mongo.dbName, writeConcern: 1 });
    await registerModels(connection);
    gateway = await createGateway({ config, connection, devKeys: await loadOrCreateDevKeys(stateDir) });
    closers.push(async () => {
      await gateway.close();
      await connection.dropDatabase();
      await connection.close();
    });
    port = await listen(gateway.yoga);
  });

  it('signs a 15-minute token for every demo user with the development key', async () => {
    const res = await raw(port, '/console/dev-tokens');
    expect(res.status).toBe(200);
    const { tokens } = JSON.parse(res.body) as { tokens: ConsoleDevToken[] };
    expect(tokens.map(({ subject, tenant, roles }) => ({ subject, tenant, roles }))).toEqual(DEMO_USERS.map(({ subject, tenant, roles }) => ({ subject, tenant, roles })));
    const keys = createLocalJWKSet({ keys: [(await loadOrCreateDevKeys(stateDir)).publicJwk] });
    for (const t of tokens) {
      const { payload } = await jwtVerify(t.token, keys, { issuer: DEV_ISSUER, audience: DEV_AUDIENCE });
      expect(payload).toMatchObject({ sub: t.subject, tenant: t.tenant, roles: t.roles });
      expect(payload.exp! - payload.iat!).toBe(15 * 60);
    }
  });

  it('refuses a peer that is not this machine (no socket address: 404)', async () => {
    const res = await gateway.yoga.fetch(new URL('http://localhost/console/dev-tokens'), {}, { req: { socket: { remoteAddress: '192.0.2.7' } } });
    expect(res.status).toBe(404);
    const none = await gateway.yoga.fetch(new URL('http://localhost/console/dev-tokens'), {});
    expect(none.status).toBe(404);
  });
});
