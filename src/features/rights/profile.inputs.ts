import { z } from 'zod';
import { registerInputSchema } from '../users/user.inputs.js';

/** Client text is trimmed before it is checked, as registration trims names. */
const trimmed = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), schema);

const fields = registerInputSchema.shape;

/**
 * Art. 16 rectification: the profile fields registration takes, each optional, with registration's
 * own rules and limits. `phone: null` removes the phone number; the other fields cannot be removed
 * (null is refused), only corrected. At least one field must be given.
 */
export const profileInputSchema = z
  .object({
    displayName: fields.displayName.optional(),
    email: trimmed(fields.email).optional(),
    phone: trimmed(fields.phone).optional(),
    country: trimmed(fields.country).optional(),
    birthDate: fields.birthDate.optional(),
  })
  .refine((input) => Object.values(input).some((v) => v !== undefined), { message: 'give at least one field to change' });

export type ProfileInput = z.infer<typeof profileInputSchema>;

/** The profile fields, as `User` coordinates (what an audit event may name: never a value). */
export const PROFILE_FIELDS = ['displayName', 'email', 'phone', 'country', 'birthDate'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
