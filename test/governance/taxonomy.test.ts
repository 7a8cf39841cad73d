import { describe, expect, it } from 'vitest';
import { CATEGORIES, PURPOSES, anyCovers, covers, isCategory, isPersonal, isPurpose, lineage } from '../../src/governance/taxonomy/index.js';
import { loadPolicyPack } from '../../src/governance/packs/index.js';
import { POLICY_PACKS } from '../../src/config.js';

describe('taxonomy', () => {
  it('holds the categories and purposes of DESIGN.md, closed under parents', () => {
    for (const c of ['user.contact.email', 'user.content.private.ai_prompt', 'user.content.private.agent_instruction', 'user.biometric.voice', 'user.childrens', 'system.operations']) expect(isCategory(c)).toBe(true);
    for (const p of ['essential.service.operations.support', 'essential.legal_obligation', 'train_ai_system', 'third_party_sharing']) expect(isPurpose(p)).toBe(true);
    for (const key of [...CATEGORIES, ...PURPOSES]) for (const parent of lineage(key)) expect(CATEGORIES.has(parent) || PURPOSES.has(parent)).toBe(true);
    expect(isCategory('user.contact.emial')).toBe(false);
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
    expect(pack.retentionDays('user.content.private.ai_prompt')).toBe(90);
    expect(pack.file.retention.find((r) => r.category === 'user.content.private')?.source).toMatch(/^003 §6/);
    expect(pack.file.minimumAge).toEqual({ age: 16, source: expect.stringMatching(/^003 §10/) });
    expect(pack.needsConsent('train_ai_system')).toBe(true);
    expect(pack.needsConsent('essential.service')).toBe(false);
  });
});
