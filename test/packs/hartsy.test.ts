/** Clauses of seed 004 (Hartsy AI art gallery, GDPR) under the shipped `hartsy` pack. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateGalleryImageDocument, GalleryImageDocument, PolicyFactsDocument, RegisterAccountDocument, SetGalleryImageVisibilityDocument } from '../generated/graphql.js';
import { packHarness, reasonsAt, type PackHarness } from './pack-harness.js';

let h: PackHarness;
let imageId: string;
beforeAll(async () => {
  h = await packHarness('hartsy', import.meta.url);
  const artist = (await h.subject('ari', 'canary-ari-chat')).token;
  const created = await h.t.execute(CreateGalleryImageDocument, { prompt: 'canary-secret-prompt', imageUrl: 'https://cdn.example.com/ari/1.png' }, { token: artist });
  expect(created.errors).toBeUndefined();
  imageId = created.data!.createGalleryImage.id;
  await h.subject('ben', 'canary-ben-chat');
});
afterAll(() => h.close());

const imageAs = async (sub: string, roles: string[]) => h.t.execute(GalleryImageDocument, { id: imageId }, { token: await h.as(sub, roles) });

describe('seed 004 (hartsy)', () => {
  it('004 §4.4, §8.4: a gallery image is private by default: only its owner sees it', async () => {
    expect((await imageAs('ari', ['user'])).data?.galleryImage?.prompt).toBe('canary-secret-prompt');
    for (const [sub, roles] of [['ben', ['user']], ['sue', ['support']], ['mo', ['ml_engineer']], ['svc', ['service']]] as const) {
      const res = await imageAs(sub, [...roles]);
      expect(JSON.stringify(res.data), sub).not.toContain('canary-secret-prompt');
    }
    expect(reasonsAt((await imageAs('ben', ['user'])).extensions, ['galleryImage', 'prompt'])).toEqual(['PRIVATE']);
  });

  it('004 §8.4: once its owner makes it public, other users see it in the gallery', async () => {
    const made = await h.t.execute(SetGalleryImageVisibilityDocument, { id: imageId, visibility: 'PUBLIC' }, { token: await h.as('ari', ['user']) });
    expect(made.errors).toBeUndefined();
    expect((await imageAs('ben', ['user'])).data?.galleryImage?.imageUrl).toBe('https://cdn.example.com/ari/1.png');
    // Public is not consent: training on it still needs the artist's explicit consent (004 §5.4, §6.4).
    expect(JSON.stringify((await imageAs('mo', ['ml_engineer'])).data)).not.toContain('canary-secret-prompt');
  });

  it('004 §9.1: not for users under 13; from 13 users register on their own', async () => {
    const register = async (sub: string, birthDate: string) =>
      h.t.execute(RegisterAccountDocument, { input: { displayName: sub, email: `${sub}@example.com`, birthDate, country: 'US' } }, { token: await h.as(sub, ['user']) });
    const twelve = new Date();
    twelve.setUTCFullYear(twelve.getUTCFullYear() - 12);
    const fourteen = new Date();
    fourteen.setUTCFullYear(fourteen.getUTCFullYear() - 14);
    expect((await register('young', twelve.toISOString().slice(0, 10))).errors?.[0]?.extensions?.code).toBe('AGE_RESTRICTED');
    expect((await register('teen', fourteen.toISOString().slice(0, 10))).errors).toBeUndefined();
  });

  it('004 §4.2, §7.1: policy states the breach response and the service-provider kinds it names', async () => {
    const facts = (await h.t.execute(PolicyFactsDocument, {}, { token: await h.as('ari', ['user']) })).data!.policy.facts;
    expect(facts.breachNotice).toMatch(/containment, user notification and regulatory compliance/);
    expect(facts.subProcessors.map((s) => s.purpose)).toEqual(['payment processing', 'analytics']);
    expect(facts.lastUpdated).toBe('2024-01-03');
  });
});
