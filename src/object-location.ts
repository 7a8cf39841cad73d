import { z } from 'zod';

/** An object-store key: no scheme, no spaces, no `..` segment. */
const OBJECT_KEY = /^(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9][A-Za-z0-9._\-/]{0,1023}$/;

/**
 * Where a stored file is: an https URL or an object-store key. The gateway keeps the reference,
 * never the bytes. Messages never repeat the value.
 */
export const objectLocationSchema = z
  .string()
  .max(2048, 'too long')
  .refine((value) => OBJECT_KEY.test(value) || z.url({ protocol: /^https$/ }).safeParse(value).success, { message: 'must be an https URL or an object key' });
