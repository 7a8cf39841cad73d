export { applyStrategy, needsValue, type RedactContext } from './apply.js';
export { createPseudonymizer, type Pseudonymizer } from './pseudonym.js';
export { maskEmail, maskGeneric, maskPhone } from './mask.js';
export { ageBand, generalizeToCountry, generalizeToYear } from './generalize.js';
