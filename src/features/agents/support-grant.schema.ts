import { requireAuthenticated } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { parseInput } from '../../validate.js';
import { agentIdSchema, grantSupportSchema } from './agent.inputs.js';
import { ownAgent } from './agent.schema.js';
import { supportGrantModel, type SupportGrantDoc } from './support-grant.model.js';
import { endSupportGrants } from './support-grant-writer.js';

const MINUTE_MS = 60_000;
// The grant is the developer's own privacy choice, read like a consent record.
const PREFERENCE = { category: 'user.privacy_preferences', purposes: ['essential', 'essential.legal_obligation'], strategy: 'null' } as const;
const OPERATIONAL = { category: 'system.operations', purposes: ['essential'], strategy: 'null' } as const;

const SupportGrantRef = builder.objectRef<SupportGrantDoc>('SupportGrant').implement({
  description: "A developer's time-limited permission for platform support to read one agent's developer data.",
  governance: { subjectOf: (g) => g.owner, tenantOf: (g) => g.tenant, timestampOf: (g) => g.createdAt },
  fields: (t) => ({
    id: t.exposeID('_id', { governance: OPERATIONAL }),
    agentId: t.exposeID('agentId', { nullable: true, governance: PREFERENCE }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, governance: PREFERENCE }),
    createdAt: t.expose('createdAt', { type: 'DateTime', governance: OPERATIONAL }),
  }),
});

builder.mutationFields((t) => ({
  grantSupportAccess: t.field({
    type: SupportGrantRef,
    description:
      "Let platform support read this agent's developer data for `minutes` (1 to 1440), where the pack keeps developer data to its developer (`developerData`). Only the agent's owner may grant.",
    args: { agentId: t.arg.id({ required: true }), minutes: t.arg.int({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const caller = requireAuthenticated(ctx.caller);
      const input = parseInput(grantSupportSchema, { ...args, agentId: String(args.agentId) });
      const agent = await ownAgent(ctx, caller, input.agentId);
      const createdAt = new Date();
      const created = await supportGrantModel(ctx.connection).create({
        tenant: caller.tenant,
        owner: agent.owner,
        agentId: agent._id,
        createdAt,
        expiresAt: new Date(createdAt.getTime() + input.minutes * MINUTE_MS),
      });
      return created.toObject();
    },
  }),
  revokeSupportAccess: t.field({
    type: 'Int',
    description: "End now every running support grant of one of the caller's agents; the number of grants ended.",
    args: { agentId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const caller = requireAuthenticated(ctx.caller);
      const { agentId } = parseInput(agentIdSchema, { agentId: String(args.agentId) });
      const agent = await ownAgent(ctx, caller, agentId);
      return endSupportGrants(ctx.connection, { tenant: caller.tenant, owner: agent.owner, agentId: agent._id }, new Date());
    },
  }),
}));
