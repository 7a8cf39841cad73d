import { z } from 'zod';
import { ROLES } from '../../auth/caller.js';
import { isCategory, isPurpose } from '../taxonomy/index.js';
import { developerDataSchema } from './developer-data.js';
import { privateContentSchema } from './private-content.js';

/** Every rule says where it comes from: a seed clause or the law it rests on. */
const source = z.string().min(3);
const category = z.string().refine(isCategory, { message: 'unknown data category' });
const purpose = z.string().refine(isPurpose, { message: 'unknown purpose' });

/** GDPR Art. 6(1) bases other than consent (a) and legitimate interests (f). */
export const LEGAL_BASES = ['legal_obligation', 'contract', 'vital_interests', 'public_task'] as const;

export const grantSchema = z
  .object({
    role: z.enum(ROLES),
    /** own: only the caller's own data; tenant: any subject of the caller's tenant. */
    scope: z.enum(['own', 'tenant']),
    categories: z.array(category).min(1),
    purposes: z.array(purpose).min(1),
    source,
    /**
     * The Art. 6(1) basis that lets this grant release consent-only data (`user.content`, ...) of
     * other subjects without their consent, with the clause it rests on. Default: none (consent).
     */
    legalBasis: z.object({ basis: z.enum(LEGAL_BASES), source }).strict().optional(),
  })
  .strict();

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
    /** Purposes this pack treats as model training, beyond the built-in ones. Default: none. */
    trainingPurposes: z.array(z.object({ purpose, source })).optional(),
    /** Categories that, like `user.content`, leave to other callers only with consent or a legal basis. Default: none. */
    consentOnlyCategories: z.array(z.object({ category, source })).optional(),
    developerData: developerDataSchema.optional(),
    privateContent: privateContentSchema.optional(),
  })
  .strict();

/** A pack file may extend another and override whole top-level keys. */
export const partialPackFileSchema = packFileSchema.partial().required({ name: true });

export type Grant = z.infer<typeof grantSchema>;
export type PackFile = z.infer<typeof packFileSchema>;
export type LegalBasis = (typeof LEGAL_BASES)[number];
