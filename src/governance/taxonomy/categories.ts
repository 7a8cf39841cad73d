import { closeUpwards } from './hierarchy.js';

/**
 * Data categories: fideslang names where one exists, extended for AI platforms
 * (`user.content.private.*`). Declared by their leaves; parents follow.
 */
const LEAVES = [
  'user.unique_id',
  'user.name',
  'user.contact.email',
  'user.contact.phone_number',
  'user.contact.address',
  'user.demographic.date_of_birth',
  'user.account.username',
  'user.account.settings',
  'user.authorization.credentials',
  'user.device.ip_address',
  'user.device.device_id',
  'user.location.imprecise',
  'user.location.precise',
  'user.financial.payment',
  'user.financial.bank_account',
  'user.biometric.voice',
  'user.biometric.face',
  'user.content.self_image',
  'user.content.private.ai_prompt',
  'user.content.private.ai_output',
  'user.content.private.agent_instruction',
  'user.content.private.knowledge_base',
  'user.content.private.upload',
  'user.content.private.generated_media',
  'user.content.public',
  'user.behavior.api_usage',
  'user.behavior.browsing_history',
  'user.privacy_preferences',
  'user.childrens',
  'system.operations',
  'system.authentication',
] as const;

export const CATEGORIES: ReadonlySet<string> = closeUpwards(LEAVES);

/** Categories that are not personal data: fields of these are never wrapped and cost nothing. */
export const NON_PERSONAL_ROOT = 'system';

export const isCategory = (key: string): boolean => CATEGORIES.has(key);
export const isPersonal = (category: string): boolean => category !== NON_PERSONAL_ROOT && !category.startsWith(`${NON_PERSONAL_ROOT}.`);
