/**
 * Audit key rotation from configuration only: a gateway signs with key 1; the operator rotates to
 * key 2 and lists key 1's public half in AUDIT_VERIFY_KEYS. Both are published, everything key 1
 * signed still verifies; without AUDIT_VERIFY_KEYS key 1's heads are not trusted.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, VerifyAuditLogDocument } from '../generated/graphql.js';
import { testDatabaseName } from '../helpers/database.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let dir: string;
let dbName: string;
const open: TestGateway[] = [];

async function keyFile(kid: string): Promise<{ file: string; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const file = join(dir, `${kid}.json`);
  await writeFile(file, JSON.stringify({ ...(await exportJWK(privateKey)), alg: 'EdDSA', kid }));
  return { file, publicJwk: { ...(await exportJWK(publicKey)), alg: 'EdDSA', kid } };
}

async function start(env: Record<string, string>): Promise<TestGateway> {
  const gateway = await startTestGateway({ name: import.meta.url, dbName, keepDatabase: true, env: { AUDIT_WITNESS_DIR: join(dir, 'witness'), ...env } });
  open.push(gateway);
  return gateway;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'govgate-rotation-'));
  dbName = testDatabaseName(import.meta.url);
});
afterAll(async () => {
  for (const gateway of open) await gateway.close().catch(() => undefined);
  const last = await start({});
  await last.connection.dropDatabase();
  await last.close();
});

describe('audit key rotation', () => {
  it('publishes configured keys only, and keeps earlier keys trusted through AUDIT_VERIFY_KEYS', async () => {
    const one = await keyFile('audit-one');
    const two = await keyFile('audit-two');
    const earlier = join(dir, 'earlier.json');
    await writeFile(earlier, JSON.stringify({ keys: [one.publicJwk] }));

    const first = await start({ AUDIT_SIGNING_KEY: one.file });
    const user = await first.token('u1', 'rot', ['user']);
    for (let i = 0; i < 4; i += 1) expect((await first.execute(MeDocument, {}, { token: user })).status).toBe(200);
    await first.close();

    const second = await start({ AUDIT_SIGNING_KEY: two.file, AUDIT_VERIFY_KEYS: earlier });
    expect(second.gateway.audit.signer.kid).toBe('audit-two');
    for (let i = 0; i < 4; i += 1) await second.execute(MeDocument, {}, { token: await second.token('u1', 'rot', ['user']) });
    const jwks = (await (await second.fetch('/.well-known/jwks.json')).json()) as { keys: JWK[] };
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual(['audit-one', 'audit-two']);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    const kids = new Set((await second.gateway.audit.store.events.find({ tenant: 'rot' }).toArray()).map((e) => JSON.parse(Buffer.from(e.head!.split('.')[0]!, 'base64url').toString()).kid));
    expect([...kids].sort()).toEqual(['audit-one', 'audit-two']);
    const officer = await second.token('co', 'rot', ['compliance_officer']);
    const verification = (await second.execute(VerifyAuditLogDocument, {}, { token: officer })).data!.verifyAuditLog;
    expect(verification).toMatchObject({ ok: true, problems: [] });
    expect(verification.checkedCheckpoints).toBeGreaterThanOrEqual(9);
    await second.close();

    // An operator who forgets the earlier key: what it signed no longer counts.
    const third = await start({ AUDIT_SIGNING_KEY: two.file });
    const refused = (await third.execute(VerifyAuditLogDocument, {}, { token: await third.token('co', 'rot', ['compliance_officer']) })).data!.verifyAuditLog;
    expect(refused.ok).toBe(false);
    expect(refused.problems.map((p) => p.kind)).toContain('HEAD_INVALID');
    expect(refused.problems.find((p) => p.kind === 'HEAD_INVALID')!.detail).toMatch(/signed by key audit-one, which is not configured/);
  });

  it('refuses a private key in AUDIT_VERIFY_KEYS at start-up', async () => {
    const one = await keyFile('audit-private');
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ keys: [JSON.parse(await (await import('node:fs/promises')).readFile(one.file, 'utf8'))] }));
    await expect(start({ AUDIT_SIGNING_KEY: one.file, AUDIT_VERIFY_KEYS: bad })).rejects.toThrow(/AUDIT_VERIFY_KEYS: key audit-private is a private key/);
  });
});
