/** Clauses of seed 002 (AiWellFlow, PIPL) under the shipped `aiwellflow` pack. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentDocument, CreateAgentDocument, DataMapDocument, GrantSupportAccessDocument, MyGuardianStatusDocument, PolicyFactsDocument, RegisterAccountDocument, UserWithContentDocument } from '../generated/graphql.js';
import { packHarness, reasonsAt, type PackHarness } from './pack-harness.js';

let h: PackHarness;
let agentId: string;
beforeAll(async () => {
  h = await packHarness('aiwellflow', import.meta.url);
  await h.subject('dev', 'canary-dev-chat');
  const dev = await h.as('dev', ['user', 'developer']);
  const created = await h.t.execute(CreateAgentDocument, { name: 'Refund helper', instructions: 'canary-agent-instructions' }, { token: dev });
  expect(created.errors).toBeUndefined();
  agentId = created.data!.createAgent.id;
});
afterAll(() => h.close());

const agentAs = async (roles: string[]) => h.t.execute(AgentDocument, { id: agentId }, { token: await h.as('staff', roles), headers: roles.includes('support') ? { 'x-purpose': 'essential.service.operations.support' } : {} });

describe('seed 002 (aiwellflow)', () => {
  it('002 §1.5 4.2: platform staff do not access developer data', async () => {
    for (const roles of [['support'], ['service'], ['tenant_admin']]) {
      const res = await agentAs(roles);
      expect(JSON.stringify(res.data), roles.join()).not.toContain('canary-agent-instructions');
    }
    expect(reasonsAt((await agentAs(['support'])).extensions, ['agent', 'instructions'])).toEqual(['DEVELOPER_DATA']);
  });

  it("002 §1.5 4.2: except for troubleshooting at the developer's request", async () => {
    const granted = await h.t.execute(GrantSupportAccessDocument, { agentId, minutes: 30 }, { token: await h.as('dev', ['user', 'developer']) });
    expect(granted.errors).toBeUndefined();
    expect((await agentAs(['support'])).data?.agent?.instructions).toBe('canary-agent-instructions');
    // Other staff still get nothing.
    expect(JSON.stringify((await agentAs(['service'])).data)).not.toContain('canary-agent-instructions');
  });

  it('002 1.2(6): the registered phone number may serve SMS marketing, with consent', async () => {
    const res = await h.t.execute(DataMapDocument, {}, { token: await h.as('dev', ['developer']) });
    const phone = res.data!.dataMap.find((e) => e.type === 'User' && e.field === 'phone')!;
    expect(phone.purposes).toContain('marketing.communications');
    expect(phone.purposesSource).toMatch(/^002 1\.2\(6\)/);
  });

  it('002 §7: a minor is admitted only once a guardian confirms; until then others process nothing of theirs', async () => {
    const kid = await h.as('kid', ['user']);
    const registered = await h.t.execute(
      RegisterAccountDocument,
      { input: { displayName: 'Kid', email: 'kid@example.com', birthDate: '2012-03-04', country: 'CN', guardian: { name: 'Parent', email: 'parent@example.com', consent: true } } },
      { token: kid },
    );
    expect(registered.errors).toBeUndefined();
    expect((await h.t.execute(MyGuardianStatusDocument, {}, { token: kid })).data?.me?.guardianStatus).toBe('PENDING');
    const seen = await h.t.execute(UserWithContentDocument, { id: 'kid' }, { token: await h.as('svc', ['service']) });
    expect(JSON.stringify(seen.data)).not.toContain('kid@example.com');
    expect(seen.data?.user?.displayName).not.toBe('Kid');
    // The service is granted birth dates, so it is told why (MINOR); others would see WITHHELD.
    expect(reasonsAt(seen.extensions, ['user', 'email'])).toEqual(['MINOR']);
  });

  it('002 3.1: policy states that personal information stays in the PRC', async () => {
    const facts = (await h.t.execute(PolicyFactsDocument, {}, { token: await h.as('dev', ['user']) })).data!.policy.facts;
    expect(facts).toMatchObject({ seed: '002', framework: 'PIPL', residency: 'CN', transferSafeguards: [] });
  });

  it('002 1.2(7): an analyst reads no single record (de-identified statistics only)', async () => {
    const res = await h.t.execute(UserWithContentDocument, { id: 'dev' }, { token: await h.as('ana', ['analyst']) });
    expect(res.data?.user?.country).toBeNull();
  });
});
