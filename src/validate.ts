import type { z } from 'zod';
import { GovgateError } from './errors.js';

/** Parse client input; a failure names the offending field, never echoes its value. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
  const first = issues[0];
  throw new GovgateError('BAD_USER_INPUT', first ? `${first.field || 'input'}: ${first.message}` : 'invalid input', {
    extensions: { issues },
  });
}
