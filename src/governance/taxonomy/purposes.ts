import { closeUpwards } from './hierarchy.js';

/** Purposes (fideslang data uses). Declared by their leaves; parents follow. */
const LEAVES = [
  'essential.service',
  'essential.service.authentication',
  'essential.service.payment_processing',
  'essential.service.security',
  'essential.service.operations.support',
  'essential.legal_obligation',
  'analytics.reporting',
  'functional.service.improve',
  'personalize',
  'marketing.communications',
  'train_ai_system',
  'third_party_sharing',
] as const;

export const PURPOSES: ReadonlySet<string> = closeUpwards(LEAVES);

export const isPurpose = (key: string): boolean => PURPOSES.has(key);
