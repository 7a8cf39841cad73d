import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startJavaMongoServer, type RunningMongoServer } from '../../src/db/java-mongo-server.js';
import { RegisterAccountDocument } from '../generated/graphql.js';
import { eventually } from '../helpers/eventually.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

// The gateway's error lines (messages only: identifiers, never values), so a failure says what the
// audit writer met after the restart.
const errors: { time: number; msg: string; err: string }[] = [];
const errorSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      const entry = JSON.parse(line) as { time: number; msg: string; level: number; err?: { message?: string } };
      if (entry.level >= 50) errors.push({ time: entry.time, msg: entry.msg, err: entry.err?.message ?? '' });
    }
    done();
  },
});

let server: RunningMongoServer | undefined;
let t: TestGateway | undefined;
afterAll(async () => {
  await t?.close().catch(() => undefined);
  await server?.stop();
});

describe('database outage under load', () => {
  it('answers 503 AUDIT_UNAVAILABLE without personal values, /ready 503, and recovers without a restart', { timeout: 150_000 }, async () => {
    server = await startJavaMongoServer();
    const port = server.port;
    t = await startTestGateway({ name: import.meta.url, uri: server.uri, env: { MONGODB_SERVER_SELECTION_TIMEOUT_MS: '500', AUDIT_WRITE_TIMEOUT_MS: '1000' }, logger: pino({ level: 'error' }, errorSink) });
    const gateway = t;
    const token = await gateway.token('olive', 'outage', ['user']);
    await gateway.execute(RegisterAccountDocument, { input: { displayName: 'Olive Outage', email: 'olive.outage@example.com', birthDate: '1990-01-01', country: 'FR' } }, { token });

    type Seen = { phase: 'before' | 'during' | 'after'; status: number; text: string };
    const seen: Seen[] = [];
    let phase: Seen['phase'] = 'before';
    let running = true;
    const loops = Array.from({ length: 10 }, async () => {
      while (running) {
        const asked = phase;
        const res = await gateway.post({ query: '{ me { id displayName email } }' }, { token });
        seen.push({ phase: asked, status: res.status, text: await res.text() });
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    phase = 'during';
    await server.stop();
    await new Promise((r) => setTimeout(r, 3000));
    expect((await gateway.fetch('/ready')).status).toBe(503);
    server = await startJavaMongoServer({ port });
    phase = 'after';
    const restarted = Date.now();
    // Generous: on a loaded CI machine the driver's rediscovery and the JVM's warm-up take their time.
    const until = Date.now() + 60_000;
    while (Date.now() < until && !seen.some((s) => s.phase === 'after' && s.status === 200)) await new Promise((r) => setTimeout(r, 200));
    running = false;
    await Promise.all(loops);

    const during = seen.filter((s) => s.phase === 'during' && s.status !== 200);
    expect(seen.filter((s) => s.phase === 'before' && s.status === 200).length).toBeGreaterThan(0);
    expect(during.length).toBeGreaterThan(0);
    for (const s of during) {
      // 503: the audit log could not be written. 500 (data null): the read failed in the outage and
      // its audit record was written once the database was back (a request asked just before it returned).
      if (s.status === 500) expect(JSON.parse(s.text)).toEqual({ data: null, errors: [expect.objectContaining({ extensions: { code: 'INTERNAL_SERVER_ERROR' } })] });
      else {
        expect(s.status).toBe(503);
        expect(JSON.parse(s.text)).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'AUDIT_UNAVAILABLE' } })] });
      }
      expect(s.text).not.toContain('olive.outage');
      expect(s.text).not.toContain('Olive');
    }
    // Nothing answered 200 while the database was down carried values without an audit record:
    // a 200 in the "during" phase can only be a request that finished before the stop.
    const after = seen.filter((s) => s.phase === 'after');
    const counts = new Map<string, number>();
    for (const s of after) {
      const key = `${s.status} ${/"code":"([A-Z_]+)"/.exec(s.text)?.[1] ?? ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const met = new Map<string, number>();
    for (const e of errors.filter((e) => e.time >= restarted)) {
      const line = `${e.msg}: ${e.err.slice(0, 160)}`;
      met.set(line, (met.get(line) ?? 0) + 1);
    }
    const summary = `${JSON.stringify([...counts])}; gateway errors since: ${JSON.stringify([...met])}`;
    expect(after.some((s) => s.status === 200), `after the restart: ${summary}`).toBe(true);
    // /ready shares one probe per second among its callers.
    expect(await eventually(async () => (await gateway.fetch('/ready')).status === 200, 10_000)).toBe(true);
  });
});
