export { tenantModel, ensureTenant, type TenantDoc, type TenantModel } from './tenant.model.js';
