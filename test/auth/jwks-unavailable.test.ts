/**
 * AUTH_UNAVAILABLE (contract: 503 when `AUTH_JWKS_URL` cannot be fetched): a key server that
 * refuses connections, and one that accepts and never answers (jose gives up after 5 s). Not the
 * caller's fault, so not UNAUTHENTICATED, and nothing about the key server leaks.
 */
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { MeDocument } from '../generated/graphql.js';
import { startBlackhole } from '../helpers/blackhole.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const open: TestGateway[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const gateway of open) await gateway.close();
  for (const cleanup of cleanups) await cleanup();
});

/** A loopback port nothing listens on any more. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function gatewayWithKeysAt(url: string): Promise<TestGateway> {
  const gateway = await startTestGateway({ name: import.meta.url, env: { AUTH_JWKS_FILE: '', AUTH_JWKS_URL: url } });
  open.push(gateway);
  return gateway;
}

describe('a key server that cannot be reached', { timeout: 30_000 }, () => {
  it('answers 503 AUTH_UNAVAILABLE when it refuses connections, and when it never answers', async () => {
    const blackhole = await startBlackhole();
    cleanups.push(() => blackhole.close());
    for (const url of [`http://127.0.0.1:${await closedPort()}/jwks.json`, `http://127.0.0.1:${blackhole.port}/jwks.json`]) {
      const gateway = await gatewayWithKeysAt(url);
      const res = await gateway.execute(MeDocument, {}, { token: await gateway.token('alice', 'demo', ['user']) });
      expect(res.status, url).toBe(503);
      expect(res.errors?.[0]?.extensions?.code).toBe('AUTH_UNAVAILABLE');
      expect(res.errors?.[0]?.message).toBe('token keys are unavailable; try again later');
      expect(JSON.stringify(res)).not.toContain('127.0.0.1');
    }
  });
});
