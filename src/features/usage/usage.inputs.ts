import { z } from 'zod';

/** A token subject, as the service names the user whose call it records. */
export const subjectSchema = z.string().min(1).max(256);

export const apiUsageInputSchema = z.object({
  subject: subjectSchema,
  operation: z.string().trim().min(1).max(200),
  model: z.string().trim().min(1).max(100).nullish(),
  statusCode: z.number().int().min(100).max(599),
  latencyMs: z.number().int().min(0).max(3_600_000),
  ipAddress: z.union([z.ipv4(), z.ipv6()], { error: 'not an IP address' }).nullish(),
  userAgent: z.string().min(1).max(500).nullish(),
});
