export { loadPolicyPack, createPolicyPack, PACK_VERSIONS, PackError, type PolicyPack, type PackFile, type Grant } from './packs/index.js';
export { governedRequestOf, type GovernedRequest } from './plugin/governed-request.js';
export { createPseudonymizer, type Pseudonymizer } from './redact/index.js';
export { governedFieldsOf } from './registry.js';
export { staticVerdict, decideWithState, decideWithoutState, type ValueFacts } from './decide.js';
export * from './types.js';
export { pseudonymSecretFor } from './pseudonym-secret.js';
export { governedDirective } from './governed-directive.js';
