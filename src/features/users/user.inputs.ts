import { z } from 'zod';

/** ISO date at least this many years ago is implausible as a birth date. */
const OLDEST_YEARS = 130;

/** A guardian's name and e-mail: where their confirmation request goes. */
export const guardianContactSchema = z.object({ name: z.string().trim().min(1).max(200), email: z.email().max(320) });

export const registerInputSchema = z.object({
  displayName: z.string().trim().min(1).max(200),
  email: z.email().max(320),
  phone: z
    .string()
    .regex(/^\+?[0-9 ()-]{4,40}$/, 'phone must contain digits, spaces, dashes and an optional leading +')
    .nullish(),
  birthDate: z
    .date()
    .refine((d) => d.getTime() <= Date.now(), 'birthDate cannot be in the future')
    .refine((d) => d.getUTCFullYear() >= new Date().getUTCFullYear() - OLDEST_YEARS, 'birthDate is implausible'),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'country must be an ISO 3166-1 alpha-2 code')
    .transform((c) => c.toUpperCase()),
  policyVersion: z.string().min(1).max(64).nullish(),
  // `consent` is the child's statement and is never stored: only the guardian's own confirmation counts.
  guardian: guardianContactSchema.extend({ consent: z.boolean() }).nullish(),
});

export type RegisterInput = z.infer<typeof registerInputSchema>;
