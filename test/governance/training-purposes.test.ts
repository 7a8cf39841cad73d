/**
 * Regressions from an attack on the running gateway (deepailab pack):
 *  1. an ml_engineer declaring `functional.service.improve` — a training-like purpose the pack
 *     grants — read every subject's conversations in clear: no consent, objections to
 *     `train_ai_system` ignored, minors included;
 *  2. reason codes told that caller who objected, who is a minor and who did not consent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentModel } from '../../src/features/consents/index.js';
import { conversationModel, messageModel } from '../../src/features/conversations/index.js';
import { userModel } from '../../src/features/users/index.js';
import { AuditEventsDocument, UserDocument, UserWithContentDocument, UsersWithContentDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { redactionAt, redactionsOf } from '../helpers/redactions.js';
import { encrypted } from '../helpers/encrypted.js';

let t: TestGateway;
const tenant = 'tp';
const DAY = 86_400_000;
const IMPROVE = { 'x-purpose': 'functional.service.improve' };


beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url, env: { POLICY_PACK: 'deepailab' } });
  const version = t.gateway.pack.version;
  const adult = new Date('1988-06-20T00:00:00Z');
  const minor = new Date(Date.now() - 16.5 * 365.25 * DAY);
  const base = { tenant, policyVersion: version, country: 'FR' };
  await userModel(t.connection).insertMany([
    { ...base, subject: 'nina', displayName: 'Nina Noconsent', email: 'nina@example.com', birthDate: adult },
    { ...base, subject: 'oscar', displayName: 'Oscar Objects', email: 'oscar@example.com', birthDate: adult, objections: ['train_ai_system'] },
    { ...base, subject: 'pia', displayName: 'Pia Minor', email: 'pia@example.com', birthDate: minor },
    { ...base, subject: 'quinn', displayName: 'Quinn Consents', email: 'quinn@example.com', birthDate: adult },
    { ...base, subject: 'rita', displayName: 'Rita Restricted', email: 'rita@example.com', birthDate: adult, restricted: true },
    // A record without a birth date (imported, or written before birth dates were required).
    { ...base, subject: 'uma', displayName: 'Uma Unknown', email: 'uma@example.com', birthDate: null },
  ]);
  const granted = (subject: string, purpose: string) => ({ tenant, subject, purpose, status: 'GRANTED', policyVersion: version });
  await consentModel(t.connection).insertMany([
    // Oscar and Pia consented to everything: only the objection / their age may stop the release.
    granted('oscar', 'train_ai_system'),
    granted('oscar', 'functional.service.improve'),
    granted('pia', 'train_ai_system'),
    granted('pia', 'functional.service.improve'),
    granted('quinn', 'functional.service.improve'),
    granted('uma', 'train_ai_system'),
    granted('uma', 'functional.service.improve'),
  ]);
  let n = 0;
  for (const owner of ['nina', 'oscar', 'pia', 'quinn', 'rita', 'uma']) {
    n += 1;
    const id = `c${n}`.padEnd(24, '0');
    const createdAt = new Date(Date.now() - DAY);
    await conversationModel(t.connection).collection.insertOne((await encrypted(t.connection, 'conversations', [{ _id: id as never, tenant, owner, title: `${owner} title`, mipOptOut: false, createdAt, updatedAt: createdAt } as never]))[0]!);
    await messageModel(t.connection)
      .collection.insertOne((await encrypted(t.connection, 'messages', [{ _id: `e${n}`.padEnd(24, '0') as never, tenant, conversationId: id, owner, role: 'USER', content: `${owner} secret content`, mipOptOut: false, createdAt } as never]))[0]!);
  }
});
afterAll(() => t?.close());

describe('functional.service.improve is training: consent, objections and minors apply', () => {
  it('an ml_engineer gets no conversation of a subject who never consented', async () => {
    const res = await t.execute(UserWithContentDocument, { id: 'nina' }, { token: await t.token('mia', tenant, ['ml_engineer']), headers: IMPROVE });
    expect(res.errors).toBeUndefined();
    expect(JSON.stringify(res.data)).not.toContain('nina secret content');
    expect(JSON.stringify(res.data)).not.toContain('nina title');
    expect(res.data?.user?.conversations).toEqual([]);
  });

  it('an objection to train_ai_system covers functional.service.improve', async () => {
    const res = await t.execute(UserWithContentDocument, { id: 'oscar' }, { token: await t.token('mia', tenant, ['ml_engineer']), headers: IMPROVE });
    expect(res.errors).toBeUndefined();
    expect(JSON.stringify(res.data)).not.toContain('oscar secret content');
    expect(res.data?.user?.conversations).toEqual([]);
  });

  it("a minor's conversations are not used for model improvement, even with consent", async () => {
    const res = await t.execute(UserWithContentDocument, { id: 'pia' }, { token: await t.token('mia', tenant, ['ml_engineer']), headers: IMPROVE });
    expect(res.errors).toBeUndefined();
    expect(JSON.stringify(res.data)).not.toContain('pia secret content');
    expect(res.data?.user?.conversations).toEqual([]);
  });

  it('a subject of unknown age counts as a minor for training (an age that cannot be checked fails closed)', async () => {
    const mia = await t.token('mia', tenant, ['ml_engineer']);
    for (const headers of [IMPROVE, {}]) {
      const res = await t.execute(UserWithContentDocument, { id: 'uma' }, { token: mia, headers });
      expect(res.errors).toBeUndefined();
      expect(JSON.stringify(res.data)).not.toContain('uma secret content');
      expect(res.data?.user?.conversations).toEqual([]);
    }
  });

  it('a consenting adult\'s conversations are released (the checks above are not blanket refusals)', async () => {
    const res = await t.execute(UserWithContentDocument, { id: 'quinn' }, { token: await t.token('mia', tenant, ['ml_engineer']), headers: IMPROVE });
    expect(res.data?.user?.conversations.flatMap((c) => c.messages.map((m) => m.content))).toEqual(['quinn secret content']);
  });

  it('listing the tenant releases only the consenting adult\'s content', async () => {
    const res = await t.execute(UsersWithContentDocument, { first: 50 }, { token: await t.token('mia', tenant, ['ml_engineer']), headers: IMPROVE });
    expect(res.errors).toBeUndefined();
    const text = JSON.stringify(res.data);
    expect(text).toContain('quinn secret content');
    for (const owner of ['nina', 'oscar', 'pia', 'rita', 'uma']) expect(text, owner).not.toContain(`${owner} secret content`);
  });
});

describe('reasons that would reveal the subject\'s state are WITHHELD from callers without a grant on that state', () => {
  it('an ml_engineer sees WITHHELD, not CONSENT / OBJECTED / MINOR', async () => {
    const mia = await t.token('mia-reasons', tenant, ['ml_engineer']);
    for (const [id, purpose] of [
      ['nina', 'train_ai_system'],
      ['oscar', 'train_ai_system'],
      ['pia', 'train_ai_system'],
      ['nina', 'functional.service.improve'],
      ['oscar', 'functional.service.improve'],
      ['pia', 'functional.service.improve'],
    ] as const) {
      const res = await t.execute(UserWithContentDocument, { id }, { token: mia, headers: { 'x-purpose': purpose } });
      expect(redactionAt(res, ['user', 'conversations']), `${id} / ${purpose}`).toEqual({ path: ['user', 'conversations'], category: 'user.content.private', reason: 'WITHHELD', strategy: 'drop' });
      for (const r of redactionsOf(res)) expect(['ROLE', 'PURPOSE', 'WITHHELD'], JSON.stringify(r)).toContain(r.reason);
    }
  });

  it('support sees WITHHELD for a restricted subject; the service role, granted user.privacy_preferences, sees RESTRICTED', async () => {
    const support = await t.execute(UserDocument, { id: 'rita' }, { token: await t.token('sam', tenant, ['support']) });
    expect(support.data?.user?.displayName).toBe('R…');
    expect(redactionAt(support, ['user', 'displayName'])).toMatchObject({ reason: 'WITHHELD', strategy: 'truncate' });
    const service = await t.execute(UserDocument, { id: 'rita' }, { token: await t.token('svc', tenant, ['service']) });
    expect(redactionAt(service, ['user', 'displayName'])).toMatchObject({ reason: 'RESTRICTED', strategy: 'truncate' });
  });

  it('a grant on the state category counts only for the request\'s purpose', async () => {
    // service is granted `user` (privacy preferences included) for essential.service only.
    const res = await t.execute(UserWithContentDocument, { id: 'oscar' }, { token: await t.token('mixed', tenant, ['ml_engineer', 'service']), headers: { 'x-purpose': 'train_ai_system' } });
    expect(redactionAt(res, ['user', 'conversations'])).toMatchObject({ reason: 'WITHHELD' });
  });

  it('the audit record keeps the precise reason', async () => {
    const actor = 'mia-audited';
    const mia = await t.token(actor, tenant, ['ml_engineer']);
    await t.execute(UserWithContentDocument, { id: 'oscar' }, { token: mia, headers: IMPROVE });
    await t.execute(UserWithContentDocument, { id: 'pia' }, { token: mia });
    await t.execute(UserWithContentDocument, { id: 'nina' }, { token: mia });
    const audit = await t.execute(AuditEventsDocument, { filter: { actor }, first: 10 }, { token: await t.token('carl', tenant, ['compliance_officer']) });
    expect(audit.errors).toBeUndefined();
    const decisions = audit.data!.auditEvents.edges.flatMap((e) => e.node.decisions.map((d) => ({ ...d, purpose: d.purpose })));
    const of = (subject: string) => decisions.filter((d) => d.subject === subject && d.coordinate === 'User.conversations').map((d) => [d.purpose, d.decision, d.reason]);
    expect(of('oscar')).toEqual([['functional.service.improve', 'REDACT', 'OBJECTED']]);
    expect(of('pia')).toEqual([['train_ai_system', 'REDACT', 'MINOR']]);
    expect(of('nina')).toEqual([['train_ai_system', 'REDACT', 'CONSENT']]);
    expect(decisions.some((d) => d.reason === 'WITHHELD')).toBe(false);
  });
});
