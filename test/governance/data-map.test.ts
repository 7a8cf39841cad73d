import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { governedFieldsOf } from '../../src/governance/index.js';
import { DataMapDocument, PolicyDocument, TaxonomyDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url });
});
afterAll(() => t.close());

describe('data map and introspection', () => {
  it('lists every classified field with its category, purposes, retention and strategy', async () => {
    const res = await t.execute(DataMapDocument, {}, { token: await t.token('dana', 'demo', ['developer']) });
    expect(res.errors).toBeUndefined();
    const entries = res.data!.dataMap;
    expect(entries).toHaveLength(governedFieldsOf(t.gateway.schema).size);
    expect(entries).toContainEqual({
      type: 'User', field: 'email', category: 'user.contact.email', purposes: ['essential', 'marketing.communications'], declaredPurposes: ['essential', 'marketing.communications'], purposesSource: null, retention: null, retentionSource: null, retentionFloor: null, retentionFloorSource: null, strategy: 'mask',
      categoryEntry: { name: 'User Contact Email', description: "User's contact email address.", origin: 'FIDESLANG', fideslangVersion: '2.0.0' },
      purposeEntries: [{ key: 'essential', name: 'Essential' }, { key: 'marketing.communications', name: 'Marketing Communications' }],
    });
    // A govgate extension says so, under fideslang's own parent.
    expect(entries.find((e) => e.type === 'Conversation' && e.field === 'title')?.categoryEntry).toEqual({
      name: 'AI Prompt (govgate)', description: expect.any(String), origin: 'GOVGATE', fideslangVersion: null,
    });
    expect(entries.find((e) => e.type === 'Message' && e.field === 'content')).toMatchObject({ retention: 'P90D', retentionSource: expect.stringMatching(/^003 §6/) });
  });

  it('serves the taxonomy as data: fideslang keys with their version, extensions marked, replaced keys with successors', async () => {
    const res = await t.execute(TaxonomyDocument, {}, { token: await t.token('dana', 'demo', ['developer']) });
    expect(res.errors).toBeUndefined();
    const { categories, purposes, replaced } = res.data!.taxonomy;
    expect(categories).toContainEqual({ key: 'user.location.coarse', parent: 'user.location', name: 'Coarse Subject Location', description: 'Coarse location derived from sensors (more than 500M).', fideslangVersion: '3.2.0', origin: 'FIDESLANG' });
    expect(categories).toContainEqual(expect.objectContaining({ key: 'user.content.private.ai_output', parent: 'user.content.private', origin: 'GOVGATE', fideslangVersion: null }));
    expect(categories.map((c) => c.key)).not.toContain('user.location.imprecise');
    expect(purposes).toContainEqual(expect.objectContaining({ key: 'essential.legal_obligation', parent: 'essential', name: 'Essential Legal Obligation' }));
    expect(replaced).toContainEqual({ key: 'user.childrens', replacedBy: 'user.children', since: 'fideslang 3.2.0' });
  });

  it('shows the active policy', async () => {
    const res = await t.execute(PolicyDocument, {}, { token: await t.token('dana', 'demo', ['developer']) });
    expect(res.data?.policy).toEqual({
      pack: 'deepailab', version: '003-2025.1', purposesRequiringConsent: expect.arrayContaining(['train_ai_system', 'marketing.communications']), minimumAge: 16,
      consentPurposes: expect.arrayContaining([{ purpose: 'train_ai_system', version: '003-2025.1', source: expect.stringMatching(/^003 §3/), name: 'Train AI System' }]),
      objectablePurposes: expect.arrayContaining([{ purpose: 'analytics', source: expect.stringMatching(/^003 §7 Objection/) }]),
      guardian: { mode: 'none', belowAge: null, source: expect.stringMatching(/^003 §10/) },
      admittedBand: null,
    });
  });

  it('is closed to anonymous callers', async () => {
    const res = await t.execute(DataMapDocument, {});
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('puts each field\'s governance in its introspected description and the printed SDL', async () => {
    const res = await t.post({ query: '{ __type(name: "User") { fields { name description } } }' }, { token: await t.token('dana', 'demo', ['developer']) });
    const body = (await res.json()) as { data: { __type: { fields: { name: string; description: string }[] } } };
    const email = body.data.__type.fields.find((f) => f.name === 'email');
    expect(email?.description).toContain('Governance: category `user.contact.email`');
    const sdl = await readFile(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(sdl).toContain('email: String @governed(category: "user.contact.email", purposes: ["essential", "marketing.communications"], strategy: "mask")');
  });
});
