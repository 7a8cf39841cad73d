import DataLoader from 'dataloader';
import { requireAuthenticated } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { oneByKey } from '../../db/group-by.js';
import { perRequest } from '../../per-request.js';
import { userModel, type UserDoc } from './user.model.js';

export interface UserLoaders {
  /** Users of the caller's tenant by subject id; another tenant's user is simply absent. */
  bySubject: DataLoader<string, UserDoc | null>;
}

export const userLoaders = perRequest<GatewayContext, UserLoaders>((ctx) => {
  const User = userModel(ctx.connection);
  return {
    bySubject: new DataLoader(async (subjects) => {
      const { tenant } = requireAuthenticated(ctx.caller);
      const rows = await User.find({ tenant, subject: { $in: subjects as string[] } }).lean<UserDoc[]>().exec();
      return oneByKey(subjects, rows, (u) => u.subject);
    }),
  };
});
