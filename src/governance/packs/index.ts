export { PACK_VERSIONS } from './pack-versions.js';
