/**
 * DEVELOPER_DATA (002 §1.5 4.2: "we will not access your developer data"): under a pack with
 * `developerData`, an agent's name, instructions and knowledge base are readable by the owning
 * developer only — support, service, ml_engineer (even with the developer's consent), analyst
 * and tenant_admin get nothing — except support while a `grantSupportAccess` of the owner for
 * that agent runs. The pack is a test pack (POLICY_DIR of its own) that promises what 002 does;
 * the shipped pack, which does not, is the control. Clock: grants are ended by moving their
 * recorded expiry into the past through the model (no sleeps).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endSupportGrants, supportGrantModel } from '../../src/features/agents/index.js';
import {
  AddAgentKnowledgeDocument,
  ExplainDecisionDocument,
  AgentDocument,
  CreateAgentDocument,
  GrantConsentDocument,
  GrantSupportAccessDocument,
  MyAgentsDocument,
  RegisterAccountDocument,
  RevokeSupportAccessDocument,
} from '../generated/graphql.js';
import { auditedReasons, auditEventsOf } from '../helpers/audited.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { policyDir, shippedPack } from '../helpers/policy-dir.js';
import { redactionAt, redactionsOf } from '../helpers/redactions.js';

const tenant = 'devco';
const INSTRUCTIONS = 'canary-instructions: answer as Helpdesk, escalate refunds';
const KNOWLEDGE = 'canary-knowledge: refund policy v3';
const DEV_CATEGORIES = ['user.content.private.agent_instruction', 'user.content.private.knowledge_base'];

let t: TestGateway;
let shipped: TestGateway;
let dana: string;
let agentId: string;
let otherAgentId: string;

/** 002 as a pack: developer data stays the developer's; support may troubleshoot on a grant. */
async function aiwellflowPack(): Promise<Record<string, unknown>> {
  const base = await shippedPack('base');
  return {
    name: 'aiwellflow',
    extends: 'base',
    version: 'test-002',
    source: 'test pack: the developer-data clauses of seeds/002',
    grants: [
      ...(base.grants as Record<string, unknown>[]),
      {
        role: 'support',
        scope: 'tenant',
        categories: DEV_CATEGORIES,
        purposes: ['essential.service.operations.support'],
        source: '002 §1.5 4.2: technical assistance at your request',
        legalBasis: { basis: 'contract', source: '002 §1.5 4.2: troubleshooting the developer asked for' },
      },
    ],
    developerData: {
      categories: DEV_CATEGORIES,
      source: '002 §1.5 4.2: we will not access your developer data',
      support: { purposes: ['essential.service.operations.support'], source: '002 §1.5 4.2: unless you ask us for troubleshooting' },
    },
  };
}

async function setUp(g: TestGateway): Promise<{ token: string; agentId: string; otherAgentId: string }> {
  const token = await g.token('dana', tenant, ['user', 'developer']);
  const registered = await g.execute(RegisterAccountDocument, { input: { displayName: 'Dana Dev', email: 'dana@example.com', birthDate: '1988-01-01', country: 'US' } }, { token });
  expect(registered.errors).toBeUndefined();
  const created = await g.execute(CreateAgentDocument, { name: 'Helpdesk', instructions: INSTRUCTIONS }, { token });
  expect(created.errors).toBeUndefined();
  const id = created.data!.createAgent.id;
  const knowledge = await g.execute(AddAgentKnowledgeDocument, { agentId: id, title: 'Refunds', content: KNOWLEDGE }, { token });
  expect(knowledge.errors).toBeUndefined();
  const other = await g.execute(CreateAgentDocument, { name: 'Sales', instructions: 'canary-other-agent' }, { token });
  return { token, agentId: id, otherAgentId: other.data!.createAgent.id };
}

const read = async (g: TestGateway, sub: string, roles: string[], id = agentId) => g.execute(AgentDocument, { id }, { token: await g.token(sub, tenant, roles) });

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url, env: { POLICY_DIR: await policyDir({ packs: { aiwellflow: await aiwellflowPack() } }), POLICY_PACK: 'aiwellflow' } });
  shipped = await startTestGateway({ name: `${import.meta.url}-shipped` });
  ({ token: dana, agentId, otherAgentId } = await setUp(t));
}, 60_000);

afterAll(async () => {
  await t?.close();
  await shipped?.close();
});

describe('the owning developer', () => {
  it('reads the agent, its instructions and its knowledge base', async () => {
    const res = await t.execute(AgentDocument, { id: agentId }, { token: dana });
    expect(res.errors).toBeUndefined();
    expect(res.data!.agent).toMatchObject({ name: 'Helpdesk', instructions: INSTRUCTIONS, owner: { id: 'dana' } });
    expect(res.data!.agent!.knowledge.map((k) => k.content)).toEqual([KNOWLEDGE]);
    expect(redactionsOf(res)).toEqual([]);
    const mine = await t.execute(MyAgentsDocument, {}, { token: dana });
    expect(mine.data!.myAgents.map((a) => a.instructions)).toEqual([INSTRUCTIONS, 'canary-other-agent']);
  });
});

describe('platform staff', () => {
  it('explainDecision names DEVELOPER_DATA as a fact of the value: subject-level checks pass, the developer-data step decides', async () => {
    const res = await read(t, 'sam', ['support']);
    const auditId = (res.extensions?.governance as { auditId: string }).auditId;
    const explained = await t.execute(ExplainDecisionDocument, { auditId, coordinate: 'Agent.instructions', subject: 'dana' }, { token: await t.token('olga', tenant, ['compliance_officer']) });
    expect(explained.errors).toBeUndefined();
    const x = explained.data!.explainDecision;
    expect(x).toMatchObject({ reason: 'DEVELOPER_DATA', consistent: true, recomputedDecision: 'ALLOW' });
    expect(x.steps.filter((s) => s.outcome === 'STOP')).toEqual([]);
    expect(x.steps.find((s) => s.check === 'developer data')).toMatchObject({ outcome: 'UNKNOWN', source: expect.stringMatching(/002/) });
  });

  it('support gets nothing of it without a grant, and the reason is DEVELOPER_DATA', async () => {
    const res = await read(t, 'sam', ['support']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.agent).toMatchObject({ id: agentId, name: null, instructions: null, knowledge: [] });
    expect(JSON.stringify(res)).not.toContain('canary');
    expect(redactionAt(res, ['agent', 'instructions'])).toMatchObject({ reason: 'DEVELOPER_DATA', category: 'user.content.private.agent_instruction', strategy: 'null' });
    expect(redactionAt(res, ['agent', 'knowledge'])).toMatchObject({ reason: 'DEVELOPER_DATA', strategy: 'drop' });
    expect(await auditedReasons(t, tenant, 'sam', res, 'Agent.instructions')).toEqual(['DEVELOPER_DATA']);
  });

  it('service, tenant_admin and analyst get nothing of it either (service: DEVELOPER_DATA despite its tenant-wide grant)', async () => {
    for (const [sub, roles, reason] of [
      ['svc', ['service'], 'DEVELOPER_DATA'],
      ['tess', ['tenant_admin'], 'ROLE'],
      ['ana', ['analyst'], 'ROLE'],
    ] as const) {
      const res = await read(t, sub, [...roles]);
      expect(res.data!.agent, sub).toMatchObject({ name: null, instructions: null, knowledge: [] });
      expect(JSON.stringify(res), sub).not.toContain('canary');
      expect(await auditedReasons(t, tenant, sub, res, 'Agent.instructions'), sub).toEqual([reason]);
    }
  });

  it('ml_engineer gets nothing even with the developer\'s training consent; the shipped pack (no developerData) would release it', async () => {
    expect((await t.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token: dana })).errors).toBeUndefined();
    const res = await read(t, 'mia', ['ml_engineer']);
    expect(res.data!.agent).toMatchObject({ instructions: null, knowledge: [] });
    expect(await auditedReasons(t, tenant, 'mia', res, 'Agent.instructions')).toEqual(['DEVELOPER_DATA']);

    // The control: the same data and consent under a pack that promises nothing about developer data.
    const control = await setUp(shipped);
    expect((await shipped.execute(GrantConsentDocument, { purpose: 'train_ai_system' }, { token: control.token })).errors).toBeUndefined();
    const released = await read(shipped, 'mia', ['ml_engineer'], control.agentId);
    expect(released.data!.agent!.instructions).toBe(INSTRUCTIONS);
  });
});

describe('grantSupportAccess', () => {
  it('is for the agent\'s owner only, for 1 to 1440 minutes, and never echoes its input', async () => {
    const refusals = [
      await t.execute(GrantSupportAccessDocument, { agentId, minutes: 0 }, { token: dana }),
      await t.execute(GrantSupportAccessDocument, { agentId, minutes: 98765 }, { token: dana }),
      await t.execute(GrantSupportAccessDocument, { agentId: 'not-an-agent-id-4242', minutes: 5 }, { token: dana }),
      await t.execute(GrantSupportAccessDocument, { agentId, minutes: 5 }, { token: await t.token('otto', tenant, ['user', 'developer']) }),
      await t.execute(GrantSupportAccessDocument, { agentId, minutes: 5 }, { token: await t.token('sam', tenant, ['support']) }),
      await t.execute(GrantSupportAccessDocument, { agentId, minutes: 5 }, { token: await t.token('dana', 'another-tenant', ['user', 'developer']) }),
    ];
    for (const res of refusals) {
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res.errors)).not.toMatch(/98765|4242|another-tenant/);
    }
    // Another developer's, another tenant's and a missing agent look the same.
    expect(refusals[3]!.errors![0]!.message).toBe(refusals[5]!.errors![0]!.message);
    expect(await supportGrantModel(t.connection).countDocuments({ tenant, agentId })).toBe(0);
  });

  it('lets support read the agent while the grant runs, not another agent, and not once its expiry is past', async () => {
    const granted = await t.execute(GrantSupportAccessDocument, { agentId, minutes: 1 }, { token: dana });
    expect(granted.errors).toBeUndefined();
    const expiresAt = new Date(granted.data!.grantSupportAccess.expiresAt!).getTime();
    expect(expiresAt - new Date(granted.data!.grantSupportAccess.createdAt).getTime()).toBe(60_000);

    const during = await read(t, 'sam', ['support']);
    expect(during.data!.agent).toMatchObject({ name: 'Helpdesk', instructions: INSTRUCTIONS });
    expect(during.data!.agent!.knowledge.map((k) => k.content)).toEqual([KNOWLEDGE]);
    expect(await auditedReasons(t, tenant, 'sam', during, 'Agent.instructions')).toEqual([null]);
    // The grant is for one agent.
    const other = await read(t, 'sam', ['support'], otherAgentId);
    expect(other.data!.agent!.instructions).toBeNull();
    expect(redactionAt(other, ['agent', 'instructions'])?.reason).toBe('DEVELOPER_DATA');
    // ...and for support: the ml_engineer is still kept out.
    expect((await read(t, 'mia', ['ml_engineer'])).data!.agent!.instructions).toBeNull();

    // The clock: the recorded expiry moves into the past through the model's sealed writer.
    const ended = await endSupportGrants(t.connection, { tenant, owner: 'dana', agentId }, new Date(Date.now() - 1000));
    expect(ended).toBe(1);
    const stored = await supportGrantModel(t.connection).findOne({ tenant, agentId }).lean().exec();
    expect(stored!.expiresAt.getTime()).toBeLessThan(Date.now());
    const after = await read(t, 'sam', ['support']);
    expect(after.data!.agent).toMatchObject({ instructions: null, knowledge: [] });
    expect(await auditedReasons(t, tenant, 'sam', after, 'Agent.instructions')).toEqual(['DEVELOPER_DATA']);
  });

  it('ends early with revokeSupportAccess (owner only)', async () => {
    expect((await t.execute(GrantSupportAccessDocument, { agentId, minutes: 30 }, { token: dana })).errors).toBeUndefined();
    expect((await read(t, 'sam', ['support'])).data!.agent!.instructions).toBe(INSTRUCTIONS);
    const byOther = await t.execute(RevokeSupportAccessDocument, { agentId }, { token: await t.token('otto', tenant, ['user', 'developer']) });
    expect(byOther.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const revoked = await t.execute(RevokeSupportAccessDocument, { agentId }, { token: dana });
    expect(revoked.data!.revokeSupportAccess).toBe(1);
    expect((await read(t, 'sam', ['support'])).data!.agent!.instructions).toBeNull();
  });

  it('a grant a database writer makes or extends opens nothing (it does not verify)', async () => {
    const raw = t.connection.db!.collection('support_grants');
    const future = new Date(Date.now() + 3_600_000);
    await raw.insertOne({ _id: 'raw-grant' as never, tenant, owner: 'dana', agentId, expiresAt: future, createdAt: new Date() });
    // An ended, genuinely sealed grant with its expiry pushed back into the future.
    const endedGrant = await supportGrantModel(t.connection).findOne({ tenant, agentId, _id: { $ne: 'raw-grant' } }).lean().exec();
    await raw.updateOne({ _id: endedGrant!._id as never }, { $set: { expiresAt: future } });
    const res = await read(t, 'sam', ['support']);
    expect(res.data!.agent!.instructions).toBeNull();
    expect(await auditedReasons(t, tenant, 'sam', res, 'Agent.instructions')).toEqual(['DEVELOPER_DATA']);
    await raw.deleteOne({ _id: 'raw-grant' as never });
  });
});

describe('audit of the developer\'s mutations', () => {
  it('createAgent and grantSupportAccess write an INTENT before their effect and an outcome naming it', async () => {
    for (const operation of ['CreateAgent', 'GrantSupportAccess', 'AddAgentKnowledge']) {
      const events = await auditEventsOf(t, tenant, 'dana', operation);
      const served = events.find((e) => e.outcome === 'SERVED');
      const intent = events.find((e) => e.id === served?.intent);
      expect(intent, operation).toMatchObject({ outcome: 'INTENT' });
      expect(intent!.accesses[0], operation).toMatch(/^Mutation\./);
      expect(intent!.seq, operation).toBeLessThan(served!.seq);
      expect(JSON.stringify(events), operation).not.toContain('canary');
    }
  });
});
