import { Schema, type Connection, type Model } from 'mongoose';
import type { OptOutPeriod } from '../../governance/opt-out.js';

/** A tenant exists as soon as a token names it; the record is created on first write. */
export interface TenantDoc {
  _id: string;
  name: string;
  /** The tenant's model-improvement opt-outs (001 §7.6), set by its tenant_admin; sealed with `seal`. */
  mipOptOutPeriods?: OptOutPeriod[];
  seal?: string | null;
  createdAt: Date;
}

export const tenantSchema = new Schema<TenantDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    mipOptOutPeriods: { type: [new Schema<OptOutPeriod>({ from: { type: Date, required: true }, until: { type: Date, default: null } }, { _id: false })], default: undefined },
    seal: { type: String, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, collection: 'tenants' },
);

export type TenantModel = Model<TenantDoc>;
export const tenantModel = (connection: Connection): TenantModel =>
  connection.models.Tenant ?? connection.model<TenantDoc>('Tenant', tenantSchema);
