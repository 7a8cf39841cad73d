/**
 * Pack invariants (src/governance/packs/invariants.ts): a pack that would let a training-like
 * purpose or a tenant-wide grant release conversation content without consent does not load, and
 * start-up says which rule, role, purpose and category.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICY_PACKS } from '../../src/config.js';
import { loadPolicyPack, PackError } from '../../src/governance/packs/index.js';
import { connectTestDatabase } from '../helpers/database.js';
import { policyDir as writePolicyDir } from '../helpers/policy-dir.js';
import { cleanEnv, spawnTs, type Spawned } from '../helpers/spawn.js';

type Json = Record<string, unknown>;
interface GrantJson {
  role: string;
  scope: string;
  categories: string[];
  purposes: string[];
  source: string;
  legalBasis?: { basis: string; source: string };
}

/** A policy directory holding the shipped base.json changed by `edit` (and deepailab.json as shipped). */
const policyDir = (edit: (base: Json & { grants: GrantJson[] }) => void): Promise<string> => writePolicyDir({ base: edit });

/** The issues a load reports (empty when it loads). */
function issuesOf(name: (typeof POLICY_PACKS)[number], dir: string): string[] {
  try {
    loadPolicyPack(name, dir);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(PackError);
    return (error as Error).message.split('\n').slice(1).map((l) => l.replace(/^\s+- /, ''));
  }
}

const withoutPurpose = (list: { purpose: string }[], purpose: string) => list.filter((c) => c.purpose !== purpose);

describe('shipped packs', () => {
  it('every pack name loads, with its training-like purposes consent-gated and closed to minors', () => {
    for (const name of POLICY_PACKS) {
      const pack = loadPolicyPack(name);
      expect(pack.trainingPurposes, name).toEqual(expect.arrayContaining(['train_ai_system', 'functional.service.improve']));
      for (const purpose of pack.trainingPurposes) {
        expect(pack.needsConsent(purpose), `${name} ${purpose}`).toBe(true);
        expect(pack.minorRestricted(purpose), `${name} ${purpose}`).toBe(true);
      }
    }
  });
});

describe('a pack violating an invariant does not load', () => {
  it('training-consent / consent-only-data: functional.service.improve without a consent rule', async () => {
    const dir = await policyDir((base) => {
      base.consent = withoutPurpose(base.consent as { purpose: string }[], 'functional.service.improve');
    });
    // ihuman has no file of its own: it runs on base.
    const issues = issuesOf('ihuman', dir);
    expect(issues).toContainEqual(expect.stringMatching(/^\[training-consent\] role ml_engineer, purpose functional\.service\.improve, category user\.unique_id, user\.content\.private: /));
    expect(issues).toContainEqual(expect.stringMatching(/^\[consent-only-data\] role ml_engineer, purpose functional\.service\.improve, category user\.content\.private: /));
    expect(issues).toHaveLength(2);
    // deepailab declares its own consent list: it still loads.
    expect(issuesOf('deepailab', dir)).toEqual([]);
  });

  it('training-minors: a training-like purpose open to minors', async () => {
    const dir = await policyDir((base) => {
      const minors = base.minors as { restrictedPurposes: string[] };
      minors.restrictedPurposes = minors.restrictedPurposes.filter((p) => p !== 'functional.service.improve');
    });
    const issues = issuesOf('deepailab', dir);
    expect(issues).toEqual([expect.stringMatching(/^\[training-minors\] role ml_engineer, purpose functional\.service\.improve, category user\.unique_id, user\.content\.private: /)]);
  });

  it('consent-only-data: a tenant-wide grant on content without consent or a legal basis', async () => {
    const dir = await policyDir((base) => {
      delete base.grants.find((g) => g.role === 'service')!.legalBasis;
    });
    expect(issuesOf('hartsy', dir)).toEqual([expect.stringMatching(/^\[consent-only-data\] role service, purpose essential\.service, category user\.content: .*legalBasis/)]);
  });

  it('consent-only-data: a category the pack marks consent-only', async () => {
    const dir = await policyDir((base) => {
      base.consentOnlyCategories = [{ category: 'user.contact', source: 'test: contact details only with consent' }];
    });
    expect(issuesOf('aiwellflow', dir)).toEqual([
      expect.stringMatching(/^\[consent-only-data\] role tenant_admin, purpose essential\.service, category user\.contact: /),
      expect.stringMatching(/^\[consent-only-data\] role tenant_admin, purpose essential\.service\.security, category user\.contact: /),
    ]);
  });

  it('legal-basis-purpose: a legal basis cannot open a purpose it does not cover', async () => {
    const dir = await policyDir((base) => {
      base.grants.push({ role: 'analyst', scope: 'tenant', categories: ['user.content.public'], purposes: ['analytics.reporting'], source: 'test', legalBasis: { basis: 'contract', source: 'test: Art. 6(1)(b)' } });
    });
    expect(issuesOf('interhuman', dir)).toEqual([expect.stringMatching(/^\[legal-basis-purpose\] role analyst, purpose analytics\.reporting, category user\.content\.public: /)]);
  });

  it('a pack-declared training purpose gets the same rules', async () => {
    const declared = await policyDir((base) => {
      base.trainingPurposes = [{ purpose: 'personalize', source: 'test: personalisation models are trained on conversations' }];
      const minors = base.minors as { restrictedPurposes: string[] };
      minors.restrictedPurposes = minors.restrictedPurposes.filter((p) => p !== 'personalize');
    });
    // No role is granted personalize tenant-wide in base: the issue still names the rule and purpose.
    expect(issuesOf('ihuman', declared)).toEqual([expect.stringMatching(/^\[training-minors\] role \(none granted\), purpose personalize, category \(any\): /)]);
    const valid = await policyDir((base) => {
      base.trainingPurposes = [{ purpose: 'personalize', source: 'test: personalisation models are trained on conversations' }];
    });
    const pack = loadPolicyPack('ihuman', valid);
    expect(pack.isTrainingUse('personalize')).toBe(true);
    expect(pack.isTrainingUse('essential.service')).toBe(false);
  });

  it('an unknown legal basis or a misspelt grant key is a validation error', async () => {
    const dir = await policyDir((base) => {
      base.grants.find((g) => g.role === 'service')!.legalBasis = { basis: 'legitimate_interests', source: 'Art. 6(1)(f)' };
      (base.grants.find((g) => g.role === 'support') as unknown as Json).legalbasis = { basis: 'contract', source: 'typo' };
    });
    const issues = issuesOf('ihuman', dir);
    expect(issues).toContainEqual(expect.stringMatching(/^grants\.7\.legalBasis\.basis: /));
    expect(issues).toContainEqual(expect.stringMatching(/^grants\.1: .*legalbasis/));
  });
});

describe('start-up', () => {
  const started: Spawned[] = [];
  afterAll(() => started.forEach((s) => s.kill('SIGKILL')));

  it('exits 1 naming the rule, role, purpose and category when POLICY_DIR holds a pack that breaks an invariant', { timeout: 120_000 }, async () => {
    const dir = await policyDir((base) => {
      base.consent = withoutPurpose(base.consent as { purpose: string }[], 'functional.service.improve');
    });
    const stateDir = await mkdtemp(join(tmpdir(), 'govgate-state-'));
    // The process connects before it builds the gateway: give it a database of its own, dropped after.
    const db = await connectTestDatabase(import.meta.url);
    const app = spawnTs(
      'src/main.ts',
      [],
      cleanEnv({ POLICY_DIR: dir, POLICY_PACK: 'ihuman', MONGODB_URI: db.uri, MONGODB_DB_NAME: db.dbName, PORT: '0', GOVGATE_STATE_DIR: stateDir, LOG_LEVEL: 'warn' }),
    );
    started.push(app);
    const code = await app.exited(90_000).finally(() => db.close());
    expect(code).toBe(1);
    expect(app.stderr()).toContain(`Invalid policy pack ${join(dir, 'ihuman.json')}`);
    expect(app.stderr()).toMatch(/\[training-consent\] role ml_engineer, purpose functional\.service\.improve, category user\.unique_id, user\.content\.private/);
    expect(app.stderr()).not.toMatch(/\bat .*\.ts:\d+/);
    expect(app.stdout()).not.toContain('govgate ready');
  });
});
