/**
 * The compliance officer reads what the legal obligation needs (base grant): identity, account,
 * privacy preferences and the audit record — contact details, demographics and content stay
 * redacted, through the pipeline with real tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddMessageDocument, AuditEventsDocument, ObjectToProcessingDocument, RegisterAccountDocument, StartConversationDocument, UserObjectionsDocument, UserWithContentDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { redactionAt } from '../helpers/redactions.js';

const tenant = 'co';
let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url });
  const token = await t.token('vera', tenant, ['user']);
  await t.execute(RegisterAccountDocument, { input: { displayName: 'Vera Vale', email: 'vera@example.com', phone: '+33 6 98 76 54 32', birthDate: '1979-11-11', country: 'FR' } }, { token });
  const conversation = await t.execute(StartConversationDocument, { title: 'private diary' }, { token });
  await t.execute(AddMessageDocument, { conversationId: conversation.data!.startConversation.id, role: 'USER', content: 'a private thought' }, { token });
  await t.execute(ObjectToProcessingDocument, { purpose: 'marketing' }, { token });
});
afterAll(() => t.close());

describe('the compliance officer under a legal obligation', () => {
  it('reads identity and privacy preferences, not contact details, birth date or content', async () => {
    const res = await t.execute(UserWithContentDocument, { id: 'vera' }, { token: await t.token('dpo', tenant, ['compliance_officer']) });
    expect(res.errors).toBeUndefined();
    const user = res.data!.user!;
    expect(user).toMatchObject({ id: 'vera', displayName: 'Vera Vale' });
    expect(user.email).toBe('v***@example.com');
    expect(user.phone).toBe('+** * ** ** ** 32');
    expect(user.birthDate).toBe('1979-01-01');
    expect(user.country).toBeNull();
    expect(user.conversations).toEqual([]);
    for (const field of ['email', 'phone', 'birthDate', 'country', 'conversations']) expect(redactionAt(res, ['user', field]), field).toMatchObject({ reason: 'ROLE' });
    for (const field of ['id', 'displayName']) expect(redactionAt(res, ['user', field]), field).toBeUndefined();
  });

  it('reads the subject\'s privacy choices (their objections), which a support agent may not', async () => {
    const officer = await t.execute(UserObjectionsDocument, { id: 'vera' }, { token: await t.token('dpo', tenant, ['compliance_officer']) });
    expect(officer.data?.user?.objections).toEqual(['marketing']);
    const support = await t.execute(UserObjectionsDocument, { id: 'vera' }, { token: await t.token('sam', tenant, ['support']) });
    expect(support.data?.user?.objections).toBeNull();
    expect(redactionAt(support, ['user', 'objections'])).toMatchObject({ reason: 'ROLE' });
  });

  it('reads the audit record of others\' accesses', async () => {
    const res = await t.execute(AuditEventsDocument, { filter: { subject: 'vera' }, first: 100 }, { token: await t.token('dpo', tenant, ['compliance_officer']) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.auditEvents.edges.length).toBeGreaterThan(0);
  });
});
