/**
 * An overloaded audit store: writes that take longer than AUDIT_WRITE_TIMEOUT_MS fail closed (503),
 * and the gateway does not keep sending the store writes nobody waits for. On CI that backlog kept
 * every later write late, so the gateway answered 503 for a minute after the store had recovered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegisterAccountDocument } from '../generated/graphql.js';
import { testMongoUri } from '../helpers/database.js';
import { eventually } from '../helpers/eventually.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startWireTap, type TappedCommand, type WireTap } from '../helpers/wire-tap.js';

let tap: WireTap;
let t: TestGateway;
const auditInsert = (c: TappedCommand) => c.name === 'insert' && c.target === 'audit_events';

beforeAll(async () => {
  tap = await startWireTap(testMongoUri());
  t = await startTestGateway({ name: import.meta.url, uri: tap.uri, env: { AUDIT_WRITE_TIMEOUT_MS: '300' } });
});
afterAll(async () => {
  await t?.close();
  await tap?.close();
});

describe('an audit store slower than the write timeout', () => {
  it('fails closed without piling up writes, and serves again as soon as the store is fast again', { timeout: 60_000 }, async () => {
    const token = await t.token('sam', 'slow', ['user']);
    const registered = await t.execute(RegisterAccountDocument, { input: { displayName: 'Sam Slow', email: 'sam.slow@example.com', birthDate: '1990-01-01', country: 'FR' } }, { token });
    expect(registered.errors).toBeUndefined();
    const ask = () => t.post({ query: '{ me { id displayName } }' }, { token });

    // Each audit write now takes the store 1.5 s, one at a time.
    tap.slowDown(1500, auditInsert);
    const before = tap.commands.filter(auditInsert).length;
    const statuses: number[] = [];
    const until = Date.now() + 3000;
    await Promise.all(Array.from({ length: 5 }, async () => {
      while (Date.now() < until) {
        const res = await ask();
        statuses.push(res.status);
        const text = await res.text();
        if (res.status !== 200) expect(text).not.toContain('Sam Slow');
      }
    }));
    const sent = tap.commands.filter(auditInsert).length - before;
    // Nothing was answered with values whose audit record was not written in time...
    expect(statuses.filter((s) => s !== 503)).toEqual([]);
    expect(statuses.length).toBeGreaterThan(5);
    // ...and the store was not sent a write per request: one at a time, each waited for (3 s / 1.5 s, plus the one in flight).
    expect(sent).toBeLessThanOrEqual(4);

    // Back once the last given-up write has settled, not after a backlog of writes has drained
    // (without the hold, 5 callers over 3 s left about 50 writes × 1.5 s queued at the store).
    tap.slowDown(0);
    expect(await eventually(async () => (await ask()).status === 200, 15_000)).toBe(true);
  });
});
