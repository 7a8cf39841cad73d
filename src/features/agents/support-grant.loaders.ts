import DataLoader from 'dataloader';
import { requireAuthenticated } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { stateSealOf } from '../../db/connection-seal.js';
import { perRequest } from '../../per-request.js';
import { supportGrantModel, verifySupportGrant, type SupportGrantDoc } from './support-grant.model.js';

const NONE: ReadonlyMap<string, Date> = new Map();

/**
 * The support grants of developers (by owner) running at the request's time, as agent → latest
 * expiry: one query for every developer in the response, loaded with their subject state. Grants
 * whose seal does not verify are ignored (logged at warn with identifiers only).
 */
export const liveSupportGrants = perRequest<GatewayContext, DataLoader<string, ReadonlyMap<string, Date>>>(
  (ctx) =>
    new DataLoader(async (owners) => {
      const { tenant } = requireAuthenticated(ctx.caller);
      const seal = stateSealOf(ctx.connection);
      const rows = await supportGrantModel(ctx.connection)
        .find({ tenant, owner: { $in: owners as string[] }, expiresAt: { $gt: ctx.governance.now } })
        .lean<SupportGrantDoc[]>()
        .exec();
      const byOwner = new Map<string, Map<string, Date>>();
      for (const grant of rows) {
        if (!verifySupportGrant(seal, grant)) {
          ctx.logger.warn({ tenant, subject: grant.owner, grant: grant._id, requestId: ctx.requestId }, 'support grant ignored: seal does not verify');
          continue;
        }
        let agents = byOwner.get(grant.owner);
        if (!agents) byOwner.set(grant.owner, (agents = new Map()));
        const until = agents.get(grant.agentId);
        if (!until || until < grant.expiresAt) agents.set(grant.agentId, grant.expiresAt);
      }
      return owners.map((o) => byOwner.get(o) ?? NONE);
    }),
);
