/**
 * explainDecision (deepailab): recorded traffic of an ml_engineer over subjects in every state the
 * decision order knows, then each recorded decision explained — its stopping step names the reason
 * the audit recorded, the facts are the subject's state *at the time* (a later change does not
 * rewrite history), and the engine's reconstruction agrees. An event edited in the database is
 * reported, and explanations of others' data are for compliance officers only.
 */
import { decisionsOf, subjectsOfDecision, type AuditEventDoc } from '../../src/audit/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddMessageDocument,
  ExplainDecisionDocument,
  GrantConsentDocument,
  ObjectToProcessingDocument,
  RegisterAccountDocument,
  RestrictProcessingDocument,
  StartConversationDocument,
  UsersWithContentDocument,
  WithdrawConsentDocument,
  type ExplainDecisionQuery,
} from '../generated/graphql.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../helpers/gateway.js';
import { subjectRef } from '../helpers/subject-ref.js';

const tenant = 'xd';
const YEAR = 365.25 * 86_400_000;
let t: TestGateway;
let auditId: string;
let officer: string;
/** The reason each subject's content got, from the stored event (the oracle: what was recorded). */
const recorded = new Map<string, { coordinate: string; decision: string; reason: string | null }>();

async function register(subject: string, birthDate = '1988-02-03'): Promise<string> {
  const token = await t.token(subject, tenant, ['user']);
  const res = await t.execute(RegisterAccountDocument, { input: { displayName: `${subject} X`, email: `${subject}@example.com`, birthDate, country: 'DE' } }, { token });
  expect(res.errors).toBeUndefined();
  return token;
}

async function say(token: string, content: string, headers?: Record<string, string>): Promise<void> {
  const started = await t.execute(StartConversationDocument, { title: 'chat' }, { token, ...(headers ? { headers } : {}) });
  expect(started.errors).toBeUndefined();
  const added = await t.execute(AddMessageDocument, { conversationId: started.data!.startConversation.id, role: 'USER', content }, { token, ...(headers ? { headers } : {}) });
  expect(added.errors).toBeUndefined();
}

const explain = (subject: string, coordinate: string, token = officer): Promise<GraphQLResponse<ExplainDecisionQuery>> =>
  t.execute(ExplainDecisionDocument, { auditId, coordinate, subject }, { token });

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url, env: { POLICY_PACK: 'deepailab' } });
  officer = await t.token('olga', tenant, ['compliance_officer']);
  const ok = await register('ok');
  await t.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token: ok });
  await say(ok, 'ok content');
  await say(await register('nocon'), 'nocon content');
  const res = await register('res');
  await t.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token: res });
  await say(res, 'res content');
  await t.execute(RestrictProcessingDocument, { restricted: true }, { token: res });
  const obj = await register('obj');
  await t.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token: obj });
  await say(obj, 'obj content');
  await t.execute(ObjectToProcessingDocument, { purpose: 'train_ai_system' }, { token: obj });
  const kid = await register('kid', new Date(Date.now() - 17 * YEAR).toISOString().slice(0, 10));
  await t.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token: kid });
  await say(kid, 'kid content');
  const opt = await register('opt');
  await t.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token: opt });
  await say(opt, 'opt content', { 'x-mip-opt-out': 'true' });
  const old = await register('old');
  await t.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token: old });
  await say(old, 'old content');
  // Old content: its records were created 100 days ago (deepailab keeps user.content.private 90 days).
  const longAgo = new Date(Date.now() - 100 * 86_400_000);
  for (const name of ['conversations', 'messages']) await t.connection.db!.collection(name).updateMany({ tenant, owner: 'old' }, { $set: { createdAt: longAgo } });

  // The recorded traffic: one ml_engineer read of everyone's content for training.
  const read = await t.execute(UsersWithContentDocument, { first: 50 }, { token: await t.token('mia', tenant, ['ml_engineer']) });
  expect(read.errors).toBeUndefined();
  auditId = (read.extensions?.governance as { auditId: string }).auditId;
  const event = await t.connection.db!.collection('audit_events').findOne({ _id: auditId as never });
  for (const subject of ['ok', 'nocon', 'res', 'obj', 'kid', 'opt', 'old']) {
    const ref = await subjectRef(t.connection, tenant, subject);
    // The deepest content decision recorded for the subject: the message, else its conversation, else the list.
    const mine = decisionsOf(event as unknown as AuditEventDoc).filter((d) => d.subjects.includes(ref));
    const pick = ['Message.content', 'Conversation.title', 'User.conversations'].map((c) => mine.find((d) => d.coordinate === c && d.reason !== null) ?? (c === 'Message.content' ? mine.find((d) => d.coordinate === c) : undefined)).find(Boolean);
    recorded.set(subject, pick!);
  }
});
afterAll(() => t?.close());

const EXPECTED: Record<string, string | null> = { ok: null, nocon: 'CONSENT', res: 'RESTRICTED', obj: 'OBJECTED', kid: 'MINOR', opt: 'OPTED_OUT', old: 'RETENTION' };

describe('explainDecision', () => {
  it('the recorded traffic holds every reason the test set up', () => {
    expect(Object.fromEntries([...recorded].map(([s, d]) => [s, d.reason]))).toEqual(EXPECTED);
  });

  for (const [subject, reason] of Object.entries(EXPECTED)) {
    it(`explains ${reason ?? 'a release'} (${subject}): the deciding step, its clause, and a consistent reconstruction`, async () => {
      const { coordinate, decision } = recorded.get(subject)!;
      const res = await explain(subject, coordinate);
      expect(res.errors).toBeUndefined();
      const x = res.data!.explainDecision;
      expect(x).toMatchObject({ auditId, coordinate, purpose: 'train_ai_system', decision, reason, decidedBy: `deepailab@${t.gateway.pack.version}`, consistent: true, mismatch: null });
      const steps = x.steps;
      expect(steps.map((s) => s.order)).toEqual(steps.map((_, i) => i + 1));
      if (reason === 'RETENTION' || reason === 'OPTED_OUT') {
        // Facts of the value (its age, its opt-out flag) are not in the audit: every subject-level check passed, the value's step is UNKNOWN.
        expect(steps.filter((s) => s.outcome === 'STOP')).toEqual([]);
        expect(steps.find((s) => s.check === (reason === 'RETENTION' ? 'retention' : 'opt-out'))).toMatchObject({ outcome: 'UNKNOWN', source: expect.any(String) });
        expect(x.recomputedDecision).toBe('ALLOW');
      } else if (reason === null) {
        expect(steps.filter((s) => s.outcome === 'STOP')).toEqual([]);
        expect(steps.find((s) => s.check === 'consent')).toMatchObject({ outcome: 'PASS', source: expect.stringMatching(/003 §3/) });
        expect(x.recomputedDecision).toBe('ALLOW');
      } else {
        const stop = steps.find((s) => s.outcome === 'STOP')!;
        expect(stop.reason).toBe(reason);
        expect(stop.source).toEqual(expect.any(String));
        expect(x.recomputedReason).toBe(reason);
      }
    });
  }

  it("uses the subject's state as it was: a later withdrawal does not change the explanation of an earlier release", async () => {
    const ok = await t.token('ok', tenant, ['user']);
    const before = (await explain('ok', recorded.get('ok')!.coordinate)).data!.explainDecision;
    const consentId = (before.steps.find((s) => s.check === 'consent')!.facts as { consentId: string }).consentId;
    expect(consentId).toEqual(expect.any(String));
    expect((await t.execute(WithdrawConsentDocument, { purpose: 'train_ai_system' }, { token: ok })).errors).toBeUndefined();
    expect((await t.execute(RestrictProcessingDocument, { restricted: true }, { token: ok })).errors).toBeUndefined();
    const after = (await explain('ok', recorded.get('ok')!.coordinate)).data!.explainDecision;
    expect(after).toMatchObject({ consistent: true, decision: 'ALLOW' });
    expect((after.steps.find((s) => s.check === 'consent')!.facts as { consentId: string }).consentId).toBe(consentId);
    expect(after.steps.find((s) => s.check === 'restriction')).toMatchObject({ outcome: 'PASS' });
  });

  it('reports an event edited in the database: the hash no longer matches, and no signed head vouches for it', async () => {
    const events = t.connection.db!.collection('audit_events');
    const original = await events.findOne({ _id: auditId as never });
    const ref = await subjectRef(t.connection, tenant, 'nocon');
    const stored = original as unknown as AuditEventDoc;
    const decisions = stored.decisions.map((d) => (subjectsOfDecision(stored, d).includes(ref) && d.reason === 'CONSENT' ? { ...d, decision: 'ALLOW', reason: null } : d));
    await events.updateOne({ _id: auditId as never }, { $set: { decisions } });
    try {
      const x = (await explain('nocon', recorded.get('nocon')!.coordinate)).data!.explainDecision;
      expect(x.decision).toBe('ALLOW');
      expect(x.consistent).toBe(false);
      expect(x.mismatch).toMatch(/not authenticated/);
      expect(x.notes!.join(' ')).toMatch(/does not match its hash/);
    } finally {
      await events.replaceOne({ _id: auditId as never }, original!);
    }
  });

  it("is the subject's for their own data and a compliance officer's for anyone's; others are refused without learning anything", async () => {
    const own = await explain('nocon', recorded.get('nocon')!.coordinate, await t.token('nocon', tenant, ['user']));
    expect(own.errors).toBeUndefined();
    expect(own.data!.explainDecision.reason).toBe('CONSENT');
    const other = await explain('nocon', recorded.get('nocon')!.coordinate, await t.token('ok', tenant, ['user']));
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const elsewhere = await t.execute(ExplainDecisionDocument, { auditId, coordinate: 'Message.content', subject: 'nocon' }, { token: await t.token('olga', 'another', ['compliance_officer']) });
    expect(elsewhere.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const missing = await t.execute(ExplainDecisionDocument, { auditId: 'nope', coordinate: 'Message.content', subject: 'nocon' }, { token: officer });
    expect(missing.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(missing)).not.toContain('nope');
  });
});
