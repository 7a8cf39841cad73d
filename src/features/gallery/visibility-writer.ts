import { stateSealOf } from '../../db/connection-seal.js';
import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { galleryImageModel, sealGalleryImage, verifyGalleryImage, type GalleryImageDoc, type Visibility } from './gallery-image.model.js';

/**
 * Changes an image's visibility like user-state-writer.ts changes a user's state: read the record,
 * verify its seal, and write the new visibility with a new seal only if the sealed fields are still
 * what was verified (compare-and-set), so a record a database writer changed is refused, never
 * re-sealed. Null: no such image of this owner.
 */
export async function setVisibility(ctx: GatewayContext, tenant: string, owner: string, id: string, visibility: Visibility): Promise<GalleryImageDoc | null> {
  const Image = galleryImageModel(ctx.connection);
  const seal = stateSealOf(ctx.connection);
  const current = await Image.findOne({ tenant, owner, _id: id }).lean<GalleryImageDoc>().exec();
  if (!current) return null;
  if (!verifyGalleryImage(seal, current)) {
    ctx.logger.warn({ tenant, subject: owner, image: id, requestId: ctx.requestId }, 'gallery image seal does not verify: visibility change refused');
    throw new GovgateError('INTERNAL_SERVER_ERROR', 'this image record failed its integrity check; nothing was changed');
  }
  const updated = await Image.findOneAndUpdate(
    { _id: current._id, tenant: current.tenant, owner: current.owner, visibility: current.visibility, seal: current.seal },
    { $set: { visibility, seal: sealGalleryImage(seal, { ...current, visibility }) } },
    { returnDocument: 'after' },
  )
    .lean<GalleryImageDoc>()
    .exec();
  if (!updated) throw new GovgateError('INTERNAL_SERVER_ERROR', 'the image changed concurrently; try again');
  return updated;
}
