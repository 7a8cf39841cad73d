import DataLoader from 'dataloader';
import { requireAuthenticated } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { oneByKey } from '../../db/group-by.js';
import { perRequest } from '../../per-request.js';
import { transactionModel, type TransactionDoc } from './transaction.model.js';

export interface PaymentLoaders {
  byId: DataLoader<string, TransactionDoc | null>;
}

// Every batch filters by the caller's tenant: another tenant's id simply finds nothing.
export const paymentLoaders = perRequest<GatewayContext, PaymentLoaders>((ctx) => ({
  byId: new DataLoader(async (ids) => {
    const rows = await transactionModel(ctx.connection)
      .find({ tenant: requireAuthenticated(ctx.caller).tenant, _id: { $in: ids as string[] } })
      .lean<TransactionDoc[]>()
      .exec();
    return oneByKey(ids, rows, (t) => t._id);
  }),
}));
