export { tenantModel, ensureTenant, type TenantDoc, type TenantModel } from './tenant.model.js';
export { tenantOptOutPeriods, setTenantOptOut } from './tenant-opt-out.js';
