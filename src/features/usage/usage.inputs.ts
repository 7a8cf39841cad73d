import { z } from 'zod';
import { subjectIdSchema } from '../../auth/index.js';

export const apiUsageInputSchema = z.object({
  subject: subjectIdSchema,
  operation: z.string().trim().min(1).max(200),
  model: z.string().trim().min(1).max(100).nullish(),
  statusCode: z.number().int().min(100).max(599),
  latencyMs: z.number().int().min(0).max(3_600_000),
  ipAddress: z.union([z.ipv4(), z.ipv6()], { error: 'not an IP address' }).nullish(),
  userAgent: z.string().min(1).max(500).nullish(),
});
