/**
 * Every audit signing algorithm govgate accepts signs tree heads and evidence that verify with the
 * published key alone (jose, offline), through the real gateway: the signer writes compact JWS
 * itself (node:crypto), so this is what proves its output is standard.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet, exportJWK, generateKeyPair, type JSONWebKeySet } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyEvidenceBundle } from '../../src/audit/index.js';
import { EvidenceBundleDocument, MeDocument, RegisterAccountDocument, VerifyAuditLogDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const open: TestGateway[] = [];
afterAll(async () => {
  for (const t of open) await t.close();
});

describe.each(['EdDSA', 'ES256', 'RS256'] as const)('audit signatures with %s', (alg) => {
  it('verify offline with the published key: every head, the tenant head and an evidence bundle', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'govgate-alg-'));
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const file = join(dir, 'audit.json');
    await writeFile(file, JSON.stringify({ ...(await exportJWK(privateKey)), alg, kid: `k-${alg}` }));
    const t = await startTestGateway({ name: `${import.meta.url}-${alg}`, env: { AUDIT_SIGNING_KEY: file } });
    open.push(t);
    const from = new Date(Date.now() - 60_000).toISOString();
    const alice = await t.token('alice', 'algs', ['user']);
    await t.execute(RegisterAccountDocument, { input: { displayName: 'Alice', email: 'alice@example.com', birthDate: '1990-01-01', country: 'FR' } }, { token: alice });
    for (let i = 0; i < 3; i += 1) expect((await t.execute(MeDocument, {}, { token: alice })).status).toBe(200);

    const jwks = (await (await t.fetch('/.well-known/jwks.json')).json()) as JSONWebKeySet;
    expect(jwks.keys.map((k) => [k.kid, k.alg])).toEqual([[`k-${alg}`, alg]]);
    const keys = createLocalJWKSet(jwks);
    // Each write's tree head, as stored on the chain's last event of the write.
    const heads = await t.connection.db!.collection('audit_events').find({ tenant: 'algs', head: { $exists: true } }).toArray();
    expect(heads.length).toBeGreaterThan(0);
    for (const doc of heads) {
      const { protectedHeader } = await compactVerify(doc.head as string, keys, { algorithms: [alg] });
      expect(protectedHeader).toEqual({ alg, kid: `k-${alg}`, typ: 'govgate-chain-head+jws' });
    }

    const officer = await t.token('carl', 'algs', ['compliance_officer']);
    const verified = await t.execute(VerifyAuditLogDocument, {}, { token: officer });
    expect(verified.data?.verifyAuditLog.ok).toBe(true);
    await compactVerify(verified.data!.verifyAuditLog.head!, keys, { algorithms: [alg] });
    const bundle = await t.execute(EvidenceBundleDocument, { from, to: new Date(Date.now() + 60_000).toISOString() }, { token: officer });
    const checked = await verifyEvidenceBundle(bundle.data!.evidenceBundle, keys);
    expect(checked.problems).toEqual([]);
    expect(checked.ok).toBe(true);
    expect(checked.events).toBeGreaterThan(3);
  });
});

describe('an audit signing key no verifier accepts', () => {
  it('stops start-up (an RSA key below 2048 bits: node:crypto signs with it, jose refuses every signature)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'govgate-alg-'));
    const file = join(dir, 'short.json');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    await writeFile(file, JSON.stringify({ ...privateKey.export({ format: 'jwk' }), alg: 'RS256', kid: 'k-short' }));
    const started = startTestGateway({ name: `${import.meta.url}-short`, env: { AUDIT_SIGNING_KEY: file } });
    started.then((t) => open.push(t), () => undefined);
    await expect(started).rejects.toThrow(/AUDIT_SIGNING_KEY: .*2048/);
  });
});
