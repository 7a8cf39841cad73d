/**
 * explainDecision for the reasons that stop before consent or rest on erasure: ROLE (no grant),
 * PURPOSE (the field does not serve the declared purpose) and ERASED (an erasure pending under a
 * pack with a grace period). Each explanation's deciding step names the recorded reason and the
 * engine's reconstruction agrees.
 */
import { decisionsOf, type AuditEventDoc } from '../../src/audit/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EraseMyAccountDocument, ExplainDecisionDocument, GrantConsentDocument, MeDocument, RegisterAccountDocument, UserDocument } from '../generated/graphql.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../helpers/gateway.js';
import { policyDir } from '../helpers/policy-dir.js';
import { subjectRef } from '../helpers/subject-ref.js';

const tenant = 'xr';
let t: TestGateway;

async function register(subject: string): Promise<string> {
  const token = await t.token(subject, tenant, ['user']);
  const res = await t.execute(RegisterAccountDocument, { input: { displayName: `${subject} R`, email: `${subject}@example.com`, phone: '+33 6 12 34 56 78', birthDate: '1980-01-01', country: 'FR' } }, { token });
  expect(res.errors).toBeUndefined();
  return token;
}

/** The recorded decision of the request for (coordinate, subject), explained by a compliance officer. */
async function explainRecorded(res: GraphQLResponse<unknown>, coordinate: string, subject: string) {
  const auditId = (res.extensions?.governance as { auditId: string }).auditId;
  const ref = await subjectRef(t.connection, tenant, subject);
  const event = await t.connection.db!.collection('audit_events').findOne({ _id: auditId as never });
  const recorded = decisionsOf(event as unknown as AuditEventDoc).find((d) => d.coordinate === coordinate && d.subjects.includes(ref));
  const explained = await t.execute(ExplainDecisionDocument, { auditId, coordinate, subject }, { token: await t.token('olga', tenant, ['compliance_officer']) });
  expect(explained.errors).toBeUndefined();
  return { recorded: recorded!, x: explained.data!.explainDecision };
}

beforeAll(async () => {
  // deepailab with a grace period, so an erasure stays pending (decided as erased) for a while.
  const dir = await policyDir({ deepailab: (pack) => void ((pack.erasure as { graceDays: number }).graceDays = 14) });
  t = await startTestGateway({ name: import.meta.url, env: { POLICY_PACK: 'deepailab', POLICY_DIR: dir } });
});
afterAll(() => t?.close());

describe('explainDecision, the remaining reasons', () => {
  it('ROLE: a developer reading another user is stopped at the role grant', async () => {
    await register('rita');
    const res = await t.execute(UserDocument, { id: 'rita' }, { token: await t.token('dev', tenant, ['developer']) });
    const { recorded, x } = await explainRecorded(res, 'User.displayName', 'rita');
    expect(recorded.reason).toBe('ROLE');
    expect(x).toMatchObject({ reason: 'ROLE', consistent: true, recomputedReason: 'ROLE' });
    expect(x.steps.find((s) => s.outcome === 'STOP')).toMatchObject({ check: 'role grant', reason: 'ROLE' });
  });

  it('PURPOSE: the owner\'s phone under a purpose the field does not serve', async () => {
    const token = await register('paul');
    const res = await t.execute(MeDocument, {}, { token, headers: { 'x-purpose': 'marketing.communications' } });
    const { recorded, x } = await explainRecorded(res, 'User.phone', 'paul');
    expect(recorded.reason).toBe('PURPOSE');
    expect(x).toMatchObject({ reason: 'PURPOSE', consistent: true, recomputedReason: 'PURPOSE' });
    expect(x.steps.find((s) => s.outcome === 'STOP')).toMatchObject({ check: 'field purposes', reason: 'PURPOSE' });
  });

  it('ERASED: an account with its erasure pending is explained from the state history of that time', async () => {
    const token = await register('eve');
    await t.execute(GrantConsentDocument, { purpose: 'marketing.communications' }, { token });
    const erased = await t.execute(EraseMyAccountDocument, { confirm: true }, { token });
    expect(erased.data?.eraseMyAccount.status).toBe('PENDING');
    const res = await t.execute(UserDocument, { id: 'eve' }, { token: await t.token('olga', tenant, ['compliance_officer']) });
    const { recorded, x } = await explainRecorded(res, 'User.displayName', 'eve');
    expect(recorded.reason).toBe('ERASED');
    expect(x).toMatchObject({ reason: 'ERASED', consistent: true, recomputedReason: 'ERASED' });
    // The steps carry the subject's state, and a subject whose erasure is pending reads as erased to
    // everyone: the outcome and its check are shown, the state behind it is not.
    expect(x.steps).toEqual([]);
  });
});
