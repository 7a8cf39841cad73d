export { tenantModel, type TenantDoc, type TenantModel } from './tenant.model.js';
export { ensureTenant, tenantOptOutPeriods, setTenantOptOut } from './tenant-opt-out.js';
