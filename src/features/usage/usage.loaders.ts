import DataLoader from 'dataloader';
import { requireAuthenticated } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { oneByKey } from '../../db/group-by.js';
import { perRequest } from '../../per-request.js';
import { apiUsageModel, type ApiUsageDoc } from './api-usage.model.js';

export interface UsageLoaders {
  byId: DataLoader<string, ApiUsageDoc | null>;
}

// Every batch filters by the caller's tenant: another tenant's id simply finds nothing.
export const usageLoaders = perRequest<GatewayContext, UsageLoaders>((ctx) => ({
  byId: new DataLoader(async (ids) => {
    const rows = await apiUsageModel(ctx.connection)
      .find({ tenant: requireAuthenticated(ctx.caller).tenant, _id: { $in: ids as string[] } })
      .lean<ApiUsageDoc[]>()
      .exec();
    return oneByKey(ids, rows, (u) => u._id);
  }),
}));
