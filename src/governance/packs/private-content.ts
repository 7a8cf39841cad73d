import { z } from 'zod';
import { isCategory } from '../taxonomy/index.js';

/**
 * Pack field `privateContent`: values their owner keeps PRIVATE (a gallery image until it is made
 * public, 004 §4.4 / §8.4) are readable by the owner only in these categories, whatever a role is
 * granted (reason PRIVATE); once PUBLIC they follow the grants. Default (no field): no such rule.
 */
export const privateContentSchema = z
  .object({
    categories: z.array(z.string().refine(isCategory, { message: 'unknown data category' })).min(1),
    source: z.string().min(3),
  })
  .strict();

export type PrivateContentRule = z.infer<typeof privateContentSchema>;
