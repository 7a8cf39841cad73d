import './governance-info.schema.js';
import './taxonomy.schema.js';

export { TaxonomyEntryRef } from './taxonomy.schema.js';
