import { z } from 'zod';
import { parseInput } from '../validate.js';
import type { AuthenticatedCaller } from './caller.js';
import { idPattern } from './verifier.js';

/** A user id as an argument: the shape a token's `sub` must have. */
export const subjectIdSchema = z.string().regex(idPattern, 'not a user id');

/** The user a query names (validated, never echoed), or the caller when it names none. */
export function subjectOrCaller(caller: AuthenticatedCaller, subject: string | number | null | undefined): string {
  return subject === null || subject === undefined ? caller.subject : parseInput(subjectIdSchema, String(subject));
}
