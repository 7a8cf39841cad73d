/**
 * Retention `sweep` and `keepable` rules (pack-schema.ts, retention.ts): a sweep that would delete
 * what its rule does not decide — a legal-hold floor, a keep choice with nothing to suspend, a
 * target outside the rule's category or decided by a narrower rule — stops the pack loading, naming
 * the rule and the clause; the sweep targets' categories are those of the served schema.
 */
import { describe, expect, it } from 'vitest';
import { governedFieldsOf, loadPolicyPack, PackError } from '../../src/governance/index.js';
import { SWEEP_TARGETS, SWEEPABLE_COLLECTIONS } from '../../src/governance/packs/index.js';
import { buildSchema } from '../../src/schema.js';
import { packOver, policyDir } from '../helpers/policy-dir.js';

const issuesOf = async (retention: unknown[]): Promise<string[]> => {
  const dir = await policyDir({ packs: { ihuman: packOver('ihuman', { retention }) } });
  try {
    loadPolicyPack('ihuman', dir, { fields: governedFieldsOf(buildSchema()) });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(PackError);
    return (error as Error).message.split('\n').slice(1).map((l) => l.replace(/^\s+- /, ''));
  }
};
const sweep = (...collections: string[]) => ({ collections, source: 'test: deleted after' });
const rule = (category: string, days: number, kind: string, extra: Record<string, unknown> = {}) => ({ category, days, kind, source: `test ${kind} ${days}`, ...extra });

describe('sweep and keepable rules', () => {
  it('loads the shipped deepailab pack with its sweeps against the served schema', () => {
    const pack = loadPolicyPack('deepailab', undefined, { fields: governedFieldsOf(buildSchema()) });
    expect(pack.retentionFor('user.content.private').max?.sweep?.collections).toEqual(['messages', 'conversations']);
    expect(pack.retentionFor('user.content.private').max?.keepable?.source).toMatch(/^003 §3/);
    expect(pack.retentionFor('user.behavior.api_usage').max?.sweep?.collections).toEqual(['api_usage']);
  });

  it('SWEEP_TARGETS names, for every sweepable collection, a field of the schema with that category', () => {
    const fields = governedFieldsOf(buildSchema());
    expect(Object.keys(SWEEP_TARGETS).sort()).toEqual([...SWEEPABLE_COLLECTIONS].sort());
    for (const [collection, target] of Object.entries(SWEEP_TARGETS)) expect(fields.get(target.coordinate)?.governance.category, collection).toBe(target.category);
  });

  it('refuses a sweep on a legal-hold floor', async () => {
    expect(await issuesOf([rule('user.financial', 2557, 'floor', { sweep: sweep('messages') })])).toEqual([
      expect.stringMatching(/^\[retention-sweep-floor\] floor 2557 days on user\.financial \("test floor 2557"\): a legal-hold floor is never swept \("test: deleted after"\)/),
    ]);
  });

  it('refuses keepable without a sweep, and on a sweep that does not list conversations', async () => {
    expect(await issuesOf([rule('user.content.private', 90, 'max', { keepable: { source: 'test: keep' } })])).toEqual([
      expect.stringMatching(/^\[retention-keepable-without-sweep\] max 90 days on user\.content\.private .*"test: keep"/),
    ]);
    expect(await issuesOf([rule('user.content.private', 90, 'max', { sweep: sweep('messages'), keepable: { source: 'test: keep' } })])).toEqual([
      expect.stringMatching(/^\[retention-keepable-target\] max 90 days on user\.content\.private/),
    ]);
  });

  it('refuses a target whose category the rule does not cover', async () => {
    expect(await issuesOf([rule('user.behavior', 365, 'max', { sweep: sweep('messages') })])).toEqual([
      expect.stringMatching(/^\[retention-sweep-category\] max 365 days on user\.behavior .*: sweep target messages is user\.content\.private \(Message\.content\)/),
    ]);
  });

  it('refuses a target a narrower rule decides: a broad maximum never sweeps past a narrower rule (or a floor of its own)', async () => {
    expect(await issuesOf([rule('user', 30, 'max', { sweep: sweep('api_usage') }), rule('user.behavior', 365, 'max')])).toEqual([
      expect.stringMatching(/^\[retention-sweep-rule\] max 30 days on user .*: sweep target api_usage \(user\.behavior\.api_usage\) is decided by max 365 days on user\.behavior/),
    ]);
    expect(await issuesOf([rule('user', 30, 'max', { sweep: sweep('api_usage') }), rule('user.behavior', 400, 'floor')])).toEqual([
      expect.stringMatching(/^\[retention-sweep-rule\] max 30 days on user .*is decided by floor 400 days on user\.behavior/),
    ]);
    // The same rule on the nearest category loads.
    expect(await issuesOf([rule('user', 30, 'max', { sweep: sweep('api_usage', 'messages', 'conversations'), keepable: { source: 'test: keep' } })])).toEqual([]);
  });

  it('refuses an unknown collection', async () => {
    expect(await issuesOf([rule('user', 30, 'max', { sweep: sweep('transactions') })])).toEqual([expect.stringMatching(/^retention\.0\.sweep\.collections\.0: /)]);
  });
});
