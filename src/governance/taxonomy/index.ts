export { CATEGORIES, NON_PERSONAL_ROOT, isCategory, isPersonal } from './categories.js';
export { PURPOSES, isPurpose } from './purposes.js';
export { anyCovers, closeUpwards, covers, lineage } from './hierarchy.js';
