export { CATEGORIES, NON_PERSONAL_ROOT, categoryRecord, isCategory, isPersonal, unknownCategoryReason } from './categories.js';
export { PURPOSES, isPurpose, purposeRecord } from './purposes.js';
export { anyCovers, covers, lineage } from './hierarchy.js';
export { DATA_CATEGORIES, REPLACED_CATEGORIES } from './data-categories.js';
export { DATA_USES } from './data-uses.js';
export type { ReplacedKey, TaxonomyRecord } from './taxonomy-record.js';
