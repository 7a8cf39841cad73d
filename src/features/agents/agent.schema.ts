import { requireAuthenticated, type AuthenticatedCaller } from '../../auth/index.js';
import { builder } from '../../builder.js';
import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { parseInput } from '../../validate.js';
import { UserRef, userLoaders } from '../users/index.js';
import { agentLoaders } from './agent.loaders.js';
import { agentModel, type AgentDoc } from './agent.model.js';
import { addKnowledgeSchema, createAgentSchema } from './agent.inputs.js';
import { knowledgeModel, type KnowledgeDoc } from './knowledge.model.js';
import { openContent } from '../../keys/index.js';

export const AgentRef = builder.objectRef<AgentDoc>('Agent');
export const KnowledgeItemRef = builder.objectRef<KnowledgeDoc>('KnowledgeItem');

const OPERATIONAL = { category: 'system.operations', purposes: ['essential', 'analytics.reporting', 'train_ai_system'], strategy: 'null' } as const;
// What a developer builds an agent from. `essential.service` covers support's purpose, which a
// pack's developerData rule narrows to the grants the developer gave.
const DEVELOPER_PURPOSES = ['essential.service', 'essential.legal_obligation', 'train_ai_system', 'functional.service.improve'];
const INSTRUCTION = { category: 'user.content.private.agent_instruction', purposes: DEVELOPER_PURPOSES, strategy: 'null' } as const;
const KNOWLEDGE = { category: 'user.content.private.knowledge_base', purposes: DEVELOPER_PURPOSES, strategy: 'null' } as const;

KnowledgeItemRef.implement({
  description: "One document of an agent's knowledge base (developer data).",
  governance: { subjectOf: (k) => k.owner, tenantOf: (k) => k.tenant, timestampOf: (k) => k.createdAt, optedOutOf: (k) => k.mipOptOut, developerDataOf: (k) => k.agentId },
  fields: (t) => ({
    id: t.exposeID('_id', { governance: OPERATIONAL }),
    title: t.string({ nullable: true, governance: KNOWLEDGE, resolve: (k, _args, ctx) => openContent(ctx, 'agent_knowledge', 'title', k, k.title) }),
    content: t.string({ nullable: true, governance: KNOWLEDGE, resolve: (k, _args, ctx) => openContent(ctx, 'agent_knowledge', 'content', k, k.content) }),
    createdAt: t.expose('createdAt', { type: 'DateTime', governance: OPERATIONAL }),
  }),
});

AgentRef.implement({
  description: 'An AI agent built by a developer; its name, instructions and knowledge are developer data.',
  governance: { subjectOf: (a) => a.owner, tenantOf: (a) => a.tenant, timestampOf: (a) => a.createdAt, optedOutOf: (a) => a.mipOptOut, developerDataOf: (a) => a._id },
  fields: (t) => ({
    id: t.exposeID('_id', { governance: OPERATIONAL }),
    name: t.exposeString('name', { nullable: true, governance: INSTRUCTION }),
    instructions: t.string({ nullable: true, governance: INSTRUCTION, resolve: (a, _args, ctx) => openContent(ctx, 'agents', 'instructions', a, a.instructions) }),
    knowledge: t.field({
      type: [KnowledgeItemRef],
      description: "The agent's knowledge base, oldest first.",
      governance: { ...KNOWLEDGE, strategy: 'drop' },
      resolve: (a, _args, ctx) => agentLoaders(ctx).knowledgeByAgent.load(a._id),
    }),
    owner: t.field({
      type: UserRef,
      nullable: true,
      description: 'The developer who owns the agent.',
      governance: { category: 'user.unique_id', purposes: ['essential', 'analytics.reporting', 'train_ai_system', 'functional.service.improve'], strategy: 'null' },
      resolve: (a, _args, ctx) => userLoaders(ctx).bySubject.load(a.owner),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', governance: OPERATIONAL }),
  }),
});

/** Same answer for another tenant's, another developer's and a missing agent. */
export const agentNotFound = (): GovgateError => new GovgateError('BAD_USER_INPUT', 'agent not found');

/** The agent, if the caller owns it: only its developer changes it or lets support in. */
export async function ownAgent(ctx: GatewayContext, caller: AuthenticatedCaller, agentId: string): Promise<AgentDoc> {
  const agent = await agentLoaders(ctx).byId.load(agentId);
  if (!agent || agent.owner !== caller.subject) throw agentNotFound();
  return agent;
}

builder.queryFields((t) => ({
  agent: t.field({
    type: AgentRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => {
      requireAuthenticated(ctx.caller);
      return agentLoaders(ctx).byId.load(String(id));
    },
  }),
  myAgents: t.field({
    type: [AgentRef],
    description: "The caller's own agents, oldest first.",
    resolve: (_root, _args, ctx) => agentLoaders(ctx).byOwner.load(requireAuthenticated(ctx.caller).subject),
  }),
}));

builder.mutationFields((t) => ({
  createAgent: t.field({
    type: AgentRef,
    description: 'Create an agent owned by the caller (developer data, 002).',
    args: { name: t.arg.string({ required: true }), instructions: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const caller = requireAuthenticated(ctx.caller);
      const input = parseInput(createAgentSchema, args);
      const created = await agentModel(ctx.connection).create({ tenant: caller.tenant, owner: caller.subject, ...input, mipOptOut: ctx.mipOptOut });
      return created.toObject();
    },
  }),
  addAgentKnowledge: t.field({
    type: KnowledgeItemRef,
    description: "Add a document to the knowledge base of one of the caller's agents.",
    args: { agentId: t.arg.id({ required: true }), title: t.arg.string({ required: true }), content: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const caller = requireAuthenticated(ctx.caller);
      const input = parseInput(addKnowledgeSchema, { ...args, agentId: String(args.agentId) });
      const agent = await ownAgent(ctx, caller, input.agentId);
      const created = await knowledgeModel(ctx.connection).create({
        tenant: caller.tenant,
        agentId: agent._id,
        owner: agent.owner,
        title: input.title,
        content: input.content,
        mipOptOut: ctx.mipOptOut || agent.mipOptOut,
      });
      return created.toObject();
    },
  }),
}));
