import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../../db/ids.js';

export const DSR_KINDS = ['ERASURE', 'CONVERSATION_DELETION', 'EXPORT', 'RECTIFICATION', 'ACCESS_LOG'] as const;
export type DsrKind = (typeof DSR_KINDS)[number];
export const DSR_STATUSES = ['PENDING', 'COMPLETED', 'REJECTED'] as const;
export type DsrStatus = (typeof DSR_STATUSES)[number];

/** GDPR Art. 12(3): an extension by up to two further months, with its reason. */
export interface DsrExtension {
  until: Date;
  reason: string;
  at: Date;
}

/**
 * One data-subject request (GDPR Art. 12–22) and how it was answered. The subject is named by their
 * audit pseudonym (`sr_…`, a MAC under their own data key), never in clear — except `subject` on an
 * erasure still waiting for its grace period, which the sweeper needs and which completion removes.
 */
export interface DsrRequestDoc {
  _id: string;
  tenant: string;
  kind: DsrKind;
  subjectRef: string;
  /** Only while an erasure is PENDING. */
  subject?: string | null;
  status: DsrStatus;
  receivedAt: Date;
  /** receivedAt + 1 month (Art. 12(3)), or the latest extension's `until`. */
  dueAt: Date;
  /** An erasure with a grace period: when it is carried out. */
  executeAt?: Date | null;
  completedAt?: Date | null;
  extensions: DsrExtension[];
  /** The INTENT event of the request (or of the sweeper's completion). */
  auditId?: string | null;
  /** Records affected, by collection (counts only). */
  deleted?: Record<string, number> | null;
  anonymised?: Record<string, number> | null;
}

const extensionSchema = new Schema<DsrExtension>({ until: { type: Date, required: true }, reason: { type: String, required: true, maxlength: 300 }, at: { type: Date, required: true } }, { _id: false });

export const dsrRequestSchema = new Schema<DsrRequestDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    kind: { type: String, enum: DSR_KINDS, required: true },
    subjectRef: { type: String, required: true },
    subject: { type: String, default: null },
    status: { type: String, enum: DSR_STATUSES, required: true },
    receivedAt: { type: Date, required: true },
    dueAt: { type: Date, required: true },
    executeAt: { type: Date, default: null },
    completedAt: { type: Date, default: null },
    extensions: { type: [extensionSchema], default: [] },
    auditId: { type: String, default: null },
    deleted: { type: Schema.Types.Mixed, default: null },
    anonymised: { type: Schema.Types.Mixed, default: null },
  },
  { versionKey: false, collection: 'dsr_requests' },
);
dsrRequestSchema.index({ tenant: 1, _id: 1 });
// The sweeper's query: pending erasures by due time.
dsrRequestSchema.index({ tenant: 1, kind: 1, status: 1, subject: 1 });

export type DsrRequestModel = Model<DsrRequestDoc>;
export const dsrRequestModel = (connection: Connection): DsrRequestModel =>
  connection.models.DsrRequest ?? connection.model<DsrRequestDoc>('DsrRequest', dsrRequestSchema);
