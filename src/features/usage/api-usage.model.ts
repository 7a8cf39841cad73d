import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../../db/ids.js';

/**
 * Metadata of one API call (003 §1.2 usage, device and log data; §1.3 "not including request
 * content"), written by a platform service on behalf of the calling user.
 */
export interface ApiUsageDoc {
  _id: string;
  tenant: string;
  /** The user whose call it was. */
  owner: string;
  /** Endpoint or operation called, e.g. `POST /v1/chat`. */
  operation: string;
  /** Model or agent kind the call used, if any. */
  model?: string | null;
  statusCode: number;
  latencyMs: number;
  ipAddress?: string | null;
  userAgent?: string | null;
  /** The call was made under a model-improvement opt-out. */
  mipOptOut: boolean;
  createdAt: Date;
}

export const apiUsageSchema = new Schema<ApiUsageDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    owner: { type: String, required: true },
    operation: { type: String, required: true, maxlength: 200 },
    model: { type: String, default: null, maxlength: 100 },
    statusCode: { type: Number, required: true },
    latencyMs: { type: Number, required: true },
    ipAddress: { type: String, default: null, maxlength: 45 },
    userAgent: { type: String, default: null, maxlength: 500 },
    mipOptOut: { type: Boolean, default: false },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, collection: 'api_usage' },
);
apiUsageSchema.index({ tenant: 1, owner: 1, _id: 1 });
// Statistics read a tenant's records inside the retention window.
apiUsageSchema.index({ tenant: 1, createdAt: 1 });

export type ApiUsageModel = Model<ApiUsageDoc>;
export const apiUsageModel = (connection: Connection): ApiUsageModel =>
  connection.models.ApiUsage ?? connection.model<ApiUsageDoc>('ApiUsage', apiUsageSchema);
