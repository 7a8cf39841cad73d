export { loadPolicyPack, readPackFile, PackError, DEFAULT_POLICY_DIR, type LoadPackOptions } from './load-pack.js';
export { createPolicyPack, type PolicyPack } from './policy-pack.js';
export type { ConsentRule, Grant, PackFile } from './pack-schema.js';
export { isoDays, type Retention, type RetentionRule } from './retention.js';
export type { AgeAdmission } from './age-admission.js';
export { SWEEP_TARGETS, sweepRuleFor } from './sweep-targets.js';
export { SWEEPABLE_COLLECTIONS, type SweepableCollection } from './pack-schema.js';
