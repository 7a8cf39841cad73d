import type { PolicyPackName } from '../../config.js';

/**
 * Version of each pack's terms. A consent or acceptance recorded under another version does not
 * count where the terms changed. Versions follow the seed documents' own dates where they give one.
 */
export const PACK_VERSIONS: Readonly<Record<PolicyPackName, string>> = Object.freeze({
  ihuman: '000-2025.1',
  interhuman: '001-2025.1',
  aiwellflow: '002-2025.1',
  deepailab: '003-2025.1',
  hartsy: '004-2024-01-03',
});
