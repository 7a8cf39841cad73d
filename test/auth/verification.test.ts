import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK } from 'jose';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument } from '../generated/graphql.js';
import { createTestIssuer, TEST_AUDIENCE, TEST_ISSUER } from '../helpers/auth.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startJwksServer, type JwksServer } from '../helpers/jwks-server.js';

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const claims = () => ({ sub: 'alice', tenant: 'demo', roles: ['user'], iss: TEST_ISSUER, aud: TEST_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 });

async function expectUnauthenticated(t: TestGateway, token: string): Promise<string> {
  const res = await t.execute(MeDocument, {}, { token });
  expect(res.status).toBe(401);
  expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(res.data ?? null).toBeNull();
  const body = JSON.stringify(res);
  expect(body).not.toMatch(/at .*:\d+:\d+|JWKS|kid|stack/i);
  return res.errors![0]!.message;
}

describe('token verification (JWKS file)', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ name: import.meta.url });
  });
  afterAll(() => t.close());

  it('accepts a valid token and maps its claims to the caller', async () => {
    const res = await t.execute(MeDocument, {}, { token: await t.token('alice', 'demo', ['user', 'not-a-role']) });
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
  });

  it('rejects alg none', async () => {
    await expectUnauthenticated(t, `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`);
  });

  it('rejects HS256 signed with the public key (algorithm confusion)', async () => {
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const head = `${b64({ alg: 'HS256', typ: 'JWT', kid: t.issuer.kid })}.${b64(claims())}`;
    const sig = createHmac('sha256', pem).update(head).digest('base64url');
    await expectUnauthenticated(t, `${head}.${sig}`);
  });

  it('rejects a token signed by a foreign key that claims a trusted kid', async () => {
    const foreign = await generateKeyPair('ES256');
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: t.issuer.kid }).sign(foreign.privateKey);
    expect(await expectUnauthenticated(t, token)).toBe('token signature invalid');
  });

  it('ignores jku / x5u / jwk headers that point at an attacker\'s key', async () => {
    const attacker = await generateKeyPair('ES256', { extractable: true });
    const jwk: JWK = await exportJWK(attacker.publicKey);
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', kid: 'attacker', jku: 'http://127.0.0.1:1/jwks.json', x5u: 'http://127.0.0.1:1/cert.pem', jwk })
      .sign(attacker.privateKey);
    await expectUnauthenticated(t, token);
  });

  it('rejects expired, not-yet-valid, wrong-issuer and wrong-audience tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (payload: Record<string, unknown>) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: t.issuer.kid }).sign(t.issuer.privateKey);
    expect(await expectUnauthenticated(t, await sign({ ...claims(), exp: now - 60 }))).toBe('token expired');
    await expectUnauthenticated(t, await sign({ ...claims(), nbf: now + 600 }));
    await expectUnauthenticated(t, await sign({ ...claims(), iss: 'https://evil.example' }));
    await expectUnauthenticated(t, await sign({ ...claims(), aud: 'another-api' }));
    const { exp: _exp, ...noExp } = claims();
    await expectUnauthenticated(t, await sign(noExp));
    await expectUnauthenticated(t, await sign({ ...claims(), tenant: undefined }));
  });

  it('tolerates clock skew within the configured tolerance only', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (payload: Record<string, unknown>) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: t.issuer.kid }).sign(t.issuer.privateKey);
    const slightlyExpired = await t.execute(MeDocument, {}, { token: await sign({ ...claims(), exp: now - 2 }) });
    expect(slightlyExpired.status).toBe(200);
  });

  it('rejects malformed and oversized tokens', async () => {
    for (const token of ['abc', 'a.b', 'a.b.c.d', `${b64({ alg: 'ES256' })}.!!!.x`, `${b64('not json')}.${b64(claims())}.sig`]) {
      await expectUnauthenticated(t, token);
    }
    const huge = await new SignJWT({ ...claims(), pad: 'x'.repeat(10_000) }).setProtectedHeader({ alg: 'ES256', kid: t.issuer.kid }).sign(t.issuer.privateKey);
    expect(await expectUnauthenticated(t, huge)).toBe('token too large');
    const res = await t.post({ query: '{ me { id } }' }, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(res.status).toBe(401);
  });
});

describe('token verification (JWKS URL)', () => {
  let idp: JwksServer;
  let t: TestGateway;
  beforeAll(async () => {
    idp = await startJwksServer();
    t = await startTestGateway({
      name: import.meta.url,
      // No verified-token cache here: the test watches every verification reach the key set.
      env: { AUTH_JWKS_FILE: '', AUTH_JWKS_URL: idp.url, AUTH_JWKS_COOLDOWN_S: '0', AUTH_VERIFIED_CACHE_S: '0' },
    });
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
  });

  it('caches the remote key set and picks up a rotated key without a restart', async () => {
    const first = await createTestIssuer('RS256');
    idp.keys = [first.publicJwk];
    const token1 = await first.token({ sub: 'alice', tenant: 'demo', roles: ['user'] });
    expect((await t.execute(MeDocument, {}, { token: token1 })).status).toBe(200);
    expect((await t.execute(MeDocument, {}, { token: token1 })).status).toBe(200);
    expect(idp.fetches).toBe(1);

    const second = await createTestIssuer('EdDSA');
    idp.keys = [first.publicJwk, second.publicJwk];
    const token2 = await second.token({ sub: 'alice', tenant: 'demo', roles: ['user'] });
    expect((await t.execute(MeDocument, {}, { token: token2 })).status).toBe(200);
    expect(idp.fetches).toBe(2);

    // A key removed from the set stops working once the set is refetched.
    idp.keys = [second.publicJwk];
    const stranger = await createTestIssuer('ES256');
    await t.execute(MeDocument, {}, { token: await stranger.token({ sub: 'x', tenant: 'demo', roles: ['user'] }) });
    expect((await t.execute(MeDocument, {}, { token: token1 })).status).toBe(401);
  });
});
