import type { Connection } from 'mongoose';
import { subjectKeysOf } from '../../keys/index.js';
import { dsrRequestModel, type DsrKind, type DsrRequestDoc, type DsrStatus } from './dsr-request.model.js';

/** GDPR Art. 12(3): "without undue delay and in any event within one month of receipt of the request". */
export function dsrDueAt(receivedAt: Date): Date {
  const due = new Date(receivedAt);
  const day = due.getUTCDate();
  due.setUTCMonth(due.getUTCMonth() + 1);
  // 31 January + 1 month is the last day of February, not 3 March.
  if (due.getUTCDate() !== day) due.setUTCDate(0);
  return due;
}

export interface DsrRecord {
  tenant: string;
  subject: string;
  status?: DsrStatus;
  receivedAt?: Date;
  completedAt?: Date | null;
  executeAt?: Date | null;
  auditId?: string | null;
  deleted?: Record<string, number> | null;
  anonymised?: Record<string, number> | null;
}

/** What recordDsr needs of a context (a GatewayContext has it). */
export interface DsrContext {
  readonly connection: Connection;
}

/**
 * Records one data-subject request in `dsr_requests` under the subject's audit pseudonym (creating
 * their key if they have none). For the other rights features: `recordDsr(ctx, 'EXPORT', { tenant,
 * subject, status: 'COMPLETED', completedAt: new Date(), auditId: ctx.governance.intentId })`.
 */
export async function recordDsr(ctx: DsrContext, kind: DsrKind, record: DsrRecord): Promise<DsrRequestDoc> {
  const receivedAt = record.receivedAt ?? new Date();
  const { ref } = await subjectKeysOf(ctx.connection).keyFor(record.tenant, record.subject);
  const status = record.status ?? 'COMPLETED';
  const doc = await dsrRequestModel(ctx.connection).create({
    tenant: record.tenant,
    kind,
    subjectRef: ref,
    subject: kind === 'ERASURE' && status === 'PENDING' ? record.subject : null,
    status,
    receivedAt,
    dueAt: dsrDueAt(receivedAt),
    executeAt: record.executeAt ?? null,
    completedAt: record.completedAt ?? (status === 'COMPLETED' ? new Date() : null),
    extensions: [],
    auditId: record.auditId ?? null,
    deleted: record.deleted ?? null,
    anonymised: record.anonymised ?? null,
  });
  return doc.toObject();
}
