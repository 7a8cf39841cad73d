/**
 * Regressions from an attack on the running gateway (explainDecision, policyDryRun): a database
 * writer must not make an explanation or a dry-run tell a false story, and neither may leak what
 * the caller could not read.
 *  1. an event edited (or planted) with its own hash recomputed was explained as genuine;
 *  2. a state history entry copied under another date verified (its seal did not cover the date),
 *     and its seal was a valid seal for the account record itself (a rollback without a backup);
 *  3. explanations showed the subject's exact age;
 *  4. the dry-run replayed planted events and was cut at its event limit without saying so;
 *  5. errors about a draft quoted the draft's values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEvent, eventFromDoc, type AuditEventDoc } from '../../src/audit/index.js';
import { ExplainDecisionDocument, RegisterAccountDocument, RestrictProcessingDocument, UserDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { shippedPack } from '../helpers/policy-dir.js';

const tenant = 'xt';
let t: TestGateway;
let officer: string;
let auditId: string;
let since: Date;

const explain = (id: string, coordinate = 'User.displayName', subject = 'uli') => t.execute(ExplainDecisionDocument, { auditId: id, coordinate, subject }, { token: officer });
const events = () => t.connection.db!.collection<AuditEventDoc>('audit_events');
const history = () => t.connection.db!.collection('subject_state_history');

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url, env: { POLICY_PACK: 'deepailab' } });
  officer = await t.token('olga', tenant, ['compliance_officer']);
  since = new Date(Date.now() - 1000);
  const uli = await t.token('uli', tenant, ['user']);
  expect((await t.execute(RegisterAccountDocument, { input: { displayName: 'Uli Trust', email: 'uli@example.com', birthDate: '1991-03-04', country: 'DE' } }, { token: uli })).errors).toBeUndefined();
  expect((await t.execute(RestrictProcessingDocument, { restricted: true }, { token: uli })).errors).toBeUndefined();
  const read = await t.execute(UserDocument, { id: 'uli' }, { token: await t.token('sam', tenant, ['support']) });
  auditId = (read.extensions?.governance as { auditId: string }).auditId;
});
afterAll(() => t?.close());

describe('explanations a database writer cannot falsify', () => {
  it('the genuine event explains as RESTRICTED and consistent', async () => {
    const x = (await explain(auditId)).data!.explainDecision;
    expect(x).toMatchObject({ reason: 'RESTRICTED', consistent: true });
  });

  it('an event edited with its hash recomputed is not trusted', async () => {
    const original = (await events().findOne({ _id: auditId }))!;
    const changed = { ...original, actor: { ...original.actor, roles: ['compliance_officer'] }, purpose: 'essential.legal_obligation', decisions: original.decisions.map((d) => ({ ...d, decision: 'ALLOW' as const, reason: null })) };
    await events().replaceOne({ _id: auditId }, { ...changed, hash: hashEvent(eventFromDoc(changed)) });
    try {
      const x = (await explain(auditId)).data!.explainDecision;
      expect(x.consistent).toBe(false);
      expect(x.mismatch).toMatch(/not authenticated/);
    } finally {
      await events().replaceOne({ _id: auditId }, original);
    }
  });

  it('a planted event, hash and all, is not trusted', async () => {
    const original = (await events().findOne({ _id: auditId }))!;
    const { head: _head, ...rest } = { ...original, _id: '01a23788-ffff-7fff-8fff-ffffffffffff', chainId: 'planted:xt:0', seq: 99_999 };
    const planted: AuditEventDoc = { ...rest, hash: hashEvent(eventFromDoc(rest as AuditEventDoc)) };
    await events().insertOne(planted);
    try {
      const x = (await explain(planted._id)).data!.explainDecision;
      expect(x.consistent).toBe(false);
      expect(x.mismatch).toMatch(/not authenticated/);
    } finally {
      await events().deleteOne({ _id: planted._id });
    }
  });

  it('a state history entry copied under another date does not verify, and no entry seals an account record', async () => {
    const entries = await history().find({ tenant, subject: 'uli' }).sort({ at: 1 }).toArray();
    const [registered] = entries;
    const event = (await events().findOne({ _id: auditId }))!;
    // The pre-restriction state, re-dated to just before the decision.
    const copy = { ...registered!, _id: 'copied-history-entry', at: new Date(event.at.getTime() - 5) };
    await history().insertOne(copy as never);
    // ...and its seal written into the account with that state (a rollback).
    const users = t.connection.db!.collection('users');
    const account = (await users.findOne({ tenant, subject: 'uli' }))!;
    await users.updateOne({ tenant, subject: 'uli' }, { $set: { restricted: false, seal: registered!.seal } });
    try {
      const x = (await explain(auditId)).data!.explainDecision;
      expect(x).toMatchObject({ reason: 'RESTRICTED', consistent: true });
      expect(x.notes!.join(' ')).toMatch(/did not verify/);
      // The rolled-back account does not verify: decided as restricted, nothing released.
      const read = await t.execute(UserDocument, { id: 'uli' }, { token: await t.token('sam', tenant, ['support']) });
      expect(JSON.stringify(read.data)).not.toContain('Uli Trust');
    } finally {
      await history().deleteOne({ _id: 'copied-history-entry' as never });
      await users.replaceOne({ tenant, subject: 'uli' }, account);
    }
  });

  it('shows an age band, never the exact age', async () => {
    const x = (await explain(auditId)).data!.explainDecision;
    const text = JSON.stringify(x.steps);
    expect(text).not.toMatch(/"ageThen"/);
    const minors = x.steps.find((s) => s.check === 'minors');
    if (minors && minors.outcome !== 'SKIP') expect((minors.facts as { ageBand: string }).ageBand).toMatch(/^\d+(-\d+|\+)$/);
  });
});

const DRY_RUN = `query DryRun($draft: JSON!, $from: DateTime!, $to: DateTime!, $limit: Int) {
  policyDryRun(draft: $draft, from: $from, to: $to, limit: $limit) { events unauthenticated truncated to decisions changes { coordinate } }
}`;

describe('dry-runs a database writer cannot feed', () => {
  it('skips planted events and says when it stopped at its limit', async () => {
    const original = (await events().findOne({ _id: auditId }))!;
    const { head: _head, ...rest } = { ...original, _id: '01a23788-eeee-7eee-8eee-eeeeeeeeeeee', chainId: 'planted:xt:1', seq: 7 };
    const planted: AuditEventDoc = { ...rest, hash: hashEvent(eventFromDoc(rest as AuditEventDoc)) };
    await events().insertOne(planted);
    try {
      const draft = await shippedPack('deepailab');
      const to = new Date(Date.now() + 1000).toISOString();
      const all = await t.post({ query: DRY_RUN, variables: { draft, from: since.toISOString(), to } }, { token: officer });
      const report = ((await all.json()) as { data: { policyDryRun: { events: number; unauthenticated: number; truncated: boolean } } }).data.policyDryRun;
      expect(report.unauthenticated).toBe(1);
      expect(report.truncated).toBe(false);
      const cut = await t.post({ query: DRY_RUN, variables: { draft, from: since.toISOString(), to, limit: 1 } }, { token: officer });
      const first = ((await cut.json()) as { data: { policyDryRun: { events: number; truncated: boolean; to: string } } }).data.policyDryRun;
      expect(first).toMatchObject({ events: 1, truncated: true });
      expect(new Date(first.to).getTime()).toBeLessThan(new Date(to).getTime());
    } finally {
      await events().deleteOne({ _id: planted._id });
    }
  });

  it('never quotes the draft in its errors', async () => {
    const draft = { ...(await shippedPack('deepailab')), 'SECRET-KEY-alice@example.com': 1, grants: [{ role: 'user', scope: 'own', categories: ['SECRET-CAT-alice@example.com'], purposes: ['essential'], source: 'x-x-x' }] };
    const res = await t.post({ query: DRY_RUN, variables: { draft, from: since.toISOString(), to: new Date().toISOString() } }, { token: officer });
    const text = await res.text();
    expect(text).toMatch(/BAD_USER_INPUT/);
    expect(text).not.toMatch(/SECRET|alice@example\.com/);
  });
});
