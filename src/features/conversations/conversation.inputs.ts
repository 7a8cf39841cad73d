import { z } from 'zod';
import { MESSAGE_ROLES } from './message.model.js';

export const startConversationSchema = z.object({ title: z.string().trim().min(1).max(500).nullish() });

export const addMessageSchema = z.object({
  conversationId: z.string().regex(/^[a-f0-9]{24}$/, 'not a conversation id'),
  role: z.enum(MESSAGE_ROLES),
  content: z.string().min(1).max(100_000),
});
