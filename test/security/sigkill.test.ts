import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseName, testMongoUri } from '../helpers/database.js';
import { cleanEnv, spawnTs, type Spawned } from '../helpers/spawn.js';

const started: Spawned[] = [];
afterAll(() => started.forEach((s) => s.kill('SIGKILL')));

interface Reply {
  status: number;
  auditId: string | null;
}

async function start(env: Record<string, string>): Promise<{ app: Spawned; url: string; tokens: Record<string, string> }> {
  const app = spawnTs('src/main.ts', [], cleanEnv(env));
  started.push(app);
  const [, url] = await app.waitFor(/govgate ready: (http:\/\/\S+\/graphql)/, 120_000);
  const [, alice] = await app.waitFor(/user \(alice@demo\):\n\s+(\S+)/);
  const [, carl] = await app.waitFor(/compliance_officer \(carl@demo\):\n\s+(\S+)/);
  return { app, url: url!, tokens: { alice: alice!, carl: carl! } };
}

const ask = async (url: string, token: string, query: string): Promise<Reply> => {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
    const body = (await res.json()) as { extensions?: { governance?: { auditId?: string } } };
    return { status: res.status, auditId: body.extensions?.governance?.auditId ?? null };
  } catch {
    return { status: 0, auditId: null };
  }
};

describe('the gateway killed with SIGKILL under load', () => {
  it('loses no acknowledged audit event, and after a restart the chain verifies and shows where it ended', { timeout: 240_000 }, async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'govgate-kill-'));
    const dbName = testDatabaseName(import.meta.url);
    const env = { MONGODB_URI: testMongoUri(), MONGODB_DB_NAME: dbName, PORT: '0', GOVGATE_STATE_DIR: stateDir, SEED_DEMO: 'true', LOG_LEVEL: 'warn', RATE_LIMIT_PER_SECOND: '0', AUDIT_CHECKPOINT_EVERY: '20' };
    const first = await start(env);

    // Load from 20 concurrent loops; the process dies in the middle of it.
    const replies: Reply[] = [];
    let stop = false;
    const loops = Array.from({ length: 20 }, async () => {
      while (!stop) {
        const reply = await ask(first.url, first.tokens.alice!, '{ me { id email conversations { title } } }');
        replies.push(reply);
        if (reply.status === 0) return;
      }
    });
    while (replies.filter((r) => r.status === 200).length < 150) await new Promise((r) => setTimeout(r, 20));
    first.app.kill('SIGKILL');
    stop = true;
    await Promise.all(loops);
    await first.app.exited();

    // Every response the clients received was audited before it left.
    const acknowledged = replies.filter((r) => r.status === 200).map((r) => r.auditId);
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);
    const connection = await mongoose.createConnection(testMongoUri(), { dbName }).asPromise();
    try {
      const stored = new Set((await connection.db!.collection('audit_events').find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)));
      expect(acknowledged.every((id) => id !== null && stored.has(id))).toBe(true);

      const second = await start(env);
      expect((await ask(second.url, second.tokens.alice!, '{ me { id } }')).status).toBe(200);
      const res = await fetch(second.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${second.tokens.carl}` },
        body: JSON.stringify({ query: '{ verifyAuditLog { ok firstBrokenSeq chains { chainId ok status lastSeq lastCheckpointSeq } } }' }),
      });
      const { data } = (await res.json()) as { data: { verifyAuditLog: { ok: boolean; chains: { chainId: string; ok: boolean; status: string; lastSeq: number; lastCheckpointSeq: number }[] } } };
      expect(data.verifyAuditLog, JSON.stringify(data.verifyAuditLog)).toMatchObject({ ok: true });
      const killed = data.verifyAuditLog.chains.filter((c) => c.status === 'ENDED_ABRUPTLY');
      expect(killed).toHaveLength(1);
      // The gap is named: the killed chain ends at its last persisted event.
      const lastStored = await connection.db!.collection('audit_events').find({ chainId: killed[0]!.chainId }).sort({ seq: -1 }).limit(1).next();
      expect(killed[0]!.lastSeq).toBe(lastStored?.seq);
      expect(data.verifyAuditLog.chains.some((c) => c.status === 'OPEN')).toBe(true);

      // A clean stop closes the chains it wrote.
      second.app.kill('SIGTERM');
      expect(await second.app.exited()).toBe(0);
      const closed = await connection.db!.collection('audit_events').countDocuments({ outcome: 'CLOSED' });
      expect(closed).toBeGreaterThanOrEqual(1);
    } finally {
      await connection.dropDatabase();
      await connection.close();
    }
  });
});
