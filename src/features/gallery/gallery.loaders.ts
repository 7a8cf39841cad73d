import DataLoader from 'dataloader';
import { requireAuthenticated } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { stateSealOf } from '../../db/connection-seal.js';
import { manyByKey, oneByKey } from '../../db/group-by.js';
import { perRequest } from '../../per-request.js';
import { galleryImageModel, verifyGalleryImage, type GalleryImageDoc } from './gallery-image.model.js';

export interface GalleryLoaders {
  byId: DataLoader<string, GalleryImageDoc | null>;
  /** A user's images, oldest first. */
  byOwner: DataLoader<string, GalleryImageDoc[]>;
}

/**
 * An image whose seal does not verify is decided as PRIVATE (fail closed): a visibility a
 * database writer set releases nothing. Logged at warn with identifiers only.
 */
function asVerified(ctx: GatewayContext, rows: GalleryImageDoc[]): GalleryImageDoc[] {
  const seal = stateSealOf(ctx.connection);
  return rows.map((image) => {
    if (verifyGalleryImage(seal, image)) return image;
    ctx.logger.warn({ tenant: image.tenant, subject: image.owner, image: image._id, requestId: ctx.requestId }, 'gallery image seal does not verify: decided as private');
    return { ...image, visibility: 'PRIVATE' };
  });
}

// Every batch filters by the caller's tenant: another tenant's id simply finds nothing.
export const galleryLoaders = perRequest<GatewayContext, GalleryLoaders>((ctx) => {
  const Image = galleryImageModel(ctx.connection);
  const tenant = (): string => requireAuthenticated(ctx.caller).tenant;
  const loaders: GalleryLoaders = {
    byId: new DataLoader(async (ids) => {
      const rows = await Image.find({ tenant: tenant(), _id: { $in: ids as string[] } }).lean<GalleryImageDoc[]>().exec();
      return oneByKey(ids, asVerified(ctx, rows), (i) => i._id);
    }),
    byOwner: new DataLoader(async (owners) => {
      const rows = asVerified(ctx, await Image.find({ tenant: tenant(), owner: { $in: owners as string[] } }).sort({ _id: 1 }).lean<GalleryImageDoc[]>().exec());
      for (const row of rows) loaders.byId.prime(row._id, row);
      return manyByKey(owners, rows, (i) => i.owner);
    }),
  };
  return loaders;
});
