/**
 * CORS through yoga.fetch: only origins listed in CORS_ORIGINS get an Access-Control-Allow-Origin,
 * never a reflected arbitrary origin, never with credentials; unset, no origin does, in development
 * and in production alike.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { productionSecrets } from '../helpers/production-env.js';

const LISTED = 'https://app.example.com';
const ALSO_LISTED = 'http://localhost:5173';
const UNLISTED = 'https://evil.example';
const ME = JSON.stringify({ query: '{ me { id } }' });

const preflight = (gateway: TestGateway, origin: string): Promise<Response> =>
  gateway.fetch('/graphql', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-purpose' },
  });

const simple = async (gateway: TestGateway, origin: string): Promise<Response> =>
  gateway.fetch('/graphql', {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${await gateway.token('alice', 'demo', ['user'])}` },
    body: ME,
  });

const corsHeaders = (response: Response): Record<string, string> =>
  Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));

for (const mode of ['development', 'production'] as const) {
  describe(`CORS in ${mode}`, () => {
    const gateways: Record<'default' | 'listed', TestGateway | undefined> = { default: undefined, listed: undefined };
    beforeAll(async () => {
      const env = mode === 'production' ? (await productionSecrets()).env : { NODE_ENV: 'development', LOG_LEVEL: 'silent', GOVGATE_STATE_DIR: await mkdtemp(join(tmpdir(), 'govgate-cors-')) };
      gateways.default = await startTestGateway({ name: import.meta.url, env });
      gateways.listed = await startTestGateway({ name: import.meta.url, env: { ...env, CORS_ORIGINS: `${LISTED}, ${ALSO_LISTED}` } });
    });
    afterAll(async () => {
      await gateways.default?.close();
      await gateways.listed?.close();
    });

    it('by default, no origin is allowed: preflight and response carry no Access-Control-Allow-Origin', async () => {
      expect(gateways.default!.config.env).toBe(mode);
      for (const origin of [LISTED, UNLISTED]) {
        expect(corsHeaders(await preflight(gateways.default!, origin))).toEqual({});
        const response = await simple(gateways.default!, origin);
        expect(response.status).toBe(200);
        expect(corsHeaders(response)).toEqual({});
      }
    });

    it('a listed origin is allowed (itself, without credentials), with the headers the gateway reads and the ones a client may read', async () => {
      for (const origin of [LISTED, ALSO_LISTED]) {
        const allowed = await preflight(gateways.listed!, origin);
        expect(allowed.status).toBe(204);
        const headers = corsHeaders(allowed);
        expect(headers['access-control-allow-origin']).toBe(origin);
        expect(headers['access-control-allow-credentials']).toBeUndefined();
        expect(headers['access-control-allow-methods']).toBe('GET, POST');
        expect(headers['access-control-allow-headers']?.split(', ')).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-purpose']));
        expect(allowed.headers.get('vary')).toMatch(/\bOrigin\b/);

        const response = await simple(gateways.listed!, origin);
        expect(await response.json()).toMatchObject({ data: { me: null } });
        expect(corsHeaders(response)).toMatchObject({ 'access-control-allow-origin': origin, 'access-control-expose-headers': 'x-request-id, retry-after' });
        expect(corsHeaders(response)['access-control-allow-credentials']).toBeUndefined();
      }
    });

    it('an unlisted origin gets no Access-Control-Allow-Origin (not its own, not "null", not "*"), preflight or not', async () => {
      for (const origin of [UNLISTED, 'null', `${LISTED}.evil.example`, 'http://app.example.com']) {
        expect(corsHeaders(await preflight(gateways.listed!, origin))).toEqual({});
        const response = await simple(gateways.listed!, origin);
        expect(corsHeaders(response)).toEqual({});
        expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
      }
    });
  });
}

describe('CORS_ORIGINS', () => {
  it('takes exact origins, comma-separated, and refuses anything else naming the variable', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: ` ${LISTED},${ALSO_LISTED}, ` }).corsOrigins).toEqual([LISTED, ALSO_LISTED]);
    for (const bad of ['*', 'null', 'app.example.com', 'https://app.example.com/', 'https://app.example.com/path', 'https://App.example.com', 'https://app.example.com:443', 'ftp://app.example.com', 'https://*.example.com']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
    }
  });
});
