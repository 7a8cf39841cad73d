/**
 * PRIVATE (004 §4.4 "encrypted ... only decrypted when you choose to make them public", §8.4):
 * under a pack with `privateContent`, a PRIVATE gallery image's prompt, image and owner are the
 * owner's alone — another user, support and an ml_engineer holding the owner's consent get
 * nothing, and the audit records PRIVATE; once PUBLIC, others see what their grants allow. The
 * visibility is sealed: flipping it in the database releases nothing. The pack is a test pack
 * (POLICY_DIR of its own) that promises what 004 does, with a public gallery for users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { galleryImageModel } from '../../src/features/gallery/index.js';
import { CreateGalleryImageDocument, ExplainDecisionDocument, GalleryImageDocument, GrantConsentDocument, MyGalleryImagesDocument, RegisterAccountDocument, SetGalleryImageVisibilityDocument } from '../generated/graphql.js';
import { auditedReasons, auditEventsOf } from '../helpers/audited.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { policyDir, shippedPack } from '../helpers/policy-dir.js';
import { redactionAt } from '../helpers/redactions.js';

const tenant = 'artco';
const PROMPT = 'canary-prompt: a fox in a lighthouse, oil on canvas';
const URL = 'https://cdn.example.test/gallery/canary-fox.png';

let t: TestGateway;
let alice: string;
let imageId: string;

async function hartsyPack(): Promise<Record<string, unknown>> {
  const base = await shippedPack('base');
  return {
    name: 'hartsy',
    extends: 'base',
    version: 'test-004',
    source: 'test pack: the gallery clauses of seeds/004',
    grants: [
      ...(base.grants as Record<string, unknown>[]),
      {
        role: 'user',
        scope: 'tenant',
        categories: ['user.content.private.generated_media'],
        purposes: ['essential.service'],
        source: '004 §8.4: images their creators made public are shown in the gallery',
        legalBasis: { basis: 'contract', source: '004 §8.4: showing the public gallery is the service' },
      },
    ],
    privateContent: { categories: ['user'], source: '004 §4.4: gallery images stay encrypted until you choose to make them public' },
  };
}

const read = async (sub: string, roles: string[], id = imageId) => t.execute(GalleryImageDocument, { id }, { token: await t.token(sub, tenant, roles) });

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url, env: { POLICY_DIR: await policyDir({ packs: { hartsy: await hartsyPack() } }), POLICY_PACK: 'hartsy' } });
  alice = await t.token('alice', tenant, ['user']);
  const registered = await t.execute(RegisterAccountDocument, { input: { displayName: 'Alice Art', email: 'alice@example.com', birthDate: '1990-04-12', country: 'FR' } }, { token: alice });
  expect(registered.errors).toBeUndefined();
  // The ml_engineer below holds the owner's consent: privacy, not consent, is what keeps it out.
  expect((await t.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token: alice })).errors).toBeUndefined();
  const created = await t.execute(CreateGalleryImageDocument, { prompt: PROMPT, imageUrl: URL }, { token: alice });
  expect(created.errors).toBeUndefined();
  imageId = created.data!.createGalleryImage.id;
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('a private image', () => {
  it('is private by default and its owner reads all of it', async () => {
    const res = await t.execute(GalleryImageDocument, { id: imageId }, { token: alice });
    expect(res.data!.galleryImage).toMatchObject({ prompt: PROMPT, imageUrl: URL, visibility: 'PRIVATE', owner: { id: 'alice' } });
    const mine = await t.execute(MyGalleryImagesDocument, {}, { token: alice });
    expect(mine.data!.myGalleryImages.map((i) => i.prompt)).toEqual([PROMPT]);
  });

  it('gives another user, support and a consented ml_engineer nothing; the audit records PRIVATE', async () => {
    for (const [sub, roles, reason] of [
      ['kim', ['user'], 'PRIVATE'],
      ['mia', ['ml_engineer'], 'PRIVATE'],
      ['sam', ['support'], 'ROLE'],
    ] as const) {
      const res = await read(sub, [...roles]);
      expect(res.errors, sub).toBeUndefined();
      expect(res.data!.galleryImage, sub).toMatchObject({ id: imageId, prompt: null, imageUrl: null, owner: null });
      expect(JSON.stringify(res), sub).not.toMatch(/canary|alice/);
      expect(redactionAt(res, ['galleryImage', 'prompt'])?.reason, sub).toBe(reason);
      expect(await auditedReasons(t, tenant, sub, res, 'GalleryImage.prompt'), sub).toEqual([reason]);
      expect(await auditedReasons(t, tenant, sub, res, 'GalleryImage.imageUrl'), sub).toEqual([reason]);
    }
  });

  it('explainDecision names PRIVATE as a fact of the value: every subject-level check passes, the private-content step decides', async () => {
    const res = await read('kim', ['user']);
    const auditId = (res.extensions?.governance as { auditId: string }).auditId;
    const explained = await t.execute(ExplainDecisionDocument, { auditId, coordinate: 'GalleryImage.prompt', subject: 'alice' }, { token: await t.token('olga', tenant, ['compliance_officer']) });
    expect(explained.errors).toBeUndefined();
    const x = explained.data!.explainDecision;
    expect(x).toMatchObject({ reason: 'PRIVATE', consistent: true, recomputedDecision: 'ALLOW' });
    expect(x.steps.filter((s) => s.outcome === 'STOP')).toEqual([]);
    expect(x.steps.find((s) => s.check === 'private content')).toMatchObject({ outcome: 'UNKNOWN', source: expect.stringMatching(/004/) });
  });

  it('can be made public by its owner only; another user\'s attempt looks like a missing image', async () => {
    const byKim = await t.execute(SetGalleryImageVisibilityDocument, { id: imageId, visibility: 'PUBLIC' }, { token: await t.token('kim', tenant, ['user']) });
    const missing = await t.execute(SetGalleryImageVisibilityDocument, { id: '0190aaaa-0000-7000-8000-000000000000', visibility: 'PUBLIC' }, { token: alice });
    expect(byKim.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(byKim.errors![0]!.message).toBe(missing.errors![0]!.message);
    expect((await read('kim', ['user'])).data!.galleryImage!.prompt).toBeNull();
  });
});

describe('a public image', () => {
  it('is seen per grants: the gallery grant shows it to users, support stays out, the consented ml_engineer may train on it', async () => {
    const made = await t.execute(SetGalleryImageVisibilityDocument, { id: imageId, visibility: 'PUBLIC' }, { token: alice });
    expect(made.data!.setGalleryImageVisibility.visibility).toBe('PUBLIC');

    const kim = await read('kim', ['user']);
    expect(kim.data!.galleryImage).toMatchObject({ prompt: PROMPT, imageUrl: URL, visibility: 'PUBLIC' });
    // The owner's identity is not part of the gallery grant.
    expect(redactionAt(kim, ['galleryImage', 'owner'])?.reason).toBe('ROLE');
    expect((await read('mia', ['ml_engineer'])).data!.galleryImage!.prompt).toBe(PROMPT);
    const sam = await read('sam', ['support']);
    expect(sam.data!.galleryImage!.prompt).toBeNull();
    expect(redactionAt(sam, ['galleryImage', 'prompt'])?.reason).toBe('ROLE');
  });

  it('is private again once its owner says so', async () => {
    await t.execute(SetGalleryImageVisibilityDocument, { id: imageId, visibility: 'PRIVATE' }, { token: alice });
    const kim = await read('kim', ['user']);
    expect(kim.data!.galleryImage).toMatchObject({ prompt: null, visibility: 'PRIVATE' });
    expect(await auditedReasons(t, tenant, 'kim', kim, 'GalleryImage.prompt')).toEqual(['PRIVATE']);
  });

  it('created under a model-improvement opt-out, it is never released for training, public or not', async () => {
    const created = await t.execute(CreateGalleryImageDocument, { prompt: 'canary-opted-out', imageUrl: 'gallery/opted-out.png' }, { token: alice, headers: { 'x-mip-opt-out': 'true' } });
    const id = created.data!.createGalleryImage.id;
    await t.execute(SetGalleryImageVisibilityDocument, { id, visibility: 'PUBLIC' }, { token: alice });
    expect((await read('kim', ['user'], id)).data!.galleryImage!.prompt).toBe('canary-opted-out');
    const mia = await read('mia', ['ml_engineer'], id);
    expect(mia.data!.galleryImage!.prompt).toBeNull();
    expect(await auditedReasons(t, tenant, 'mia', mia, 'GalleryImage.prompt')).toEqual(['OPTED_OUT']);
  });
});

describe('against a database writer and bad input', () => {
  it('a visibility flipped in the database releases nothing, and the owner\'s next change is refused rather than re-sealed', async () => {
    const created = await t.execute(CreateGalleryImageDocument, { prompt: 'canary-tampered', imageUrl: 'gallery/tampered.png' }, { token: alice });
    const id = created.data!.createGalleryImage.id;
    await galleryImageModel(t.connection).collection.updateOne({ _id: id as never }, { $set: { visibility: 'PUBLIC' } });
    const kim = await read('kim', ['user'], id);
    expect(kim.data!.galleryImage).toMatchObject({ prompt: null, visibility: 'PRIVATE' });
    expect(await auditedReasons(t, tenant, 'kim', kim, 'GalleryImage.prompt')).toEqual(['PRIVATE']);
    const change = await t.execute(SetGalleryImageVisibilityDocument, { id, visibility: 'PRIVATE' }, { token: alice });
    expect(change.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('refuses an image location that is neither an https URL nor an object key, without echoing it', async () => {
    for (const imageUrl of ['javascript:alert(4242)', 'http://plain.example.test/4242.png', '../../etc/4242']) {
      const res = await t.execute(CreateGalleryImageDocument, { prompt: 'p', imageUrl }, { token: alice });
      expect(res.errors?.[0]?.extensions?.code, imageUrl).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res.errors), imageUrl).not.toContain('4242');
    }
  });

  it('audits createGalleryImage and setGalleryImageVisibility with their INTENT first', async () => {
    for (const operation of ['CreateGalleryImage', 'SetGalleryImageVisibility']) {
      const events = await auditEventsOf(t, tenant, 'alice', operation);
      const served = events.find((e) => e.outcome === 'SERVED');
      expect(events.find((e) => e.id === served?.intent), operation).toMatchObject({ outcome: 'INTENT', accesses: [`Mutation.${operation[0]!.toLowerCase()}${operation.slice(1)}`] });
    }
  });
});
