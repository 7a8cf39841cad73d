import { z } from 'zod';
import { ROLES } from '../../auth/caller.js';
import { isCategory, isPurpose, unknownCategoryReason } from '../taxonomy/index.js';
import { aggregateOnlySchema } from './aggregate-only.js';
import { developerDataSchema } from './developer-data.js';
import { endOfContractSchema } from './end-of-contract.js';
import { coverageEntrySchema, packFactsSchema } from './pack-facts.js';
import { privateContentSchema } from './private-content.js';

/** Every rule says where it comes from: a seed clause or the law it rests on. */
const source = z.string().min(3);
// A replaced key (fideslang 3.2.0 deprecations) names its successor.
const category = z.string().superRefine((key, ctx) => {
  // The issue's path says where; the message never quotes the value.
  if (!isCategory(key)) ctx.addIssue({ code: 'custom', message: unknownCategoryReason(key) });
});
const purpose = z.string().refine(isPurpose, { message: 'unknown purpose' });
const age = z.number().int().min(0).max(21);

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

/** Collections erasure can keep under a legal hold, anonymised (src/features/rights/erasure.ts knows their personal fields). */
export const HOLDABLE_COLLECTIONS = ['transactions'] as const;

/** Collections the retention sweeper can delete from (sweep-targets.ts names the field that decides each one's category). */
export const SWEEPABLE_COLLECTIONS = ['messages', 'conversations', 'api_usage'] as const;
export type SweepableCollection = (typeof SWEEPABLE_COLLECTIONS)[number];

/**
 * `max` redacts after `days`; with `sweep`, the retention sweeper also deletes the listed
 * collections' records once older than that; with `keepable`, a user may keep a conversation (its
 * deletion is suspended, not its redaction). `floor` is a legal hold: never swept, never keepable.
 */
export const retentionRuleSchema = z
  .object({
    category,
    days: z.number().int().positive(),
    kind: z.enum(['max', 'floor']),
    source,
    sweep: z.object({ collections: z.array(z.enum(SWEEPABLE_COLLECTIONS)).min(1), source }).strict().optional(),
    keepable: z.object({ source }).strict().optional(),
  })
  .strict();

export const erasureSchema = z
  .object({
    /** Days between the request and its completion; meanwhile the account is ERASURE_PENDING (decided as erased). */
    graceDays: z.number().int().min(0).max(30).default(0),
    source,
    legalHold: z
      .array(
        z
          .object({
            collection: z.enum(HOLDABLE_COLLECTIONS),
            reason: z.string().min(3).max(300),
            source,
            /** Fields kept besides the record's identity, tenant and date; every other field is removed. */
            keepFields: z.array(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/)).optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type ErasureRules = z.infer<typeof erasureSchema>;

export const packFileSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_-]*$/),
    extends: z.string().optional(),
    version: z.string().min(1),
    source,
    /** Below this age nobody registers, whatever a guardian says (AGE_RESTRICTED). */
    minimumAge: z.object({ age, source }),
    /**
     * The guardian route. `none`: there is none (below `minimumAge` refused, above it alone).
     * `confirmed`: users admitted below `belowAge` need their guardian's consent, confirmed by the
     * guardian (a one-time token sent to the guardian, redeemed by another caller) — never a flag
     * the child sets; until then the account is decided as a minor without consent.
     */
    guardian: z.discriminatedUnion('mode', [
      z.object({ mode: z.literal('none'), source }).strict(),
      z.object({ mode: z.literal('confirmed'), belowAge: age, source }).strict(),
    ]),
    /** Ages admitted on their own although a guardian route would apply (e.g. 004: 13–15). Optional. */
    admittedBand: z.object({ fromAge: age, belowAge: age, source }).strict().optional(),
    minors: z.object({ age, restrictedPurposes: z.array(purpose), source }),
    /**
     * Purposes that need consent, each with the version of its own terms: a consent counts only when
     * recorded under that version, so changing one purpose's terms re-asks consent for it alone.
     */
    consent: z.array(z.object({ purpose, version: z.string().min(1).max(64), source }).strict()),
    /**
     * `max`: redacted once older than `days`; `floor`: a legal hold, kept at least `days` (never
     * redacted or deleted for age before then, and not a maximum). The most specific category wins.
     */
    /**
     * Purposes a data subject may object to (`objectToProcessing`, GDPR Art. 21): those resting on
     * legitimate interests, direct marketing, profiling. A purpose's children are objectable with it.
     */
    objectable: z.array(z.object({ purpose, source }).strict()),
    retention: z.array(retentionRuleSchema),
    grants: z.array(grantSchema).min(1),
    /**
     * Purposes this pack adds to or removes from a field (`Type.field`), e.g. SMS marketing on
     * `User.phone`. Coordinates and removed purposes are checked against the served schema when the
     * gateway starts. Default: none.
     */
    fieldPurposes: z
      .array(
        z
          .object({
            coordinate: z.string().regex(/^[A-Z][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, 'a field coordinate is Type.field'),
            add: z.array(purpose).optional(),
            remove: z.array(purpose).optional(),
            source,
          })
          .strict(),
      )
      .optional(),
    /** Purposes this pack treats as model training, beyond the built-in ones. Default: none. */
    trainingPurposes: z.array(z.object({ purpose, source })).optional(),
    /** Categories that, like `user.content`, leave to other callers only with consent or a legal basis. Default: none. */
    consentOnlyCategories: z.array(z.object({ category, source })).optional(),
    /** What the pack's document says of the processing (law, role, controller, sub-processors, transfers, breach notice). Required for a seed's pack. */
    facts: packFactsSchema.optional(),
    /** Every clause of the document and what enforces it (docs/packs/<pack>.md is generated from it). Required for a seed's pack. */
    coverage: z.array(coverageEntrySchema).optional(),
    aggregateOnly: aggregateOnlySchema.optional(),
    developerData: developerDataSchema.optional(),
    privateContent: privateContentSchema.optional(),
    /**
     * How `eraseMyAccount` is honoured (GDPR Art. 17): after `graceDays` (0: within the request) every
     * record about the subject is deleted and their data key destroyed, except the collections under
     * a `legalHold`, which are kept with their personal fields removed. Base sets it; a pack may override.
     */
    erasure: erasureSchema.optional(),
    /** Who may export and delete the whole tenant at the end of the contract (end-of-contract.ts). Default: nobody. */
    endOfContract: endOfContractSchema.optional(),
  })
  .strict();

/** A pack file may extend another and override whole top-level keys. */
export const partialPackFileSchema = packFileSchema.partial().required({ name: true });

export type Grant = z.infer<typeof grantSchema>;
export type ConsentRule = PackFile['consent'][number];
export type PackFile = z.infer<typeof packFileSchema>;
export type LegalBasis = (typeof LEGAL_BASES)[number];
