/**
 * GatewayOptions.auditSink (benchmark only): the audit events still get hashed, chained and signed,
 * only their persistence goes to the sink instead of the store; the response still waits for the
 * sink's acknowledgement and fails closed when it refuses.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CHAIN_HEAD_TYP, eventFromDoc, hashEvent, verifyHead, type AuditEventDoc, type AuditSink, type ChainHead } from '../../src/audit/index.js';
import { MeDocument, RegisterAccountDocument } from '../generated/graphql.js';
import { auditIdOf } from '../helpers/audited.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const open: TestGateway[] = [];
afterAll(async () => {
  for (const t of open) await t.close();
});

const auditEventsInDatabase = (t: TestGateway): Promise<number> => t.connection.collection('audit_events').countDocuments({});

describe('createGateway({ auditSink })', () => {
  it('hands every event, hashed, chained and under a signed head, to the sink; the database gets none', async () => {
    const writes: AuditEventDoc[][] = [];
    const sink: AuditSink = {
      insert: (events) => {
        writes.push(structuredClone(events));
        return Promise.resolve();
      },
    };
    const t = await startTestGateway({ name: import.meta.url, auditSink: sink });
    open.push(t);
    const token = await t.token('sia', 'sink', ['user']);
    const registered = await t.execute(RegisterAccountDocument, { input: { displayName: 'Sia', email: 'sia@example.com', birthDate: '1990-01-01', country: 'FI' } }, { token });
    expect(registered.errors).toBeUndefined();
    const reads = [];
    for (let i = 0; i < 3; i += 1) reads.push(await t.execute(MeDocument, {}, { token }));
    expect(reads.every((r) => r.status === 200 && r.data?.me?.displayName === 'Sia')).toBe(true);

    const events = writes.flat();
    // The mutation's intent and outcome, and one event per read.
    expect(events.map((e) => e.outcome)).toEqual(['INTENT', 'SERVED', 'SERVED', 'SERVED', 'SERVED']);
    const ids = events.map((e) => e._id);
    for (const res of [registered, ...reads]) expect(ids).toContain(auditIdOf(res));
    // One chain, hashed and linked as the store would have received it.
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    events.forEach((e, i) => {
      expect(e.hash).toBe(hashEvent(eventFromDoc(e)));
      if (i > 0) expect(e.prevHash).toBe(events[i - 1]!.hash);
    });
    // Each write ends with the chain's head, signed with the configured audit key.
    for (const write of writes) {
      const last = write.at(-1)!;
      const head = await verifyHead<ChainHead>(last.head!, t.gateway.audit.keySet, CHAIN_HEAD_TYP);
      expect(head.ok && head.head.last === last.hash && head.head.size === last.seq).toBe(true);
    }
    expect(await auditEventsInDatabase(t)).toBe(0);
  });

  it('a sink that refuses fails the request closed (503 AUDIT_UNAVAILABLE), as the store would', async () => {
    let refusing = false;
    const sink: AuditSink = { insert: () => (refusing ? Promise.reject(new Error('sink down')) : Promise.resolve()) };
    const t = await startTestGateway({ name: import.meta.url, auditSink: sink });
    open.push(t);
    const token = await t.token('rey', 'sink', ['user']);
    await t.execute(RegisterAccountDocument, { input: { displayName: 'Rey', email: 'rey@example.com', birthDate: '1990-01-01', country: 'PT' } }, { token });
    refusing = true;
    const refused = await t.execute(MeDocument, {}, { token });
    expect(refused.status).toBe(503);
    expect(refused.errors?.[0]?.extensions?.code).toBe('AUDIT_UNAVAILABLE');
    expect(refused.data?.me ?? null).toBeNull();
    expect(await auditEventsInDatabase(t)).toBe(0);
  });
});
