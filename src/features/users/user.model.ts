import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../../db/ids.js';
import { sealOnWrite } from '../../db/seal-on-write.js';
import type { OptOutPeriod } from '../../governance/opt-out.js';

export interface GuardianDoc {
  name: string;
  email: string;
  /** True only once the guardian confirmed (confirmGuardianConsent); the child's own flag is never stored here. */
  consent: boolean;
  /** When the guardian was named (registration or requestGuardianConfirmation). */
  at: Date;
  confirmedAt?: Date | null;
  /** The subject of the account that redeemed the guardian's token. */
  confirmedBy?: string | null;
}

/** Erasure is a state, not only a deletion: the record proves the request was honoured. */
export type ErasureState = 'ACTIVE' | 'ERASURE_PENDING' | 'ERASED';

export interface UserDoc {
  _id: string;
  tenant: string;
  /** The `sub` of this user's tokens; unique within a tenant. */
  subject: string;
  displayName: string;
  email: string;
  phone?: string | null;
  birthDate?: Date | null;
  /** ISO 3166-1 alpha-2. */
  country?: string | null;
  /** Policy version the user accepted at registration. */
  policyVersion: string;
  guardian?: GuardianDoc | null;
  /** Art. 18: processing restricted. */
  restricted: boolean;
  /** Art. 21: purposes the user objected to. */
  objections: string[];
  erasure: ErasureState;
  erasedAt?: Date | null;
  /** With ERASURE_PENDING: when the erasure is carried out (sealed: the sweeper erases on it). */
  erasureDueAt?: Date | null;
  /** Model-improvement opt-outs of the account (sealed; 001 §7.6): content created in a period is never used for training. */
  mipOptOutPeriods?: OptOutPeriod[];
  /** HMAC over the governance fields (src/governance/state-seal.ts); missing or wrong: decided most restrictively. */
  seal?: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const guardianSchema = new Schema<GuardianDoc>(
  {
    name: { type: String, required: true },
    email: { type: String, required: true },
    consent: { type: Boolean, required: true },
    at: { type: Date, required: true },
    confirmedAt: { type: Date, default: null },
    confirmedBy: { type: String, default: null },
  },
  { _id: false },
);

export const userSchema = new Schema<UserDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    subject: { type: String, required: true },
    displayName: { type: String, required: true, maxlength: 200 },
    email: { type: String, required: true, maxlength: 320 },
    phone: { type: String, default: null, maxlength: 40 },
    birthDate: { type: Date, default: null },
    country: { type: String, default: null, match: /^[A-Z]{2}$/ },
    policyVersion: { type: String, required: true },
    guardian: { type: guardianSchema, default: null },
    restricted: { type: Boolean, default: false },
    objections: { type: [String], default: [] },
    erasure: { type: String, enum: ['ACTIVE', 'ERASURE_PENDING', 'ERASED'], default: 'ACTIVE' },
    erasedAt: { type: Date, default: null },
    erasureDueAt: { type: Date, default: null },
    mipOptOutPeriods: { type: [new Schema<OptOutPeriod>({ from: { type: Date, required: true }, until: { type: Date, default: null } }, { _id: false })], default: undefined },
    seal: { type: String, default: null },
  },
  { timestamps: true, versionKey: false, collection: 'users' },
);
// Every read is tenant-scoped; (tenant, subject) is the user's identity, (tenant, _id) pages the list.
userSchema.index({ tenant: 1, subject: 1 }, { unique: true });
userSchema.index({ tenant: 1, _id: 1 });
// The erasure sweeper's query: pending erasures by due date.
userSchema.index({ erasure: 1, erasureDueAt: 1 });
/** What the user seal covers: every field a decision reads. */
export const USER_SEALED_PATHS = ['tenant', 'subject', 'restricted', 'objections', 'erasure', 'erasureDueAt', 'birthDate', 'guardian', 'mipOptOutPeriods'] as const;
userSchema.plugin(sealOnWrite<UserDoc>, { paths: USER_SEALED_PATHS, sealOf: (seal, user) => seal.user(user) });

export type UserModel = Model<UserDoc>;
export const userModel = (connection: Connection): UserModel =>
  connection.models.User ?? connection.model<UserDoc>('User', userSchema);
