import DataLoader from 'dataloader';
import { requireAuthenticated } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { manyByKey, oneByKey } from '../../db/group-by.js';
import { perRequest } from '../../per-request.js';
import { agentModel, type AgentDoc } from './agent.model.js';
import { knowledgeModel, type KnowledgeDoc } from './knowledge.model.js';

export interface AgentLoaders {
  byId: DataLoader<string, AgentDoc | null>;
  /** A developer's agents, oldest first. */
  byOwner: DataLoader<string, AgentDoc[]>;
  /** An agent's knowledge base, oldest first. */
  knowledgeByAgent: DataLoader<string, KnowledgeDoc[]>;
}

// Every batch filters by the caller's tenant: another tenant's id simply finds nothing.
export const agentLoaders = perRequest<GatewayContext, AgentLoaders>((ctx) => {
  const Agent = agentModel(ctx.connection);
  const Knowledge = knowledgeModel(ctx.connection);
  const tenant = (): string => requireAuthenticated(ctx.caller).tenant;
  const loaders: AgentLoaders = {
    byId: new DataLoader(async (ids) => {
      const rows = await Agent.find({ tenant: tenant(), _id: { $in: ids as string[] } }).lean<AgentDoc[]>().exec();
      return oneByKey(ids, rows, (a) => a._id);
    }),
    byOwner: new DataLoader(async (owners) => {
      const rows = await Agent.find({ tenant: tenant(), owner: { $in: owners as string[] } }).sort({ _id: 1 }).lean<AgentDoc[]>().exec();
      for (const row of rows) loaders.byId.prime(row._id, row);
      return manyByKey(owners, rows, (a) => a.owner);
    }),
    knowledgeByAgent: new DataLoader(async (ids) => {
      const rows = await Knowledge.find({ tenant: tenant(), agentId: { $in: ids as string[] } }).sort({ _id: 1 }).lean<KnowledgeDoc[]>().exec();
      return manyByKey(ids, rows, (k) => k.agentId);
    }),
  };
  return loaders;
});
