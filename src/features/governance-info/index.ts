import './governance-info.schema.js';
import './taxonomy.schema.js';

export { TaxonomyEntryRef } from './taxonomy.schema.js';
export { PackFactsRef } from './pack-facts.schema.js';
