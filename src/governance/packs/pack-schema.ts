import { z } from 'zod';
import { ROLES } from '../../auth/caller.js';
import { isCategory, isPurpose } from '../taxonomy/index.js';

/** Every rule says where it comes from: a seed clause or the law it rests on. */
const source = z.string().min(3);
const category = z.string().refine(isCategory, { message: 'unknown data category' });
const purpose = z.string().refine(isPurpose, { message: 'unknown purpose' });

export const grantSchema = z.object({
  role: z.enum(ROLES),
  /** own: only the caller's own data; tenant: any subject of the caller's tenant. */
  scope: z.enum(['own', 'tenant']),
  categories: z.array(category).min(1),
  purposes: z.array(purpose).min(1),
  source,
});

export const packFileSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_-]*$/),
    extends: z.string().optional(),
    version: z.string().min(1),
    source,
    minimumAge: z.object({ age: z.number().int().min(0).max(21), source }),
    minors: z.object({ age: z.number().int().min(0).max(21), restrictedPurposes: z.array(purpose), source }),
    consent: z.array(z.object({ purpose, source })),
    retention: z.array(z.object({ category, days: z.number().int().positive(), source })),
    grants: z.array(grantSchema).min(1),
  })
  .strict();

/** A pack file may extend another and override whole top-level keys. */
export const partialPackFileSchema = packFileSchema.partial().required({ name: true });

export type Grant = z.infer<typeof grantSchema>;
export type PackFile = z.infer<typeof packFileSchema>;
