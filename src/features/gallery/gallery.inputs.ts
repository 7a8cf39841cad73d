import { z } from 'zod';
import { ID_PATTERN } from '../../db/ids.js';
import { objectLocationSchema } from '../../object-location.js';
import { VISIBILITIES } from './gallery-image.model.js';

export const createGalleryImageSchema = z.object({
  prompt: z.string().trim().min(1).max(10_000),
  imageUrl: objectLocationSchema,
});

export const setVisibilitySchema = z.object({
  id: z.string().regex(ID_PATTERN, 'not an image id'),
  visibility: z.enum(VISIBILITIES),
});
