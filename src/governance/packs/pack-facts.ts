import { z } from 'zod';

/** Where a fact or a coverage line comes from: a clause of the pack's document. */
const clause = z.string().min(3);

/**
 * What a pack's document says about the processing as a whole — who is responsible, under which
 * law, who else receives data, where it goes, how breaches are notified. `policy`, the record of
 * processing and evidence bundles print these; a fact the document does not state is `null`
 * ("not stated"), never a default.
 */
export const packFactsSchema = z
  .object({
    document: z.object({ title: z.string().min(1), seed: z.string().regex(/^\d{3}$/), lastUpdated: z.string().nullable(), language: z.string().min(2) }).strict(),
    jurisdiction: z.object({ law: z.string().min(2), framework: z.enum(['GDPR', 'PIPL', 'RU-152-FZ']), country: z.string().length(2), source: clause }).strict(),
    role: z.object({ role: z.enum(['controller', 'processor']), source: clause }).strict(),
    controller: z.object({ name: z.string().min(1).nullable(), address: z.string().nullable(), contact: z.string().nullable(), source: clause }).strict(),
    dpo: z.object({ contact: z.string().min(3), source: clause }).strict().nullable(),
    subProcessors: z.array(z.object({ name: z.string().min(1), country: z.string().nullable(), purpose: z.string().min(3), source: clause }).strict()),
    transfers: z
      .object({
        /** Where data must stay (ISO country), or null when the document sets no residency. */
        residency: z.string().length(2).nullable(),
        /** Safeguards for transfers abroad the document names (e.g. SCCs), empty when it names none. */
        safeguards: z.array(z.string().min(2)),
        source: clause,
      })
      .strict(),
    breachNotice: z.object({ statement: z.string().min(3), source: clause }).strict().nullable(),
  })
  .strict();

/**
 * One clause of the pack's document and what the gateway does about it: `enforced` by a rule of
 * the pack or the engine (named in `by`), `partial`, `planned` (an open issue), or
 * `not-enforceable` by a gateway (with the reason).
 */
export const coverageEntrySchema = z
  .object({
    clause,
    promise: z.string().min(3),
    status: z.enum(['enforced', 'partial', 'planned', 'not-enforceable']),
    by: z.string().min(3).nullable(),
    reason: z.string().min(3).nullable(),
  })
  .strict()
  .refine((e) => (e.status === 'not-enforceable' || e.status === 'planned' ? e.reason !== null : e.by !== null), {
    message: 'enforced/partial entries name what enforces them (by); planned/not-enforceable ones give a reason',
  });

export type PackFacts = z.infer<typeof packFactsSchema>;
export type CoverageEntry = z.infer<typeof coverageEntrySchema>;
