import { extension, fideslang, type ReplacedKey, type TaxonomyRecord } from './taxonomy-record.js';

// fideslang 3.2.0 is the taxonomy of fideslang's `ns-fideslang-3-2` branch (docs/migration/v3.2.0.md);
// the latest release on PyPI is 3.1.4. Keys it adds are used here because the keys they replace are
// deprecated there; everything marked 2.0.0 is unchanged in both.
const V2 = '2.0.0';
const V3_2 = '3.2.0';

/**
 * Data categories: fideslang's where it has one, govgate extensions where it has none (AI prompts
 * and outputs, agent instructions, uploads, generated media, API usage, face data). Every parent
 * of a key is a record too (checked by test/governance/taxonomy.test.ts).
 */
export const DATA_CATEGORIES: readonly TaxonomyRecord[] = Object.freeze([
  fideslang('system', 'System Data', 'Data unique to, and under control of the system.', V2),
  fideslang('system.authentication', 'Authentication Data', 'Data used to manage access to the system.', V2),
  fideslang('system.operations', 'Operations Data', 'Data used for system operations.', V2),
  fideslang('user', 'User Data', 'Data related to the user of the system, either provided directly or derived based on their usage.', V2),
  fideslang('user.unique_id', 'Unique ID', 'Unique identifier for a user assigned through system use.', V2),
  fideslang('user.name', 'Name', "User's real name.", V2),
  fideslang('user.contact', 'Contact Data', 'Contact data collected about a user.', V2),
  fideslang('user.contact.email', 'User Contact Email', "User's contact email address.", V2),
  fideslang('user.contact.phone_number', 'User Contact Phone Number', "User's phone number.", V2),
  fideslang('user.contact.address', 'User Contact Address', 'Contact address data collected about a user.', V2),
  fideslang('user.demographic', 'Demographic Data', 'Demographic data about a user.', V2),
  fideslang('user.demographic.date_of_birth', 'Birth Date', 'Date of birth of data subject.', V2),
  fideslang('user.account', 'Account Information', 'Account creation or registration information.', V2),
  fideslang('user.account.username', 'Account Username', 'Username associated with account.', V2),
  fideslang('user.settings', 'User Settings', 'User preferences and settings data.', V3_2),
  fideslang('user.authorization', 'Authorization Information', 'Scope of permissions and access to a system.', V2),
  fideslang('user.authorization.credentials', 'Account password', 'Authentication credentials to a system.', V2),
  fideslang('user.device', 'Device Data', "Data related to a user's device, configuration and setting.", V2),
  fideslang('user.device.ip_address', 'IP Address', 'Unique identifier related to device connection.', V2),
  fideslang('user.device.device_id', 'Device ID', 'Device unique identification number.', V2),
  fideslang('user.location', 'Location Data', 'Records of the location of a user.', V2),
  fideslang('user.location.coarse', 'Coarse Subject Location', 'Coarse location derived from sensors (more than 500M).', V3_2),
  fideslang('user.location.precise', 'Precise Subject Location', 'Precise location derived from sensors (less than 500M).', V2),
  fideslang('user.financial', 'Financial Data', 'Payment data and financial history.', V2),
  fideslang('user.financial.bank_account', 'Bank Account Information', 'Bank account information belonging to the subject.', V2),
  fideslang('user.financial.credit_card', 'Credit Card Information', 'Credit card information belonging to the subject.', V2),
  fideslang('user.biometrics', 'Biometrics', 'Encoded characteristics provided by a user.', V3_2),
  fideslang('user.biometrics.voice', 'Voice Data', 'Voice encoded data about a subject.', V3_2),
  extension('user.biometrics.face', 'Face Data (govgate)', 'Facial geometry or expressions encoded from images or video of the subject (fideslang has no face key).'),
  fideslang('user.content', 'User Content', 'Content related to, or created by the subject.', V2),
  fideslang('user.content.self_image', 'User Image', 'Photograph or image in which subject is whole or partially recognized.', V2),
  fideslang('user.content.public', 'Public Content', 'Publicly shared Content related to, or created by the subject.', V2),
  fideslang('user.content.private', 'Private Content', 'Private content related to, or created by the subject, not publicly available.', V2),
  extension('user.content.private.ai_prompt', 'AI Prompt (govgate)', 'What the subject writes to an AI model: prompts, questions, conversation titles.'),
  extension('user.content.private.ai_output', 'AI Output (govgate)', "What an AI model answers the subject: completions and derived analysis results."),
  extension('user.content.private.agent_instruction', 'Agent Instruction (govgate)', 'Instructions and configuration the subject writes to build an AI agent.'),
  extension('user.content.private.knowledge_base', 'Agent Knowledge Base (govgate)', 'Documents and records a developer gives an AI agent to draw on (developer data).'),
  extension('user.content.private.upload', 'Upload (govgate)', 'Files the subject uploads for processing: documents, audio, video, images.'),
  extension('user.content.private.generated_media', 'Generated Media (govgate)', 'Images, audio or video an AI model generates for the subject, while private.'),
  fideslang('user.behavior', 'Observed Behavior', 'Behavioral data about the subject.', V2),
  fideslang('user.behavior.browsing_history', 'Browsing History', 'Content browsing history of a user.', V2),
  extension('user.behavior.api_usage', 'API Usage (govgate)', "Metadata of the subject's API calls (endpoint, time, size, status), not their content."),
  fideslang('user.privacy_preferences', 'Privacy Preferences', 'Privacy preferences or settings set by the subject.', V2),
  fideslang('user.children', 'Children', 'Data relating to children.', V3_2),
  fideslang('user.children.children_under_thirteen', 'Children Under Thirteen', 'Data relating to children under the age of thirteen.', V3_2),
  fideslang('user.children.thirteen_to_sixteen', 'Children Thirteen to Sixteen', 'Data relating to children between the ages of thirteen and sixteen.', V3_2),
]);

/**
 * Keys no longer accepted, with the key to use: fideslang 3.2.0's `replaced_by` for the keys govgate
 * used, and one govgate key that had a fideslang equivalent all along.
 */
export const REPLACED_CATEGORIES: readonly ReplacedKey[] = Object.freeze([
  { key: 'user.childrens', replacedBy: 'user.children', since: 'fideslang 3.2.0' },
  { key: 'user.biometric', replacedBy: 'user.biometrics', since: 'fideslang 3.2.0' },
  { key: 'user.biometric.voice', replacedBy: 'user.biometrics.voice', since: 'fideslang 3.2.0' },
  { key: 'user.biometric.face', replacedBy: 'user.biometrics.face', since: 'fideslang 3.2.0 (user.biometric → user.biometrics)' },
  { key: 'user.location.imprecise', replacedBy: 'user.location.coarse', since: 'fideslang 3.2.0' },
  { key: 'user.account.settings', replacedBy: 'user.settings', since: 'fideslang 3.2.0' },
  { key: 'user.financial.payment', replacedBy: 'user.financial', since: 'govgate: fideslang\'s user.financial is "payment data and financial history"' },
]);
