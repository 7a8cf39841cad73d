import './statistics.schema.js';

export { DIMENSIONS, type DimensionName } from './dimensions.js';
export { MIN_GROUP_SUBJECTS } from './aggregate.js';
