import { z } from 'zod';
import { ROLES } from '../../auth/caller.js';

/**
 * Pack field `aggregateOnly`: roles whose grants serve aggregates only (000 §2.7, 002 1.2(7),
 * 003 §3, 004 §5.2: statistics on anonymised data). Their grants let `usageStatistics` count a
 * subject (k-anonymised, no subject id), but release no single record: any field they read row by
 * row is redacted with reason ROLE. Default (no field): grants release rows as usual.
 */
export const aggregateOnlySchema = z.array(z.object({ role: z.enum(ROLES), source: z.string().min(3) }).strict());
