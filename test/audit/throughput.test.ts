/**
 * Group commit under load: 1 000 concurrent governed requests from 60 callers of two tenants.
 * Every response is served with its own audit id, exactly those 1 000 events are stored, every
 * chain verifies, and the events reach MongoDB in far fewer than 1 000 insert commands.
 */
import type { mongo } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userModel } from '../../src/features/users/index.js';
import { MeDocument, VerifyAuditLogDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { subjectRef } from '../helpers/subject-ref.js';

const REQUESTS = 1000;
const CALLERS_PER_TENANT = 30;
const tenants = ['load-north', 'load-south'] as const;

let t: TestGateway;
const callers: { tenant: string; subject: string; email: string; token: string }[] = [];

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url, monitorCommands: true });
  const version = t.gateway.pack.version;
  for (const tenant of tenants) {
    for (let i = 0; i < CALLERS_PER_TENANT; i += 1) {
      const subject = `${tenant}-user-${i}`;
      callers.push({ tenant, subject, email: `${subject}@example.com`, token: await t.token(subject, tenant, ['user']) });
    }
  }
  await userModel(t.connection).insertMany(
    callers.map((c) => ({ tenant: c.tenant, subject: c.subject, displayName: `User ${c.subject}`, email: c.email, birthDate: new Date('1985-01-01'), country: 'DE', policyVersion: version })),
  );
});

afterAll(() => t.close());

describe('1 000 concurrent governed requests', () => {
  it('are each served with their own acknowledged audit event, in few group commits, on chains that verify', { timeout: 120_000 }, async () => {
    const events = t.gateway.audit.store.events;
    const before = await events.countDocuments({});
    const insertBatches: number[] = [];
    const insertStartedAt: number[] = [];
    const onCommand = (event: mongo.CommandStartedEvent): void => {
      if (event.commandName === 'insert' && event.command.insert === 'audit_events') {
        insertBatches.push(Array.isArray(event.command.documents) ? event.command.documents.length : 0);
        insertStartedAt.push(performance.now() - started);
      }
    };
    const client = t.connection.getClient();
    let started = performance.now();
    client.on('commandStarted', onCommand);

    started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => {
        const caller = callers[i % callers.length];
        if (!caller) throw new Error('no caller');
        return t.execute(MeDocument, {}, { token: caller.token }).then((res) => ({ caller, res }));
      }),
    );
    const elapsedMs = performance.now() - started;
    client.off('commandStarted', onCommand);

    // Every response: 200, the caller's own data, its own audit id.
    const auditIds = new Set<string>();
    for (const { caller, res } of responses) {
      expect(res.status).toBe(200);
      expect(res.errors).toBeUndefined();
      expect(res.data?.me).toMatchObject({ id: caller.subject, email: caller.email });
      const auditId = (res.extensions?.governance as { auditId?: string } | undefined)?.auditId;
      expect(auditId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      auditIds.add(auditId as string);
    }
    expect(auditIds.size).toBe(REQUESTS);

    // Exactly 1 000 new events, and they are the responses' events, each naming its caller.
    expect((await events.countDocuments({})) - before).toBe(REQUESTS);
    const stored = await events.find({ _id: { $in: [...auditIds] } }).toArray();
    expect(stored).toHaveLength(REQUESTS);
    const byId = new Map(stored.map((e) => [e._id, e]));
    for (const { caller, res } of responses) {
      const event = byId.get((res.extensions?.governance as { auditId: string }).auditId);
      const ref = await subjectRef(t.connection, caller.tenant, caller.subject);
      expect(event?.actor.subject).toBe(ref);
      expect(event?.tenant).toBe(caller.tenant);
      expect(event?.subjects).toEqual([ref]);
    }
    // One chain per tenant, seq 1..n without gaps.
    for (const tenant of tenants) {
      const seqs = stored.filter((e) => e.tenant === tenant).map((e) => e.seq).sort((a, b) => a - b);
      expect(new Set(stored.filter((e) => e.tenant === tenant).map((e) => e.chainId))).toEqual(new Set([`${t.gateway.instanceId}:${tenant}:0`]));
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      expect(seqs.length).toBe(responses.filter((r) => r.caller.tenant === tenant).length);
    }

    // Group commit is real: far fewer inserts than events, and together they carried every event.
    const inserts = insertBatches.length;
    expect(insertBatches.reduce((n, b) => n + b, 0)).toBe(REQUESTS);
    expect(inserts).toBeLessThan(500);
    expect(Math.max(...insertBatches)).toBeGreaterThan(1);

    // Every chain verifies.
    for (const tenant of tenants) {
      const inTenant = await events.countDocuments({ tenant });
      const res = await t.execute(VerifyAuditLogDocument, {}, { token: await t.token(`${tenant}-officer`, tenant, ['compliance_officer']) });
      expect(res.errors).toBeUndefined();
      expect(res.data?.verifyAuditLog).toMatchObject({ ok: true, firstBrokenSeq: null, reason: null });
      expect(res.data?.verifyAuditLog.checkedEvents).toBeGreaterThanOrEqual(responses.filter((r) => r.caller.tenant === tenant).length);
      expect(res.data?.verifyAuditLog.checkedEvents).toBe(inTenant);
    }

    console.error(
      `[throughput] ${REQUESTS} requests from ${callers.length} callers in ${elapsedMs.toFixed(0)} ms ` +
        `(${((REQUESTS / elapsedMs) * 1000).toFixed(0)} req/s); ${inserts} audit inserts, ` +
        `batch sizes min ${Math.min(...insertBatches)} / median ${[...insertBatches].sort((a, b) => a - b)[Math.floor(inserts / 2)]} / max ${Math.max(...insertBatches)}, ` +
        `inserts started at ${insertStartedAt.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    );
  });
});
