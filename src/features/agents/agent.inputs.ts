import { z } from 'zod';
import { ID_PATTERN } from '../../db/ids.js';

/** A support grant runs at least a minute and at most a day: access is for one troubleshooting session. */
export const SUPPORT_GRANT_MINUTES = { min: 1, max: 1440 } as const;

const agentId = z.string().regex(ID_PATTERN, 'not an agent id');

export const createAgentSchema = z.object({
  name: z.string().trim().min(1).max(200),
  instructions: z.string().min(1).max(50_000),
});

export const addKnowledgeSchema = z.object({
  agentId,
  title: z.string().trim().min(1).max(500),
  content: z.string().min(1).max(100_000),
});

export const grantSupportSchema = z.object({
  agentId,
  minutes: z
    .number()
    .int()
    .min(SUPPORT_GRANT_MINUTES.min, `must be between ${SUPPORT_GRANT_MINUTES.min} and ${SUPPORT_GRANT_MINUTES.max}`)
    .max(SUPPORT_GRANT_MINUTES.max, `must be between ${SUPPORT_GRANT_MINUTES.min} and ${SUPPORT_GRANT_MINUTES.max}`),
});

export const agentIdSchema = z.object({ agentId });
