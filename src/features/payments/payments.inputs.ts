import { z } from 'zod';
import { subjectIdSchema } from '../../auth/index.js';
import { TRANSACTION_STATUSES } from './transaction.model.js';

export const transactionInputSchema = z.object({
  subject: subjectIdSchema,
  amount: z.number().int().min(-1_000_000_000).max(1_000_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'not an ISO 4217 code'),
  status: z.enum(TRANSACTION_STATUSES),
});
