import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../../db/ids.js';
import { sealOnWrite } from '../../db/seal-on-write.js';
import type { SealableFields, StateSeal } from '../../governance/state-seal.js';

/**
 * A developer's permission for platform support to read one agent's developer data until
 * `expiresAt` (002 §1.5 4.2: "at your request ... for troubleshooting"). It releases data, so it
 * is sealed like consent: a grant whose seal does not verify counts as absent.
 */
export interface SupportGrantDoc {
  _id: string;
  tenant: string;
  /** The developer who granted it: the agent's owner. */
  owner: string;
  agentId: string;
  expiresAt: Date;
  createdAt: Date;
  seal?: string | null;
}

export const SUPPORT_GRANT_SEAL_KIND = 'support_grant';

/** Every field a decision reads, as sealed. */
export const supportGrantSealFields = (g: Omit<SupportGrantDoc, 'seal'>): SealableFields => ({
  id: g._id,
  tenant: g.tenant,
  owner: g.owner,
  agentId: g.agentId,
  expiresAt: g.expiresAt,
  createdAt: g.createdAt,
});

export const sealSupportGrant = (seal: StateSeal, g: Omit<SupportGrantDoc, 'seal'>): string => seal.record(SUPPORT_GRANT_SEAL_KIND, supportGrantSealFields(g));
/** False for a missing or wrong seal and for fields of the wrong type (a raw write). */
export const verifySupportGrant = (seal: StateSeal, g: SupportGrantDoc): boolean => seal.verifyRecord(SUPPORT_GRANT_SEAL_KIND, supportGrantSealFields(g), g.seal);

export const supportGrantSchema = new Schema<SupportGrantDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    owner: { type: String, required: true },
    agentId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    // Not mongoose timestamps: those are set after validation, where the seal is computed.
    createdAt: { type: Date, required: true, default: () => new Date() },
    seal: { type: String, default: null },
  },
  { versionKey: false, collection: 'support_grants' },
);
supportGrantSchema.index({ tenant: 1, owner: 1, expiresAt: 1 });
supportGrantSchema.plugin(sealOnWrite<SupportGrantDoc>, {
  paths: ['_id', 'tenant', 'owner', 'agentId', 'expiresAt', 'createdAt'],
  sealOf: (seal, g) => sealSupportGrant(seal, g),
});

export type SupportGrantModel = Model<SupportGrantDoc>;
export const supportGrantModel = (connection: Connection): SupportGrantModel =>
  connection.models.SupportGrant ?? connection.model<SupportGrantDoc>('SupportGrant', supportGrantSchema);
