import { z } from 'zod';
import { TRANSACTION_STATUSES } from './transaction.model.js';

export const subjectSchema = z.string().min(1).max(256);

export const transactionInputSchema = z.object({
  subject: subjectSchema,
  amount: z.number().int().min(-1_000_000_000).max(1_000_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'not an ISO 4217 code'),
  status: z.enum(TRANSACTION_STATUSES),
});
