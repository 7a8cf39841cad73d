/**
 * `diffPacks` and `npm run policy:diff` (#18 deliverable 3): shipped packs copied to a temporary
 * directory, one rule of each kind edited, read back through the loader (extends merged, validated)
 * and compared; the CLI through its real entry point.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PackError, readPackFile, type PackFile } from '../../src/governance/packs/index.js';
import { diffPacks, type RuleChange } from '../../src/governance/packs/pack-diff.js';
import { cleanEnv, REPO_ROOT, spawnTs } from '../helpers/spawn.js';
import { shippedPack, type PackJson } from '../helpers/policy-dir.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test edits reach into pack JSON

/** base.json and an (edited) deepailab.json in a fresh directory; returns deepailab's path. */
async function variant(edit: (pack: Json, base: Json) => void = () => {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'govgate-pack-diff-'));
  const base = await shippedPack('base');
  const pack = await shippedPack('deepailab');
  edit(pack, base);
  await writeFile(join(dir, 'base.json'), JSON.stringify(base));
  await writeFile(join(dir, 'deepailab.json'), JSON.stringify(pack));
  return join(dir, 'deepailab.json');
}

let shipped: PackFile;
let shippedPath: string;
beforeAll(async () => {
  shippedPath = await variant();
  shipped = readPackFile(shippedPath);
});

const diffWith = async (edit: (pack: Json, base: Json) => void) => diffPacks(shipped, readPackFile(await variant(edit)));
/** deepailab takes base's grants: to edit one, it states them itself. */
const ownGrants = (pack: Json, base: Json): Json[] => (pack.grants ??= structuredClone(base.grants as PackJson[])) as Json[];

interface Case {
  name: string;
  edit: (pack: Json, base: Json) => void;
  expected: Pick<RuleChange, 'kind' | 'key' | 'change' | 'loosens'>;
  clauses: { before: string[]; after: string[] };
}

const NEW = 'test §1: the edited clause';

// The shipped clauses the cases expect, read from the shipped files (not from the diff under test).
const RAW = JSON.parse(readFileSync(join(REPO_ROOT, 'schema/policies/deepailab.json'), 'utf8')) as Json;
const BASE = JSON.parse(readFileSync(join(REPO_ROOT, 'schema/policies/base.json'), 'utf8')) as Json;
const shippedMinorsSource = (): string => BASE.minors.source as string;
const shippedAggregateSource = (): string => RAW.aggregateOnly[0].source as string;
const shippedErasureSources = (): string[] => [RAW.erasure.source, ...RAW.erasure.legalHold.map((h: Json) => h.source)] as string[];
const shippedFactsSource = (): string => RAW.facts.controller.source as string;
const shippedCoverageClause = (): string => RAW.coverage[0].clause as string;

const CASES: Case[] = [
  {
    name: 'a grant given one more purpose is that grant changed, and loosens',
    edit: (p, b) => {
      const g = ownGrants(p, b).find((x) => x.role === 'analyst')!;
      g.purposes.push('personalize');
      g.source = NEW;
    },
    expected: { kind: 'grants', key: 'analyst tenant [user.behavior, user.demographic, user.location.coarse, user.unique_id]', change: 'changed', loosens: true },
    clauses: { before: ['GDPR Art. 89: statistics on minimised, pseudonymised data'], after: [NEW] },
  },
  {
    name: 'a grant given one more category is still that role\'s grant, changed',
    edit: (p, b) => void ownGrants(p, b).find((x) => x.role === 'support')!.categories.push('user.contact.email'),
    expected: { kind: 'grants', key: 'support tenant [user.account, user.contact.email, user.name, user.unique_id]', change: 'changed', loosens: true },
    clauses: { before: ['GDPR Art. 5(1)(c) data minimisation: support sees identity, not contact details or content'], after: ['GDPR Art. 5(1)(c) data minimisation: support sees identity, not contact details or content'] },
  },
  {
    name: 'a consent version bump',
    edit: (p) => Object.assign(p.consent.find((c: Json) => c.purpose === 'personalize'), { version: '003-2025.2', source: NEW }),
    expected: { kind: 'consent', key: 'personalize', change: 'changed', loosens: false },
    clauses: { before: ['GDPR Art. 6(1)(a): profiling for personalisation needs consent (003 is silent)'], after: [NEW] },
  },
  {
    name: 'a consent rule removed loosens',
    edit: (p) => void (p.consent = p.consent.filter((c: Json) => c.purpose !== 'third_party_sharing')),
    expected: { kind: 'consent', key: 'third_party_sharing', change: 'removed', loosens: true },
    clauses: { before: ['003 §4 Information Sharing: we do not sell your personal information'], after: [] },
  },
  {
    name: 'a retention maximum lengthened loosens',
    edit: (p) => Object.assign(p.retention.find((r: Json) => r.category === 'user.behavior'), { days: 730, source: NEW }),
    expected: { kind: 'retention', key: 'user.behavior max', change: 'changed', loosens: true },
    clauses: { before: ['003 §6 Log Data: retained 12 months'], after: [NEW, '003 §6 Log Data: retained 12 months'] },
  },
  {
    name: 'a retention maximum shortened does not loosen',
    edit: (p) => Object.assign(p.retention.find((r: Json) => r.category === 'user.behavior'), { days: 180 }),
    expected: { kind: 'retention', key: 'user.behavior max', change: 'changed', loosens: false },
    clauses: { before: ['003 §6 Log Data: retained 12 months'], after: ['003 §6 Log Data: retained 12 months'] },
  },
  {
    name: 'an objectable purpose removed loosens',
    edit: (p) => void (p.objectable = p.objectable.filter((o: Json) => o.purpose !== 'analytics')),
    expected: { kind: 'objectable', key: 'analytics', change: 'removed', loosens: true },
    clauses: { before: ['003 §7 Objection: processing based on legitimate interests (usage analysis, §2)'], after: [] },
  },
  {
    name: 'the minors age lowered loosens',
    edit: (p, b) => void (p.minors = { ...b.minors, age: 17, source: NEW }),
    expected: { kind: 'minors', key: 'minors', change: 'changed', loosens: true },
    clauses: { before: [shippedMinorsSource()], after: [NEW] },
  },
  {
    name: 'the minimum age raised does not loosen',
    edit: (p) => void (p.minimumAge = { age: 17, source: NEW }),
    expected: { kind: 'minimumAge', key: 'minimumAge', change: 'changed', loosens: false },
    clauses: { before: ["003 §10 Children's Privacy: services are not intended for children under 16"], after: [NEW] },
  },
  {
    name: 'a field purpose added',
    edit: (p) => void (p.fieldPurposes = [{ coordinate: 'User.phone', add: ['marketing.communications'], source: NEW }]),
    expected: { kind: 'fieldPurposes', key: 'User.phone', change: 'added', loosens: true },
    clauses: { before: [], after: [NEW] },
  },
  {
    name: 'a training purpose added',
    edit: (p) => void (p.trainingPurposes = [{ purpose: 'train_ai_system.third_party', source: NEW }]),
    expected: { kind: 'trainingPurposes', key: 'train_ai_system.third_party', change: 'added', loosens: false },
    clauses: { before: [], after: [NEW] },
  },
  {
    name: 'a consent-only category added',
    edit: (p) => void (p.consentOnlyCategories = [{ category: 'user.biometrics.face', source: NEW }]),
    expected: { kind: 'consentOnlyCategories', key: 'user.biometrics.face', change: 'added', loosens: false },
    clauses: { before: [], after: [NEW] },
  },
  {
    name: 'an aggregate-only role removed loosens',
    edit: (p) => void delete p.aggregateOnly,
    expected: { kind: 'aggregateOnly', key: 'analyst', change: 'removed', loosens: true },
    clauses: { before: [shippedAggregateSource()], after: [] },
  },
  {
    name: 'a developer-data rule added',
    edit: (p) => void (p.developerData = { categories: ['user.content.private.agent_instruction'], source: NEW }),
    expected: { kind: 'developerData', key: 'developerData', change: 'added', loosens: false },
    clauses: { before: [], after: [NEW] },
  },
  {
    name: 'a private-content rule added',
    edit: (p) => void (p.privateContent = { categories: ['user.content.private'], source: NEW }),
    expected: { kind: 'privateContent', key: 'privateContent', change: 'added', loosens: false },
    clauses: { before: [], after: [NEW] },
  },
  {
    name: 'an erasure grace lengthened loosens',
    edit: (p) => void (p.erasure.graceDays = 14),
    expected: { kind: 'erasure', key: 'erasure', change: 'changed', loosens: true },
    clauses: { before: shippedErasureSources(), after: shippedErasureSources() },
  },
  {
    name: 'an end-of-contract rule added loosens',
    edit: (p) => void (p.endOfContract = { roles: ['tenant_admin'], source: NEW }),
    expected: { kind: 'endOfContract', key: 'endOfContract', change: 'added', loosens: true },
    clauses: { before: [], after: [NEW] },
  },
  {
    name: 'a fact changed',
    edit: (p) => void (p.facts.controller.contact = 'privacy@example.org'),
    expected: { kind: 'facts', key: 'controller', change: 'changed', loosens: false },
    clauses: { before: [shippedFactsSource()], after: [shippedFactsSource()] },
  },
  {
    name: 'a coverage line changed',
    edit: (p) => void (p.coverage[0].promise = 'a changed promise'),
    expected: { kind: 'coverage', key: shippedCoverageClause(), change: 'changed', loosens: false },
    clauses: { before: [shippedCoverageClause()], after: [shippedCoverageClause()] },
  },
];

describe('diffPacks', () => {
  it('finds nothing between a pack and a copy of it, whatever the order of its sets', async () => {
    expect(diffPacks(shipped, shipped)).toEqual({ old: { name: 'deepailab', version: '003-2025.1' }, next: { name: 'deepailab', version: '003-2025.1' }, changes: [], reConsent: [], loosens: false });
    const reordered = readPackFile(await variant((p) => {
      p.consent.reverse();
      p.retention[0].sweep.collections.reverse();
    }));
    expect(diffPacks(shipped, reordered).changes).toEqual([]);
  });

  for (const c of CASES) {
    it(`names exactly the change: ${c.name}`, async () => {
      const diff = await diffWith(c.edit);
      expect(diff.changes.map(({ kind, key, change, loosens }) => ({ kind, key, change, loosens }))).toEqual([c.expected]);
      expect(diff.changes[0]!.clauses).toEqual(c.clauses);
      expect(diff.loosens).toBe(c.expected.loosens);
      if (c.expected.loosens) expect(diff.changes[0]!.loosening.length).toBeGreaterThan(0);
    });
  }

  it('shows a changed rule before and after', async () => {
    const diff = await diffWith((p, b) => void ownGrants(p, b).find((x) => x.role === 'analyst')!.purposes.push('personalize'));
    const [c] = diff.changes;
    expect((c!.before as Json).purposes).toEqual(['analytics.reporting']);
    expect((c!.after as Json).purposes).toEqual(['analytics.reporting', 'personalize']);
    expect(c!.loosening).toEqual(['purposes added: personalize']);
  });

  describe('re-consent', () => {
    it('lists a purpose whose consent version changed, and only it', async () => {
      const diff = await diffWith((p) => void (p.consent.find((c: Json) => c.purpose === 'personalize').version = '003-2025.2'));
      expect(diff.reConsent).toEqual([{ purpose: 'personalize', version: '003-2025.2', reasons: ['consent version changed 003-2025.1 → 003-2025.2 ("GDPR Art. 6(1)(a): profiling for personalisation needs consent (003 is silent)")'] }]);
    });

    it('lists a new consent rule', async () => {
      const diff = await diffWith((p) => void p.consent.push({ purpose: 'analytics.reporting', version: 'a-1', source: NEW }));
      expect(diff.reConsent.map((r) => [r.purpose, r.version])).toEqual([['analytics.reporting', 'a-1']]);
      expect(diff.reConsent[0]!.reasons[0]).toMatch(/^new consent rule for analytics\.reporting/);
    });

    it('lists a consented purpose a new grant releases, naming the grant', async () => {
      const diff = await diffWith((p, b) => void ownGrants(p, b).push({ role: 'support', scope: 'tenant', categories: ['user.contact.email'], purposes: ['marketing.communications'], source: NEW }));
      expect(diff.changes.map((c) => [c.kind, c.change, c.loosens])).toEqual([['grants', 'added', true]]);
      expect(diff.reConsent).toEqual([{ purpose: 'marketing.communications', version: '003-2025.1', reasons: [`grant support (tenant) now releases user.contact.email for marketing.communications ("${NEW}")`] }]);
    });

    it('narrows a broader grant purpose to the consented one it overlaps', async () => {
      const diff = await diffWith((p, b) => void ownGrants(p, b).push({ role: 'support', scope: 'tenant', categories: ['user.contact.email'], purposes: ['marketing'], source: NEW }));
      expect(diff.reConsent.map((r) => r.purpose)).toEqual(['marketing.communications']);
    });

    it('lists a consented purpose a field newly serves', async () => {
      const diff = await diffWith((p) => void (p.fieldPurposes = [{ coordinate: 'User.phone', add: ['marketing.communications'], source: NEW }]));
      expect(diff.reConsent).toEqual([{ purpose: 'marketing.communications', version: '003-2025.1', reasons: [`fieldPurposes User.phone now adds marketing.communications ("${NEW}")`] }]);
    });

    it('lists nothing for a narrowed grant, a retention change or a widened grant of an unconsented purpose', async () => {
      const diff = await diffWith((p, b) => {
        const grants = ownGrants(p, b);
        grants.find((x) => x.role === 'ml_engineer')!.categories = ['user.unique_id'];
        grants.find((x) => x.role === 'analyst')!.categories.push('user.contact');
        p.retention.find((r: Json) => r.category === 'user.behavior').days = 730;
      });
      expect(diff.changes).toHaveLength(3);
      expect(diff.reConsent).toEqual([]);
    });
  });

  it('refuses an invalid pack with the loader\'s PackError', async () => {
    const path = await variant((p) => void (p.minimumAge = { age: 40, source: 'x' }));
    expect(() => readPackFile(path)).toThrow(PackError);
  });
});

const DOC = join(REPO_ROOT, 'docs/writing-a-pack.md');

async function cli(args: string[]) {
  const run = spawnTs('src/scripts/policy-diff.ts', args, cleanEnv({}));
  const code = await run.exited();
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

describe('npm run policy:diff', { timeout: 60_000 }, () => {
  it('exits 0 with no difference (bare pack names and a relative path)', async () => {
    const same = await cli(['deepailab', 'schema/policies/deepailab.json']);
    expect(same).toEqual({ code: 0, stdout: 'policy diff deepailab 003-2025.1 → deepailab 003-2025.1: no differences\n', stderr: '' });
  });

  it('exits 1 with differences, and --json is the diff', async () => {
    const next = await variant((p) => void (p.consent.find((c: Json) => c.purpose === 'personalize').version = '003-2025.2'));
    const text = await cli([shippedPath, next]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('~ consent personalize (changed)');
    expect(text.stdout).toContain('re-consent needed for 1 purpose:\n  personalize (version 003-2025.2)');
    const json = await cli([shippedPath, next, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(diffPacks(shipped, readPackFile(next)))));
  });

  it('exits 2 with one line naming the file and the problem, no stack, no contents', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'govgate-pack-diff-bad-'));
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"name": "deepailab", "secret-looking-content": tru');
    const invalid = await variant((p) => void (p.minimumAge = { age: 40, source: 'x' }));
    const cases: [string[], RegExp][] = [
      [[shippedPath, join(dir, 'missing.json')], /^policy:diff: .*missing\.json: no such file\n$/],
      [[broken, shippedPath], /^policy:diff: .*broken\.json: not valid JSON\n$/],
      [[shippedPath, invalid], /^policy:diff: .*deepailab\.json: minimumAge\.age: .*\n$/],
      [['no-such-pack', 'deepailab'], /^policy:diff: .*schema\/policies\/no-such-pack\.json: no such file\n$/],
    ];
    for (const [args, line] of cases) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(line);
      expect(run.stderr).not.toMatch(/\n\s+at |secret-looking/);
    }
    expect((await cli(['deepailab'])).code).toBe(2);
  });

  it('prints the worked example of docs/writing-a-pack.md', async () => {
    const doc = await readFile(DOC, 'utf8');
    const section = doc.slice(doc.indexOf('## Comparing two packs'));
    const expected = /```text\n(policy diff [\s\S]*?)```/.exec(section)?.[1];
    expect(expected).toBeDefined();
    // The edit the section describes: marketing terms version 2, log data kept 24 months.
    const next = await variant((p) => {
      p.consent.find((c: Json) => c.purpose === 'marketing.communications').version = '003-2025.2';
      p.retention.find((r: Json) => r.category === 'user.behavior').days = 730;
    });
    const run = await cli(['deepailab', next]);
    expect(run.code).toBe(1);
    expect(run.stdout.replaceAll(next, '/tmp/packs/deepailab.json')).toBe(expected);
  });
});
