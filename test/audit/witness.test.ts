/**
 * The witness outside the database, as an auditor would use it: a remote witness (AUDIT_WITNESS_URL,
 * a real HTTP server here) receives every witness-log entry and checks each chain head against the
 * previous one by its consistency proof; an auditor keeps the tenant head of one evidence bundle and
 * proves, offline with pinned keys, that the next bundle's log extends it.
 */
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet, decodeJwt, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WitnessEntry } from '../../src/audit/index.js';
import { verifyConsistency } from '../../src/audit/merkle/index.js';
import { EvidenceBundleDocument, MeDocument, RegisterAccountDocument, VerifyAuditLogDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { cleanEnv, spawnTs } from '../helpers/spawn.js';

const tenant = 'witnessed';
let t: TestGateway;
let receiver: Server;
let dir: string;
const received: WitnessEntry[] = [];

async function officer(): Promise<string> {
  return t.token('wendy', tenant, ['compliance_officer']);
}

async function reads(n: number): Promise<void> {
  const token = await t.token('walt', tenant, ['user']);
  for (let i = 0; i < n; i += 1) expect((await t.execute(MeDocument, {}, { token })).status).toBe(200);
}

async function bundle(since?: string): Promise<string> {
  const res = await t.execute(EvidenceBundleDocument, { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString(), ...(since ? { since } : {}) }, { token: await officer() });
  expect(res.errors).toBeUndefined();
  return res.data!.evidenceBundle;
}

async function offline(jws: string, args: string[] = []): Promise<{ code: number | null; out: string }> {
  const file = join(dir, `bundle-${Math.random().toString(36).slice(2)}.jws`);
  await writeFile(file, jws);
  const run = spawnTs('src/scripts/evidence-verify.ts', [file, '--jwks', join(dir, 'pinned.json'), ...args], cleanEnv({}));
  const code = await run.exited();
  return { code, out: run.stdout() + run.stderr() };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'govgate-witness-test-'));
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as WitnessEntry);
      res.writeHead(204).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/heads`;
  t = await startTestGateway({ name: import.meta.url, env: { AUDIT_WITNESS_URL: url, AUDIT_WITNESS_DIR: join(dir, 'witness'), AUDIT_CHECKPOINT_EVERY: '3' } });
  // The auditor pins the keys once, from the running gateway.
  await writeFile(join(dir, 'pinned.json'), await (await t.fetch('/.well-known/jwks.json')).text());
  const token = await t.token('walt', tenant, ['user']);
  await t.execute(RegisterAccountDocument, { input: { displayName: 'Walt', email: 'walt@example.com', birthDate: '1980-01-01', country: 'NL' } }, { token });
});
afterAll(async () => {
  await t.close();
  receiver.close();
});

describe('the remote witness', () => {
  it('receives every head of the witness log, each provably consistent with the one before', { timeout: 30_000 }, async () => {
    await reads(8);
    const verification = (await t.execute(VerifyAuditLogDocument, {}, { token: await officer() })).data!.verifyAuditLog;
    expect(verification.ok).toBe(true);
    for (let i = 0; i < 100 && !received.some((e) => e.kind === 'tenant'); i += 1) await new Promise((r) => setTimeout(r, 20));

    const keys = createLocalJWKSet(JSON.parse(await readFile(join(dir, 'pinned.json'), 'utf8')) as JSONWebKeySet);
    const chain = received.filter((e) => e.kind === 'chain' && e.tenant === tenant);
    expect(chain.length).toBeGreaterThanOrEqual(3);
    expect(chain[0]!.proof).toBeUndefined();
    let previous: { size: number; root: string } | null = null;
    for (const entry of chain) {
      const { payload, protectedHeader } = await compactVerify(entry.jws, keys);
      expect(protectedHeader.typ).toBe('govgate-chain-head+jws');
      const head = JSON.parse(new TextDecoder().decode(payload)) as { size: number; root: string; tenant: string };
      expect(head.tenant).toBe(tenant);
      if (previous) {
        expect(entry.proof).toMatchObject({ fromSize: previous.size, fromRoot: previous.root });
        const ok = verifyConsistency(previous.size, head.size, Buffer.from(previous.root, 'hex'), Buffer.from(head.root, 'hex'), entry.proof!.nodes.map((n) => Buffer.from(n, 'hex')));
        expect(ok).toBe(true);
      }
      previous = { size: head.size, root: head.root };
    }
    // The verification's own tenant head reached the witness too.
    const tenantHeads = received.filter((e) => e.kind === 'tenant' && e.tenant === tenant);
    expect(tenantHeads.map((e) => e.jws)).toContain(verification.head);
  });

  it('keeps the same in the witness directory: a latest head per chain and the log', async () => {
    const [tenantDir] = await readdir(join(dir, 'witness'), { withFileTypes: true }).then((all) => all.filter((e) => e.isDirectory()).map((e) => join(dir, 'witness', e.name)));
    const log = (await readFile(join(tenantDir!, 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as WitnessEntry);
    expect(log.map((e) => e.jws)).toEqual(expect.arrayContaining(received.filter((e) => e.tenant === tenant).map((e) => e.jws)));
    const chains = await readdir(join(tenantDir!, 'chains'));
    expect(chains).toHaveLength(1);
  });
});

describe('evidence an auditor can check against what they saw before', () => {
  it('a saved head, a later bundle proven to extend it offline, and a forged history refused', { timeout: 90_000 }, async () => {
    const first = await bundle();
    const saved = join(dir, 'saved-head.jws');
    const firstCheck = await offline(first, ['--save-head', saved]);
    expect(firstCheck.code).toBe(0);
    expect(firstCheck.out).toContain('OK: the bundle verifies');
    const savedHead = await readFile(saved, 'utf8');
    expect(savedHead).toBe((decodeJwt(first) as { head: string }).head);

    await reads(4);
    // A verification in between witnesses a newer head; a bundle proves from the one it is asked for.
    await t.execute(VerifyAuditLogDocument, {}, { token: await officer() });
    const defaulted = await offline(await bundle(), ['--head', saved]);
    expect(defaulted.code).toBe(1);
    expect(defaulted.out).toMatch(/proves no consistency from the saved head \(ask for it with since: <saved head>\)/);
    const second = await offline(await bundle(savedHead), ['--head', saved]);
    expect(second.out).toContain('consistency with the saved head checked');
    expect(second.code).toBe(0);

    // A database writer removes an event and re-hashes the rest: the gateway refuses to vouch, and
    // the bundle cannot be made consistent with the saved head.
    const [chainId] = await t.gateway.audit.store.events.distinct('chainId', { tenant });
    await t.gateway.audit.store.events.deleteOne({ chainId, seq: 2 });
    const forged = await offline(await bundle(savedHead), ['--head', saved]);
    expect(forged.code).toBe(1);
    expect(forged.out).toContain('the gateway found its audit log broken when the bundle was made');
    expect(forged.out).toContain('FAILED');
  });

  it('refuses keys fetched from a URL: the auditor pins them', async () => {
    const run = spawnTs('src/scripts/evidence-verify.ts', ['x.jws', '--jwks', 'http://127.0.0.1:1/jwks.json'], cleanEnv({}));
    expect(await run.exited()).toBe(2);
    expect(run.stderr()).toContain('pinned keys');
  });
});
