/** Clauses of seed 003 (DeepAILab, GDPR) under the shipped `deepailab` pack. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataMapDocument, PolicyFactsDocument, RecordFactsDocument, RegisterAccountDocument, UserWithContentDocument } from '../generated/graphql.js';
import { packHarness, reasonsAt, type PackHarness } from './pack-harness.js';

let h: PackHarness;
beforeAll(async () => {
  h = await packHarness('deepailab', import.meta.url);
  await h.subject('dora', 'canary-dora-chat');
});
afterAll(() => h.close());

describe('seed 003 (deepailab)', () => {
  it('003 §10: under 16 is refused whatever a guardian says', async () => {
    const res = await h.t.execute(
      RegisterAccountDocument,
      { input: { displayName: 'Teen', email: 'teen@example.com', birthDate: '2012-01-01', country: 'DE', guardian: { name: 'P', email: 'p@example.com', consent: true } } },
      { token: await h.as('teen', ['user']) },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('AGE_RESTRICTED');
  });

  it('003 §6: transaction records are kept at least 7 years (a floor, never a maximum); conversations 90 days; logs 12 months', async () => {
    const map = (await h.t.execute(DataMapDocument, {}, { token: await h.as('dora', ['user']) })).data!.dataMap;
    const at = (type: string, field: string) => map.find((e) => e.type === type && e.field === field)!;
    expect(at('Transaction', 'amount')).toMatchObject({ retention: null, retentionFloor: 'P2557D' });
    expect(at('Message', 'content')).toMatchObject({ retention: 'P90D' });
    expect(at('ApiUsageRecord', 'operation').retention).toBe('P365D');
  });

  it('003 §3: training on conversations needs explicit consent', async () => {
    const res = await h.t.execute(UserWithContentDocument, { id: 'dora' }, { token: await h.as('ml', ['ml_engineer']) });
    expect(JSON.stringify(res.data)).not.toContain('canary-dora-chat');
  });

  it('003 §3: analysts work on anonymised aggregates, not records', async () => {
    const res = await h.t.execute(UserWithContentDocument, { id: 'dora' }, { token: await h.as('ana', ['analyst']) });
    expect(res.data?.user?.country).toBeNull();
    expect(reasonsAt(res.extensions, ['user', 'country'])).toEqual(['ROLE']);
  });

  it('003 §12, §13: policy names the privacy contact and the DPO', async () => {
    const facts = (await h.t.execute(PolicyFactsDocument, {}, { token: await h.as('dora', ['user']) })).data!.policy.facts;
    expect(facts).toMatchObject({ controllerContact: 'privacy@deepailab.ai', dpoContact: 'dpo@deepailab.ai', framework: 'GDPR' });
  });

  it('003 §9: the record lists Standard Contractual Clauses for transfers', async () => {
    const record = (await h.t.execute(RecordFactsDocument, {}, { token: await h.as('cora', ['compliance_officer']) })).data!.recordOfProcessing;
    expect(record.transfers).toContain('safeguard: Standard Contractual Clauses');
  });
});
