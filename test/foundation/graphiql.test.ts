/**
 * GraphiQL is served from this process (no CDN: it works offline) under a nonce CSP; in development
 * it opens as a demo user with the demo query, anywhere else with nothing prefilled.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevKeys } from '../../src/auth/index.js';
import { loadConfig } from '../../src/config.js';
import { registerModels } from '../../src/db/register-models.js';
import { DEMO_QUERY, seedDemoData } from '../../src/db/seed-demo.js';
import { createGateway, type Gateway } from '../../src/server.js';
import { connectTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { productionSecrets } from '../helpers/production-env.js';

const page = (fetch: (path: string, init?: RequestInit) => Promise<Response>): Promise<Response> => fetch('/graphql', { headers: { accept: 'text/html' } });

/** The options the page hands to GraphiQL (the JSON argument of its render call). */
function optionsOf(html: string): Record<string, unknown> {
  const match = /renderYogaGraphiQL\(\s*window\.document\.querySelector\('#root'\),\s*(\{.*?\}),\s*\);\s*<\/script>/s.exec(html);
  expect(match, 'the render call').not.toBeNull();
  return JSON.parse(match![1]!) as Record<string, unknown>;
}

/** What every served page must be: self-contained (no other host), its one inline script under the CSP's nonce. */
async function expectSelfContained(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  const html = await response.text();
  // No script, style sheet, image or frame from anywhere (absolute or protocol-relative URL), no CSS import.
  expect(html.match(/<(script|link|img|iframe|source)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?\/\//gi)).toBeNull();
  expect(html.match(/url\(\s*["']?(https?:)?\/\//gi)).toBeNull();
  expect(html).not.toMatch(/@import/);

  expect(response.headers.get('cache-control')).toBe('no-store');
  const csp = response.headers.get('content-security-policy') ?? '';
  const directives = new Map(csp.split(/;\s*/).map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));
  expect(directives.get('default-src')).toEqual(["'none'"]);
  expect(directives.get('connect-src')).toEqual(["'self'"]);
  expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  const scriptSrc = directives.get('script-src') ?? [];
  expect(scriptSrc).toHaveLength(1);
  const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(scriptSrc[0]!)?.[1];
  expect(nonce, 'script-src is a nonce, no unsafe-inline or unsafe-eval').toBeDefined();
  expect(html.match(/<script nonce="[^"]*">/g)).toEqual([`<script nonce="${nonce}">`]);
  return html;
}

describe('GraphiQL in development', () => {
  let db: TestDatabase;
  let gateway: Gateway;
  /** As node:http hands Yoga a request: with the Host header the client sent, and the TCP peer in the server context. */
  const from =
    (peer: string, host = 'localhost:4000') =>
    (path: string, init: RequestInit = {}) =>
      Promise.resolve(gateway.yoga.fetch(new URL(path, `http://${host}`), { ...init, headers: { ...(init.headers as Record<string, string>), host } }, { req: { socket: { remoteAddress: peer } } }));
  // A browser on this machine.
  const fetchPath = from('127.0.0.1');
  beforeAll(async () => {
    db = await connectTestDatabase(import.meta.url);
    const stateDir = await mkdtemp(join(tmpdir(), 'govgate-graphiql-'));
    const config = loadConfig({ NODE_ENV: 'development', GOVGATE_STATE_DIR: stateDir, LOG_LEVEL: 'silent', RATE_LIMIT_PER_SECOND: '0' });
    await registerModels(db.connection);
    gateway = await createGateway({ config, connection: db.connection, devKeys: await loadOrCreateDevKeys(stateDir) });
    await seedDemoData(db.connection, gateway.pack.version);
  });
  afterAll(async () => {
    await gateway.close();
    await db.close();
  });

  it('is self-contained, opens as alice@demo with the demo query, and that token answers it', async () => {
    const html = await expectSelfContained(await page(fetchPath));
    const options = optionsOf(html);
    expect(options).toMatchObject({ title: 'govgate', endpoint: '/graphql', defaultQuery: DEMO_QUERY });
    const headers = JSON.parse(options.defaultHeaders as string) as { Authorization: string };
    const response = await fetchPath('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: headers.Authorization }, body: JSON.stringify({ query: options.defaultQuery }) });
    const body = (await response.json()) as { data: { me: { id: string; conversations: { title: string; messages: unknown[] }[] } } };
    expect(body.data.me.id).toBe('alice');
    expect(body.data.me.conversations.map((c) => c.title)).toContain('Trip to Lisbon');
    expect(body.data.me.conversations[0]!.messages.length).toBeGreaterThan(0);
  });

  it('mints a short-lived token for each page load, under a fresh nonce', async () => {
    const [first, second] = await Promise.all([page(fetchPath), page(fetchPath)]);
    expect(first.headers.get('content-security-policy')).not.toBe(second.headers.get('content-security-policy'));
    const token = (html: string) => (JSON.parse(optionsOf(html).defaultHeaders as string) as { Authorization: string }).Authorization.replace(/^Bearer /, '');
    const claims = JSON.parse(Buffer.from(token(await first.text()).split('.')[1]!, 'base64url').toString()) as { sub: string; tenant: string; roles: string[]; iat: number; exp: number };
    expect(claims).toMatchObject({ sub: 'alice', tenant: 'demo', roles: ['user'] });
    expect(claims.exp - claims.iat).toBe(3600);
    await second.text();
  });

  it('prefills nothing for a caller not on this machine: a network peer, or a page whose name was rebound to 127.0.0.1', async () => {
    const callers = [from('192.0.2.7'), from('::ffff:192.0.2.7'), from('127.0.0.1', 'attacker.example:4000'), from('::1', 'attacker.example')];
    for (const fetch of callers) {
      const html = await expectSelfContained(await page(fetch));
      const options = optionsOf(html);
      expect(options).not.toHaveProperty('defaultHeaders');
      expect(options).not.toHaveProperty('defaultQuery');
      expect(html).not.toMatch(/Bearer ey/);
    }
  });
});

describe('GraphiQL outside development', () => {
  const gateways: TestGateway[] = [];
  afterAll(() => Promise.all(gateways.map((g) => g.close())));

  it('in test: served, nothing prefilled', async () => {
    const gateway = await startTestGateway({ name: import.meta.url });
    gateways.push(gateway);
    const options = optionsOf(await expectSelfContained(await page(gateway.fetch)));
    expect(options).not.toHaveProperty('defaultHeaders');
    expect(options).not.toHaveProperty('defaultQuery');
  });

  it('each page (some 9 MB) is charged to the caller\'s rate limit like any request to /graphql', async () => {
    const gateway = await startTestGateway({ name: import.meta.url, env: { RATE_LIMIT_PER_SECOND: '0.01', RATE_LIMIT_BURST: '2', RATE_LIMIT_SHARED: 'false' } });
    gateways.push(gateway);
    const load = () => Promise.resolve(gateway.gateway.yoga.fetch('http://govgate.test/graphql', { headers: { accept: 'text/html' } }, { req: { socket: { remoteAddress: '192.0.2.30' } } }));
    for (let i = 0; i < 2; i++) await expectSelfContained(await load());
    const refused = await load();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await refused.text()).length).toBeLessThan(1000);
  });

  it('in production: off by default; with GRAPHIQL=true served, nothing prefilled', async () => {
    const { env } = await productionSecrets();
    const off = await startTestGateway({ name: import.meta.url, env });
    gateways.push(off);
    expect(await (await page(off.fetch)).text()).not.toMatch(/graphiql/i);
    const on = await startTestGateway({ name: import.meta.url, env: { ...env, GRAPHIQL: 'true' } });
    gateways.push(on);
    const options = optionsOf(await expectSelfContained(await page(on.fetch)));
    expect(options).not.toHaveProperty('defaultHeaders');
    expect(options).not.toHaveProperty('defaultQuery');
  });
});
