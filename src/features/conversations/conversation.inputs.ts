import { z } from 'zod';
import { ID_PATTERN } from '../../db/ids.js';
import { MESSAGE_ROLES } from './message.model.js';

export const startConversationSchema = z.object({ title: z.string().trim().min(1).max(500).nullish() });

export const addMessageSchema = z.object({
  conversationId: z.string().regex(ID_PATTERN, 'not a conversation id'),
  role: z.enum(MESSAGE_ROLES),
  content: z.string().min(1).max(100_000),
});

export const keepConversationSchema = z.object({ id: z.string().regex(ID_PATTERN, 'not a conversation id') });
