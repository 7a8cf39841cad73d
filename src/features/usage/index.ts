import './usage.schema.js';

export { ApiUsageRecordRef } from './usage.schema.js';
export { usageLoaders, type UsageLoaders } from './usage.loaders.js';
export { apiUsageModel, type ApiUsageDoc, type ApiUsageModel } from './api-usage.model.js';
