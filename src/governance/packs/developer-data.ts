import { z } from 'zod';
import { isCategory, isPurpose } from '../taxonomy/index.js';

const source = z.string().min(3);
const category = z.string().refine(isCategory, { message: 'unknown data category' });
const purpose = z.string().refine(isPurpose, { message: 'unknown purpose' });

/**
 * Pack field `developerData`: the platform promises not to read what developers put into their
 * agents (002 §1.5 4.2). Values of these categories that belong to an agent are readable by the
 * owning developer only — no staff role, whatever its grants, gets them (reason DEVELOPER_DATA) —
 * except, with `support`, a `support` caller declaring one of its purposes while the developer's
 * `grantSupportAccess` for that agent has not expired. Default (no field): no such rule.
 */
export const developerDataSchema = z
  .object({
    categories: z.array(category).min(1),
    source,
    support: z.object({ purposes: z.array(purpose).min(1), source }).strict().optional(),
  })
  .strict();

export type DeveloperDataRule = z.infer<typeof developerDataSchema>;
