import { describe, expect, it } from 'vitest';
import { governedFieldsOf } from '../../src/governance/index.js';
import {
  CATEGORIES, DATA_CATEGORIES, DATA_USES, PURPOSES, REPLACED_CATEGORIES, anyCovers, covers, isCategory, isPersonal, isPurpose, lineage,
} from '../../src/governance/taxonomy/index.js';
import { buildSchema } from '../../src/schema.js';
import { loadPolicyPack } from '../../src/governance/packs/index.js';
import { POLICY_PACKS } from '../../src/config.js';

describe('taxonomy', () => {
  it('holds the categories and purposes of DESIGN.md, closed under parents', () => {
    // DESIGN.md's vocabulary on fideslang 3.2.0's keys: user.biometrics.voice (was user.biometric.voice),
    // user.children (was user.childrens), user.location.coarse (was user.location.imprecise).
    for (const c of ['user.contact.email', 'user.content.private.ai_prompt', 'user.content.private.agent_instruction', 'user.biometrics.voice', 'user.children', 'user.location.coarse', 'user.settings', 'system.operations']) expect(isCategory(c)).toBe(true);
    for (const p of ['essential.service.operations.support', 'essential.legal_obligation', 'train_ai_system', 'third_party_sharing']) expect(isPurpose(p)).toBe(true);
    for (const key of [...CATEGORIES, ...PURPOSES]) for (const parent of lineage(key)) expect(CATEGORIES.has(parent) || PURPOSES.has(parent)).toBe(true);
    expect(isCategory('user.contact.emial')).toBe(false);
  });

  it('is data: every key a record with its parent, name, description and origin', () => {
    for (const records of [DATA_CATEGORIES, DATA_USES]) {
      const keys = new Set(records.map((r) => r.key));
      expect(keys.size).toBe(records.length);
      for (const r of records) {
        const dot = r.key.lastIndexOf('.');
        expect(r.parent, r.key).toBe(dot < 0 ? null : r.key.slice(0, dot));
        if (r.parent !== null) expect(keys.has(r.parent), `${r.key}: parent ${r.parent}`).toBe(true);
        expect(r.name.length, r.key).toBeGreaterThan(2);
        expect(r.description.length, r.key).toBeGreaterThan(10);
        // An extension is marked as one and claims no fideslang version; a fideslang key names its version.
        if (r.origin === 'govgate') expect(r.fideslangVersion, r.key).toBeNull();
        else expect(r.fideslangVersion, r.key).toMatch(/^\d+\.\d+\.\d+$/);
      }
    }
    const extensions = DATA_CATEGORIES.filter((r) => r.origin === 'govgate').map((r) => r.key);
    expect(extensions).toEqual(expect.arrayContaining(['user.content.private.ai_prompt', 'user.content.private.ai_output', 'user.content.private.agent_instruction', 'user.content.private.upload', 'user.content.private.generated_media']));
    // The parent of govgate's AI content is fideslang's own.
    expect(DATA_CATEGORIES.find((r) => r.key === 'user.content.private')).toMatchObject({ origin: 'fideslang', name: 'Private Content' });
  });

  it('refuses the keys fideslang 3.2.0 deprecated, naming their successors, and no field or pack uses one', () => {
    expect(REPLACED_CATEGORIES.map((r) => [r.key, r.replacedBy])).toEqual(expect.arrayContaining([
      ['user.childrens', 'user.children'], ['user.biometric.voice', 'user.biometrics.voice'], ['user.location.imprecise', 'user.location.coarse'], ['user.account.settings', 'user.settings'],
    ]));
    for (const { key, replacedBy } of REPLACED_CATEGORIES) {
      expect(isCategory(key), key).toBe(false);
      expect(isCategory(replacedBy), replacedBy).toBe(true);
    }
    const replaced = new Set(REPLACED_CATEGORIES.map((r) => r.key));
    for (const field of governedFieldsOf(buildSchema()).values()) expect(replaced.has(field.governance.category), field.coordinate).toBe(false);
  });

  it('a field classified with a replaced key fails the build naming the successor', async () => {
    const { validateFieldGovernance } = await import('../../src/governance/plugin/validate-field.js');
    expect(() => validateFieldGovernance('User.country', { category: 'user.location.imprecise', purposes: ['essential'], strategy: 'null' }, { nullable: true, list: false }))
      .toThrow('governance: User.country has data category "user.location.imprecise": replaced by user.location.coarse (fideslang 3.2.0)');
  });

  it('lets a rule on a parent cover its children, never the reverse or a sibling prefix', () => {
    expect(covers('user.contact', 'user.contact.email')).toBe(true);
    expect(covers('user.contact.email', 'user.contact')).toBe(false);
    expect(covers('user.contact', 'user.contactless')).toBe(false);
    expect(anyCovers(['essential'], 'essential.service.operations.support')).toBe(true);
    expect(isPersonal('system.operations')).toBe(false);
    expect(isPersonal('user.unique_id')).toBe(true);
  });
});

describe('policy packs', () => {
  it('load and validate for every POLICY_PACK value', () => {
    for (const name of POLICY_PACKS) {
      const pack = loadPolicyPack(name);
      expect(pack.name).toBe(name);
      expect(pack.file.grants.length).toBeGreaterThan(0);
      for (const grant of pack.file.grants) expect(grant.source.length).toBeGreaterThan(3);
    }
  });

  it('cite the seed clause for deepailab rules', () => {
    const pack = loadPolicyPack('deepailab');
    expect(pack.retentionFor('user.content.private.ai_prompt').max?.days).toBe(90);
    // 003 §6 "at least 7 years": a legal-hold floor, not a maximum.
    expect(pack.retentionFor('user.financial.credit_card')).toMatchObject({ max: null, floor: { days: 2557, kind: 'floor' } });
    expect(pack.file.retention.find((r) => r.category === 'user.content.private')?.source).toMatch(/^003 §6/);
    expect(pack.file.minimumAge).toEqual({ age: 16, source: expect.stringMatching(/^003 §10/) });
    expect(pack.needsConsent('train_ai_system')).toBe(true);
    expect(pack.needsConsent('essential.service')).toBe(false);
  });
});
