import DataLoader from 'dataloader';
import { requireAuthenticated } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { manyByKey, oneByKey } from '../../db/group-by.js';
import { perRequest } from '../../per-request.js';
import { mediaUploadModel, type MediaUploadDoc } from './media-upload.model.js';

export interface MediaLoaders {
  byId: DataLoader<string, MediaUploadDoc | null>;
  /** A user's uploads, oldest first. */
  byOwner: DataLoader<string, MediaUploadDoc[]>;
}

// Every batch filters by the caller's tenant: another tenant's id simply finds nothing.
export const mediaLoaders = perRequest<GatewayContext, MediaLoaders>((ctx) => {
  const Upload = mediaUploadModel(ctx.connection);
  const tenant = (): string => requireAuthenticated(ctx.caller).tenant;
  const loaders: MediaLoaders = {
    byId: new DataLoader(async (ids) => {
      const rows = await Upload.find({ tenant: tenant(), _id: { $in: ids as string[] } }).lean<MediaUploadDoc[]>().exec();
      return oneByKey(ids, rows, (u) => u._id);
    }),
    byOwner: new DataLoader(async (owners) => {
      const rows = await Upload.find({ tenant: tenant(), owner: { $in: owners as string[] } }).sort({ _id: 1 }).lean<MediaUploadDoc[]>().exec();
      for (const row of rows) loaders.byId.prime(row._id, row);
      return manyByKey(owners, rows, (u) => u.owner);
    }),
  };
  return loaders;
});
