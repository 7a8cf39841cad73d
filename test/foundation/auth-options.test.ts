/**
 * AUTH_JWKS_COOLDOWN_S and AUTH_VERIFIED_CACHE_S: options only createGateway reads, so they are
 * observed on gateways built from loadConfig as main builds them, against a JWKS URL that counts
 * its fetches and whose keys the test rotates.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument } from '../generated/graphql.js';
import { createTestIssuer, type TestIssuer } from '../helpers/auth.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let server: Server;
let keys: JWK[] = [];
let fetches = 0;
let jwksUrl: string;
const gateways: TestGateway[] = [];

beforeAll(async () => {
  server = createServer((_req, res) => {
    fetches += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await new Promise((resolve) => server.close(resolve));
});

async function gatewayWith(env: Record<string, string>): Promise<TestGateway> {
  const gateway = await startTestGateway({ name: import.meta.url, env: { AUTH_JWKS_FILE: '', AUTH_JWKS_URL: jwksUrl, ...env } });
  gateways.push(gateway);
  return gateway;
}

const statusOf = async (gateway: TestGateway, issuer: TestIssuer): Promise<number> =>
  (await gateway.execute(MeDocument, {}, { token: await issuer.token({ sub: 'alice', tenant: 'demo', roles: ['user'] }) })).status;

describe('AUTH_JWKS_COOLDOWN_S', () => {
  it('holds back a refetch for an unknown kid within the cooldown (30 s), and not at 0', async () => {
    const first = await createTestIssuer('ES256');
    const rotated = await createTestIssuer('EdDSA');
    keys = [first.publicJwk];
    fetches = 0;
    const patient = await gatewayWith({ AUTH_JWKS_COOLDOWN_S: '30', AUTH_VERIFIED_CACHE_S: '0' });
    expect(await statusOf(patient, first)).toBe(200);
    keys = [first.publicJwk, rotated.publicJwk];
    expect(await statusOf(patient, rotated)).toBe(401);
    expect(fetches).toBe(1);

    keys = [first.publicJwk];
    fetches = 0;
    const eager = await gatewayWith({ AUTH_JWKS_COOLDOWN_S: '0', AUTH_VERIFIED_CACHE_S: '0' });
    expect(await statusOf(eager, first)).toBe(200);
    keys = [first.publicJwk, rotated.publicJwk];
    expect(await statusOf(eager, rotated)).toBe(200);
    expect(fetches).toBe(2);
  });
});

describe('AUTH_VERIFIED_CACHE_S', () => {
  it('trusts a verified token for that long after its key left the JWKS, then re-checks it; 0 re-checks every time', async () => {
    const issuer = await createTestIssuer('ES256');
    const stranger = await createTestIssuer('ES256');
    const token = await issuer.token({ sub: 'alice', tenant: 'demo', roles: ['user'] });
    const ask = async (gateway: TestGateway) => (await gateway.execute(MeDocument, {}, { token })).status;
    /** Takes the issuer's key out and makes the gateway refetch the set (an unknown kid does). */
    const revoke = async (gateway: TestGateway) => {
      keys = [stranger.publicJwk];
      expect(await statusOf(gateway, stranger)).toBe(200);
    };

    keys = [issuer.publicJwk];
    const cached = await gatewayWith({ AUTH_JWKS_COOLDOWN_S: '0', AUTH_VERIFIED_CACHE_S: '2' });
    expect(await ask(cached)).toBe(200);
    await revoke(cached);
    expect(await ask(cached)).toBe(200);
    // Past the cache lifetime the signature is checked again, against a set without its key.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await ask(cached)).toBe(401);

    keys = [issuer.publicJwk];
    const uncached = await gatewayWith({ AUTH_JWKS_COOLDOWN_S: '0', AUTH_VERIFIED_CACHE_S: '0' });
    expect(await ask(uncached)).toBe(200);
    await revoke(uncached);
    expect(await ask(uncached)).toBe(401);
  });
});
