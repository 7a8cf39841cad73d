/**
 * policyDryRun: traffic recorded under deepailab, a draft that bumps the version of the training
 * terms, and the dry-run's report compared with what a real gateway under that draft then decides
 * for the same request on the same data (the oracle: the real run's own audit event).
 */
import { decisionsOf, type AuditEventDoc } from '../../src/audit/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddMessageDocument, GrantConsentDocument, RegisterAccountDocument, StartConversationDocument, UsersWithContentDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { policyDir, shippedPack, type PackJson } from '../helpers/policy-dir.js';
import { testDatabaseName, testMongoUri } from '../helpers/database.js';
import { cleanEnv, spawnTs } from '../helpers/spawn.js';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tenant = 'dr';
const DRY_RUN = `query DryRun($draft: JSON!, $from: DateTime!, $to: DateTime!) {
  policyDryRun(draft: $draft, from: $from, to: $to) {
    draft violations events decisions unchanged unknown
    changes { coordinate roles purpose newlyReleased newlyWithheld reasons { reason count } examples forbidden }
  }
}`;
type Change = { coordinate: string; roles: string[]; purpose: string; newlyReleased: number; newlyWithheld: number; reasons: { reason: string; count: number }[]; examples: string[]; forbidden: boolean };
type Report = { draft: string; violations: string[]; events: number; decisions: number; unchanged: number; unknown: number; changes: Change[] };

const dbName = testDatabaseName(`${import.meta.url}-shared`);
let t: TestGateway;
let from: Date;
let recordedId: string;
/** After the recorded traffic, before any run under the draft. */
let recordedUntil: Date;
let draft: PackJson;

/** The training terms get a new version: every consent given under the old one stops counting. */
const bumped = (pack: PackJson): void => {
  pack.consent = (pack.consent as { purpose: string; version: string }[]).map((c) => (c.purpose === 'train_ai_system' ? { ...c, version: '003-2026.1' } : c));
  pack.version = '003-2026.1-draft';
};

async function dryRun(token: string, body: PackJson, to = new Date(Date.now() + 1000)): Promise<{ status: number; report?: Report; code?: string }> {
  const res = await t.post({ query: DRY_RUN, variables: { draft: body, from: from.toISOString(), to: to.toISOString() } }, { token });
  const json = (await res.json()) as { data?: { policyDryRun: Report } | null; errors?: { extensions?: { code?: string } }[] };
  return { status: res.status, ...(json.data?.policyDryRun ? { report: json.data.policyDryRun } : {}), ...(json.errors?.[0]?.extensions?.code ? { code: json.errors[0].extensions.code } : {}) };
}

/** Keys configured, not per test process: the command-line run is another process and must open the same records. */
let keys: Record<string, string>;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'govgate-dry-run-keys-'));
  await writeFile(join(dir, 'master.key'), randomBytes(32).toString('hex'));
  // The audit signing key too: the replay skips events no signed head of a configured key vouches for.
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  await writeFile(join(dir, 'audit.json'), JSON.stringify({ ...(await exportJWK(privateKey)), alg: 'EdDSA', kid: 'dry-run-audit' }));
  keys = { STATE_SEAL_KEY: randomBytes(32).toString('hex'), MASTER_KEY_FILE: join(dir, 'master.key'), AUDIT_SIGNING_KEY: join(dir, 'audit.json') };
  t = await startTestGateway({ name: import.meta.url, dbName, keepDatabase: true, env: { POLICY_PACK: 'deepailab', ...keys } });
  from = new Date(Date.now() - 1000);
  for (const [subject, consents] of [['ann', true], ['ben', false], ['cat', true]] as const) {
    const token = await t.token(subject, tenant, ['user']);
    expect((await t.execute(RegisterAccountDocument, { input: { displayName: `${subject} D`, email: `${subject}@example.com`, birthDate: '1985-05-05', country: 'FR' } }, { token })).errors).toBeUndefined();
    if (consents) await t.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token });
    const c = await t.execute(StartConversationDocument, { title: `${subject} chat` }, { token });
    await t.execute(AddMessageDocument, { conversationId: c.data!.startConversation.id, role: 'USER', content: `${subject} says hi` }, { token });
  }
  const read = await t.execute(UsersWithContentDocument, { first: 50 }, { token: await t.token('mia', tenant, ['ml_engineer']) });
  expect(read.errors).toBeUndefined();
  recordedId = (read.extensions?.governance as { auditId: string }).auditId;
  recordedUntil = new Date(Date.now() + 1);
  draft = await shippedPack('deepailab');
  bumped(draft);
});
afterAll(async () => {
  await t?.close();
});

describe('policyDryRun', () => {
  it('reports exactly what a real run under the draft then withholds, with the draft\'s reason and the recorded request as example', async () => {
    const officer = await t.token('olga', tenant, ['compliance_officer']);
    const { report } = await dryRun(officer, draft, recordedUntil);
    expect(report).toBeDefined();
    expect(report!.draft).toBe('deepailab@003-2026.1-draft');
    expect(report!.violations).toEqual([]);
    expect(report!.events).toBeGreaterThan(0);

    // The real run: a gateway under the draft on the same data, the same request.
    const dir = await policyDir({ deepailab: bumped });
    const real = await startTestGateway({ name: import.meta.url, dbName, keepDatabase: true, env: { POLICY_PACK: 'deepailab', POLICY_DIR: dir, ...keys } });
    try {
      const again = await real.execute(UsersWithContentDocument, { first: 50 }, { token: await real.token('mia', tenant, ['ml_engineer']) });
      expect(again.errors).toBeUndefined();
      const events = t.connection.db!.collection('audit_events');
      type D = { coordinate: string; decision: string; reason: string | null; subjects: readonly (string | null)[] };
      const before: D[] = decisionsOf((await events.findOne({ _id: recordedId as never })) as unknown as AuditEventDoc);
      const after: D[] = decisionsOf((await events.findOne({ _id: (again.extensions?.governance as { auditId: string }).auditId as never })) as unknown as AuditEventDoc);
      const released = (ds: D[]) => new Set(ds.filter((d) => d.decision === 'ALLOW').flatMap((d) => d.subjects.map((s) => `${d.coordinate}|${s}`)));
      const wasReleased = released(before);
      const nowReleased = released(after);
      // Per coordinate: subject decisions released in the recorded run and not in the real run under the draft.
      const withheld = new Map<string, number>();
      for (const key of wasReleased) if (!nowReleased.has(key)) withheld.set(key.split('|')[0]!, (withheld.get(key.split('|')[0]!) ?? 0) + 1);
      expect(withheld.size).toBeGreaterThan(0);
      const predicted = new Map(report!.changes.filter((c) => c.purpose === 'train_ai_system' && c.roles.join() === 'ml_engineer').map((c) => [c.coordinate, c.newlyWithheld]));
      expect(predicted).toEqual(withheld);
      expect(report!.changes.every((c) => c.newlyReleased === 0 && !c.forbidden)).toBe(true);
      for (const c of report!.changes) {
        expect(c.reasons).toEqual([{ reason: 'CONSENT', count: c.newlyWithheld }]);
        expect(c.examples).toContain(recordedId);
      }
    } finally {
      await real.close();
    }
  });

  it('npm run policy:dry-run reports the same from the command line (reads the database the configuration names), and refuses bad input in one line', { timeout: 60_000 }, async () => {
    const officer = await t.token('olga', tenant, ['compliance_officer']);
    const { report } = await dryRun(officer, draft, recordedUntil);
    const file = join(await mkdtemp(join(tmpdir(), 'govgate-draft-')), 'draft.json');
    await writeFile(file, JSON.stringify(draft));
    const env = cleanEnv({ NODE_ENV: 'test', MONGODB_URI: testMongoUri(), MONGODB_DB_NAME: dbName, POLICY_PACK: 'deepailab', ...keys });
    const cli = spawnTs('src/scripts/policy-dry-run.ts', ['--pack', file, '--tenant', tenant, '--from', from.toISOString(), '--to', recordedUntil.toISOString(), '--json'], env);
    expect(await cli.exited(), cli.stderr()).toBe(0);
    const printed = JSON.parse(cli.stdout()) as Report;
    expect(printed.changes).toEqual(report!.changes);
    expect(printed.draft).toBe(report!.draft);
    const bad = spawnTs('src/scripts/policy-dry-run.ts', ['--pack', '/no/such/draft.json', '--tenant', tenant, '--from', from.toISOString(), '--to', recordedUntil.toISOString()], env);
    expect(await bad.exited()).toBe(2);
    expect(bad.stderr().trim().split('\n')).toHaveLength(1);
    expect(bad.stderr()).not.toMatch(/\s+at /);
  });

  it('the unchanged pack changes nothing', async () => {
    const officer = await t.token('olga', tenant, ['compliance_officer']);
    const { report } = await dryRun(officer, await shippedPack('deepailab'), recordedUntil);
    expect(report!.changes).toEqual([]);
    expect(report!.unchanged).toBeGreaterThan(0);
  });

  it('flags a draft that breaks an invariant (training without consent), and shows what it would release', async () => {
    const officer = await t.token('olga', tenant, ['compliance_officer']);
    const loose = await shippedPack('deepailab');
    loose.consent = (loose.consent as { purpose: string }[]).filter((c) => c.purpose !== 'train_ai_system' && c.purpose !== 'train_ai_system.third_party');
    const { report } = await dryRun(officer, loose, recordedUntil);
    expect(report!.violations.join(' ')).toMatch(/train_ai_system/);
    const released = report!.changes.filter((c) => c.newlyReleased > 0);
    expect(released.length).toBeGreaterThan(0);
    // Each such release is flagged: training data without consent.
    expect(released.every((c) => c.forbidden)).toBe(true);
  });

  it('is for compliance officers; a malformed draft or an extends outside the policy directory is BAD_USER_INPUT without echo', async () => {
    expect((await dryRun(await t.token('mia', tenant, ['ml_engineer']), draft)).code).toBe('FORBIDDEN');
    const officer = await t.token('olga', tenant, ['compliance_officer']);
    const bad = await dryRun(officer, { name: 'x', extends: '../../../etc/passwd', secret: 'do-not-echo-me' });
    expect(bad.code).toBe('BAD_USER_INPUT');
    const res = await t.post({ query: DRY_RUN, variables: { draft: { name: 'x', extends: '../../../etc/passwd', secret: 'do-not-echo-me' }, from: from.toISOString(), to: new Date().toISOString() } }, { token: officer });
    expect(await res.text()).not.toContain('do-not-echo-me');
  });
});
