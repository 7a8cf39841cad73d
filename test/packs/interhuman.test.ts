/** Clauses of seed 001 (Interhuman AI, a processor under GDPR) under the shipped `interhuman` pack. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectToProcessingDocument, RecordFactsDocument, UserWithContentDocument } from '../generated/graphql.js';
import { packHarness, type PackHarness } from './pack-harness.js';

let h: PackHarness;
beforeAll(async () => {
  h = await packHarness('interhuman', import.meta.url);
  await h.subject('nils', 'canary-nils-video-notes');
  await h.subject('mia', 'canary-mia-opted-out', { headers: { 'x-mip-opt-out': 'true' } });
  await h.consent('mia', 'train_ai_system');
  await h.subject('ole', 'canary-ole-in-mip');
  await h.consent('ole', 'train_ai_system');
});
afterAll(() => h.close());

const trainingView = async (id: string) =>
  JSON.stringify((await h.t.execute(UserWithContentDocument, { id }, { token: await h.as('mlops', ['ml_engineer']) })).data);

describe('seed 001 (interhuman)', () => {
  it('001 §5.1.7, §7.1–7.4: data is used for training only with explicit opt-in consent', async () => {
    expect(await trainingView('nils')).not.toContain('canary-nils-video-notes');
    expect(await trainingView('ole')).toContain('canary-ole-in-mip');
  });

  it('001 §7.5: requests made with mip_opt_out are never used for training, consent or not', async () => {
    expect(await trainingView('mia')).not.toContain('canary-mia-opted-out');
  });

  it('001 §5.1: the User may object to 5.1.2–5.1.5 (security, improvement, marketing), not to providing the service', async () => {
    const token = await h.as('nils', ['user']);
    for (const purpose of ['essential.service.security', 'functional.service.improve', 'marketing.communications']) {
      const res = await h.t.execute(ObjectToProcessingDocument, { purpose }, { token });
      expect(res.errors, purpose).toBeUndefined();
    }
    const refused = await h.t.execute(ObjectToProcessingDocument, { purpose: 'essential.service' }, { token });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('001 §1.1, §5.3: the record names Interhuman AI ApS as a processor, under Danish law', async () => {
    const res = await h.t.execute(RecordFactsDocument, { article: 'PROCESSOR' }, { token: await h.as('cora', ['compliance_officer']) });
    const { facts, markdown } = res.data!.recordOfProcessing;
    expect(facts).toMatchObject({ role: 'processor', controllerName: 'Interhuman AI ApS', framework: 'GDPR', country: 'DK' });
    expect(facts.controllerAddress).toContain('Copenhagen');
    expect(markdown).toContain('Processor: Interhuman AI ApS');
    // 001 names no sub-processors: the record says so rather than inventing any.
    expect(facts.subProcessors).toEqual([]);
    expect(markdown).toContain("none named by the pack's document");
  });
});
