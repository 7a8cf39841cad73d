export { EMPTY_ROOT, leafHash, nodeHash, rootsOf, subtreeRoot, type SubtreeRoots } from './hash.js';
export { MerkleFrontier } from './frontier.js';
export { consistencyProof, verifyConsistency } from './consistency.js';
export { rangeProof, rootFromRange } from './range.js';
