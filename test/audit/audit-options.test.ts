/**
 * The audit options the README documents, each observed through createGateway as main builds it:
 * AUDIT_CHECKPOINT_INTERVAL_S puts a head into the witness log on time even when no event count
 * calls for one, and AUDIT_MAX_BATCH caps how many events share one insert.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MeDocument, RegisterAccountDocument } from '../generated/graphql.js';
import { eventually } from '../helpers/eventually.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const open: TestGateway[] = [];
afterAll(async () => {
  for (const t of open) await t.close();
});

async function logLines(dir: string): Promise<string[]> {
  const tenants = await readdir(dir, { withFileTypes: true });
  const lines: string[] = [];
  for (const entry of tenants.filter((e) => e.isDirectory())) {
    const text = await readFile(join(dir, entry.name, 'log.jsonl'), 'utf8').catch(() => '');
    lines.push(...text.split('\n').filter(Boolean));
  }
  return lines;
}

describe('AUDIT_CHECKPOINT_INTERVAL_S', () => {
  it('witnesses a chain head after the interval although AUDIT_CHECKPOINT_EVERY is far away', { timeout: 30_000 }, async () => {
    const t = await startTestGateway({ name: import.meta.url, env: { AUDIT_CHECKPOINT_EVERY: '1000000', AUDIT_CHECKPOINT_INTERVAL_S: '1' } });
    open.push(t);
    const dir = t.gateway.audit.witnessDir;
    const token = await t.token('ivo', 'interval', ['user']);
    await t.execute(RegisterAccountDocument, { input: { displayName: 'Ivo', email: 'ivo@example.com', birthDate: '1990-01-01', country: 'HR' } }, { token });
    // The chain's first head opens its witness-log entry at once.
    expect(await eventually(async () => (await logLines(dir)).length === 1, 5000)).toBe(true);
    for (let i = 0; i < 3; i += 1) await t.execute(MeDocument, {}, { token });
    // No count is due (10^6), so only the interval can add the next entry, with its proof.
    expect(await eventually(async () => (await logLines(dir)).length >= 2, 5000)).toBe(true);
    const entry = JSON.parse((await logLines(dir))[1]!) as { kind: string; proof?: { fromSize: number } };
    expect(entry.kind).toBe('chain');
    // The first entry is the chain's first write (the registration's intent, size 1).
    expect(entry.proof?.fromSize).toBe(1);
  });
});

describe('AUDIT_MAX_BATCH', () => {
  it('no insert carries more audit events than the limit, under concurrent requests', async () => {
    const t = await startTestGateway({ name: import.meta.url, env: { AUDIT_MAX_BATCH: '2' }, monitorCommands: true });
    open.push(t);
    const token = await t.token('bea', 'batch', ['user']);
    await t.execute(RegisterAccountDocument, { input: { displayName: 'Bea', email: 'bea@example.com', birthDate: '1990-01-01', country: 'ES' } }, { token });
    const sizes: number[] = [];
    const listener = (event: { commandName: string; command: Record<string, unknown> }) => {
      if (event.commandName === 'insert' && event.command.insert === 'audit_events') sizes.push((event.command.documents as unknown[]).length);
    };
    const client = t.connection.getClient();
    client.on('commandStarted', listener);
    const replies = await Promise.all(Array.from({ length: 12 }, () => t.execute(MeDocument, {}, { token })));
    client.off('commandStarted', listener);
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(12);
    expect(Math.max(...sizes)).toBe(2);
  });
});
