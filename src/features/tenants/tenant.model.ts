import { Schema, type Connection, type Model } from 'mongoose';

/** A tenant exists as soon as a token names it; the record is created on first write. */
export interface TenantDoc {
  _id: string;
  name: string;
  createdAt: Date;
}

export const tenantSchema = new Schema<TenantDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, collection: 'tenants' },
);

export type TenantModel = Model<TenantDoc>;
export const tenantModel = (connection: Connection): TenantModel =>
  connection.models.Tenant ?? connection.model<TenantDoc>('Tenant', tenantSchema);

/** Idempotent: make sure the tenant named by a token has a record. */
export async function ensureTenant(model: TenantModel, tenant: string): Promise<void> {
  await model.updateOne({ _id: tenant }, { $setOnInsert: { name: tenant } }, { upsert: true });
}
