/**
 * One access-log line per request with its request id, method, path, status and duration, the id
 * echoed as X-Request-Id (the client's when well-formed), and never a personal value in the line.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, RegisterAccountDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url, logger: pino({ level: 'info' }, sink) });
});
afterAll(() => t?.close());

describe('the access log', () => {
  it('logs each request once with its id, echoes the id, and carries no personal value', async () => {
    const token = await t.token('lena', 'logs', ['user']);
    await t.execute(RegisterAccountDocument, { input: { displayName: 'Lena Canary', email: 'lena.canary@example.com', birthDate: '1990-01-01', country: 'FR' } }, { token });
    const res = await t.post({ query: '{ me { displayName email } }' }, { token, headers: { 'x-request-id': 'trace-0123456789' } });
    expect(res.headers.get('x-request-id')).toBe('trace-0123456789');
    expect(await res.text()).toContain('Lena Canary');
    const mine = lines.filter((l) => l.msg === 'request' && l.requestId === 'trace-0123456789');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ method: 'POST', path: '/graphql', status: 200, durationMs: expect.any(Number) });
    // The whole log: no value of the subject, whatever the level wrote.
    expect(JSON.stringify(lines)).not.toMatch(/Lena Canary|lena\.canary@example\.com/);
    // The audit event of the request carries the same id.
    const audited = await t.connection.db!.collection('audit_events').findOne({ requestId: 'trace-0123456789' });
    expect(audited).not.toBeNull();
  });

  it('logs the path as one of the paths the gateway serves, never text a client put in it', async () => {
    const text = 'lena.canary@example.com';
    const long = 'x'.repeat(8000);
    const sent: [string, string][] = [
      [`/graphql/${text}`, 'other'],
      [`/${text}/graphql`, 'other'],
      [`/${long}`, 'other'],
      [`/console/${text}`, '/console/*'],
      [`/console/assets/${long}.js`, '/console/*'],
      ['/health', '/health'],
      ['/graphql', '/graphql'],
    ];
    for (const [i, [path, logged]] of sent.entries()) {
      const res = await t.fetch(path, { headers: { 'x-request-id': `path-test-${i}` } });
      await res.text();
      const line = lines.find((l) => l.msg === 'request' && l.requestId === `path-test-${i}`);
      expect(line?.path, path.slice(0, 80)).toBe(logged);
    }
    expect(JSON.stringify(lines)).not.toMatch(/lena\.canary@example\.com|xxxxxxxxxxxxxxxx/);
  });

  it('gives a request without an id a new one, also when it is refused before execution', async () => {
    const anonymous = await t.execute(MeDocument, {});
    expect(anonymous.status).toBeGreaterThanOrEqual(200);
    const refused = await t.post({ query: '{ me { id } }' }, { headers: { authorization: 'Bearer not-a-token' } });
    const id = refused.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.filter((l) => l.msg === 'request' && l.requestId === id).map((l) => l.status)).toEqual([refused.status]);
  });
});
