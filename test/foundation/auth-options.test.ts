/**
 * AUTH_JWKS_COOLDOWN_S and AUTH_VERIFIED_CACHE_S: options only createGateway reads, so they are
 * observed on gateways built from loadConfig as main builds them, against a JWKS URL that counts
 * its fetches and whose keys the test rotates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument } from '../generated/graphql.js';
import { createTestIssuer, type TestIssuer } from '../helpers/auth.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startJwksServer, type JwksServer } from '../helpers/jwks-server.js';

let idp: JwksServer;
const gateways: TestGateway[] = [];

beforeAll(async () => {
  idp = await startJwksServer();
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await idp.close();
});

async function gatewayWith(env: Record<string, string>): Promise<TestGateway> {
  const gateway = await startTestGateway({ name: import.meta.url, env: { AUTH_JWKS_FILE: '', AUTH_JWKS_URL: idp.url, ...env } });
  gateways.push(gateway);
  return gateway;
}

const statusOf = async (gateway: TestGateway, issuer: TestIssuer): Promise<number> =>
  (await gateway.execute(MeDocument, {}, { token: await issuer.token({ sub: 'alice', tenant: 'demo', roles: ['user'] }) })).status;

describe('AUTH_JWKS_COOLDOWN_S', () => {
  const cases = [
    { cooldown: '30', rotated: 401, fetches: 1, what: 'holds back a refetch for an unknown kid within the cooldown' },
    { cooldown: '0', rotated: 200, fetches: 2, what: 'refetches at once for an unknown kid at 0' },
  ];
  for (const c of cases) {
    it(`${c.what} (AUTH_JWKS_COOLDOWN_S=${c.cooldown})`, async () => {
      const first = await createTestIssuer('ES256');
      const rotated = await createTestIssuer('EdDSA');
      idp.keys = [first.publicJwk];
      idp.fetches = 0;
      const gateway = await gatewayWith({ AUTH_JWKS_COOLDOWN_S: c.cooldown, AUTH_VERIFIED_CACHE_S: '0' });
      expect(await statusOf(gateway, first)).toBe(200);
      idp.keys = [first.publicJwk, rotated.publicJwk];
      expect(await statusOf(gateway, rotated)).toBe(c.rotated);
      expect(idp.fetches).toBe(c.fetches);
    });
  }
});

describe('AUTH_VERIFIED_CACHE_S', () => {
  it('trusts a verified token for that long after its key left the JWKS, then re-checks it; 0 re-checks every time', async () => {
    const issuer = await createTestIssuer('ES256');
    const stranger = await createTestIssuer('ES256');
    const token = await issuer.token({ sub: 'alice', tenant: 'demo', roles: ['user'] });
    const ask = async (gateway: TestGateway) => (await gateway.execute(MeDocument, {}, { token })).status;
    /** Takes the issuer's key out and makes the gateway refetch the set (an unknown kid does). */
    const revoke = async (gateway: TestGateway) => {
      idp.keys = [stranger.publicJwk];
      expect(await statusOf(gateway, stranger)).toBe(200);
    };

    idp.keys = [issuer.publicJwk];
    const cached = await gatewayWith({ AUTH_JWKS_COOLDOWN_S: '0', AUTH_VERIFIED_CACHE_S: '2' });
    expect(await ask(cached)).toBe(200);
    await revoke(cached);
    expect(await ask(cached)).toBe(200);
    // Past the cache lifetime the signature is checked again, against a set without its key.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await ask(cached)).toBe(401);

    idp.keys = [issuer.publicJwk];
    const uncached = await gatewayWith({ AUTH_JWKS_COOLDOWN_S: '0', AUTH_VERIFIED_CACHE_S: '0' });
    expect(await ask(uncached)).toBe(200);
    await revoke(uncached);
    expect(await ask(uncached)).toBe(401);
  });
});
