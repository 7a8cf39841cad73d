import { requireAuthenticated } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { acquireLease, releaseLease } from '../../db/lease.js';
import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { userModel } from '../users/index.js';
import { changeUserState } from '../users/user-state-writer.js';
import { dsrDueAt, recordDsr } from './dsr-log.js';
import { completeErasure, deleteConversationsOf, ERASURE_LEASE_MS, erasureLease, erasureRules, executeAtFor, rejectErasure, type ErasureOutcome, type KeptRecords } from './erasure.js';

export const ERASURE_RECEIPT_TYP = 'govgate-erasure-receipt+jws';

interface ErasureReceipt {
  subjectId: string;
  tenant: string;
  status: 'PENDING' | 'COMPLETED';
  requestedAt: Date;
  erasedAt: Date | null;
  dueAt: Date;
  auditId: string | null;
  receipt: string;
  deleted: { collection: string; count: number }[];
  anonymised: { collection: string; count: number }[];
  kept: KeptRecords[];
}

// The receipt is about the caller, to the caller: facts of the erasure (system.operations) and their own id.
const RECEIPT = { category: 'system.operations', purposes: ['essential'], strategy: 'null' } as const;
const SUBJECT_ID = { category: 'user.unique_id', purposes: ['essential'], strategy: 'hash' } as const;

const ErasureStatusEnum = builder.enumType('ErasureStatus', {
  values: { PENDING: { description: 'Waiting for the pack\'s grace period; already decided as erased (nothing about the subject leaves).' }, COMPLETED: { description: 'Every record deleted or anonymised, the data key destroyed.' } } as const,
});

export const CollectionCountRef = builder.objectRef<{ collection: string; count: number }>('CollectionCount').implement({
  fields: (t) => ({ collection: t.exposeString('collection'), count: t.exposeInt('count') }),
});

export const KeptRecordsRef = builder.objectRef<KeptRecords>('KeptRecords').implement({
  description: 'Records kept under a legal hold of the pack, anonymised.',
  fields: (t) => ({
    collection: t.exposeString('collection'),
    count: t.exposeInt('count'),
    reason: t.exposeString('reason'),
    source: t.exposeString('source', { description: 'The clause or law the hold rests on.' }),
  }),
});

const ErasureReceiptRef = builder.objectRef<ErasureReceipt>('ErasureReceipt').implement({
  description: 'What eraseMyAccount did (or will do), with a receipt signed by the audit signing key.',
  governance: { subjectOf: (r) => r.subjectId, tenantOf: (r) => r.tenant },
  fields: (t) => ({
    subjectId: t.exposeID('subjectId', { governance: SUBJECT_ID }),
    status: t.field({ type: ErasureStatusEnum, resolve: (r) => r.status, governance: RECEIPT }),
    requestedAt: t.expose('requestedAt', { type: 'DateTime', governance: RECEIPT }),
    erasedAt: t.expose('erasedAt', { type: 'DateTime', nullable: true, description: 'Null while pending.', governance: RECEIPT }),
    dueAt: t.expose('dueAt', { type: 'DateTime', description: 'When the erasure is carried out: the end of the pack\'s grace period (the request time without one), never after the Art. 12(3) month.', governance: RECEIPT }),
    auditId: t.exposeID('auditId', { nullable: true, description: 'The INTENT event of this request, written before anything was erased.', governance: RECEIPT }),
    receipt: t.exposeString('receipt', { description: 'Compact JWS (typ govgate-erasure-receipt+jws) signed with the audit signing key; verify it against /.well-known/jwks.json.', governance: RECEIPT }),
    deleted: t.field({ type: [CollectionCountRef], resolve: (r) => r.deleted, governance: RECEIPT }),
    anonymised: t.field({ type: [CollectionCountRef], resolve: (r) => r.anonymised, governance: RECEIPT }),
    kept: t.field({ type: [KeptRecordsRef], resolve: (r) => r.kept, governance: RECEIPT }),
  }),
});

export const counts = (record: Record<string, number>): { collection: string; count: number }[] =>
  Object.entries(record).map(([collection, count]) => ({ collection, count })).sort((a, b) => a.collection.localeCompare(b.collection));

async function receiptOf(ctx: GatewayContext, parts: Omit<ErasureReceipt, 'receipt'> & { subjectRef: string }): Promise<ErasureReceipt> {
  const { subjectRef, ...receipt } = parts;
  const { tenant } = receipt;
  const payload = {
    subjectRef,
    subjectId: receipt.subjectId,
    tenant,
    pack: { name: ctx.pack.name, version: ctx.pack.version },
    status: receipt.status,
    deleted: Object.fromEntries(receipt.deleted.map((c) => [c.collection, c.count])),
    anonymised: Object.fromEntries(receipt.anonymised.map((c) => [c.collection, c.count])),
    kept: receipt.kept,
    requestedAt: receipt.requestedAt.toISOString(),
    erasedAt: receipt.erasedAt?.toISOString() ?? null,
    dueAt: receipt.dueAt.toISOString(),
    auditId: receipt.auditId,
  };
  return { ...receipt, receipt: await ctx.audit.signer.sign(payload, ERASURE_RECEIPT_TYP) };
}

builder.mutationFields((t) => ({
  deleteMyConversations: t.int({
    description: 'Deletes every conversation of the caller with its messages (000 §3.2, 003 §6 "you can delete at any time"); the number of conversations deleted. Recorded in the DSR log.',
    resolve: async (_root, _args, ctx) => {
      const { tenant, subject } = requireAuthenticated(ctx.caller);
      const receivedAt = new Date();
      const { conversations, messages } = await deleteConversationsOf(ctx.connection, tenant, subject);
      await recordDsr(ctx, 'CONVERSATION_DELETION', { tenant, subject, status: 'COMPLETED', receivedAt, completedAt: new Date(), auditId: ctx.governance.intentId, deleted: { conversations, messages } });
      return conversations;
    },
  }),
  eraseMyAccount: t.field({
    type: ErasureReceiptRef,
    description:
      'GDPR Art. 17: erase the caller\'s account. With the pack\'s grace period (erasure.graceDays) the account is ERASURE_PENDING — decided as erased at once — and the gateway\'s sweeper completes it when due; without one it completes in this request. Completion deletes every record about the caller except those under the pack\'s legal holds (kept anonymised), then destroys their data key. `confirm` must be true.',
    args: { confirm: t.arg.boolean({ required: true }) },
    resolve: async (_root, { confirm }, ctx) => {
      const { tenant, subject } = requireAuthenticated(ctx.caller);
      if (!confirm) throw new GovgateError('BAD_USER_INPUT', 'confirm: erasure is irreversible and must be confirmed with true');
      const rules = erasureRules(ctx.pack);
      const requestedAt = new Date();
      const dueAt = executeAtFor(rules, requestedAt, dsrDueAt(requestedAt));
      const auditId = ctx.governance.intentId;
      // An account must exist; whether its erasure is already under way is read from the verified record below.
      const current = await userModel(ctx.connection).findOne({ tenant, subject }, { _id: 1 }).lean().exec();
      if (!current) throw new GovgateError('BAD_USER_INPUT', 'there is no account to erase');
      // Recorded first (with the subject, until completion), then the account is sealed as
      // ERASURE_PENDING with its due date — decided as erased at once, and the only thing the
      // sweeper erases on, so a request record a database writer plants or edits erases no one and
      // stops no one's erasure. A crash after the seal leaves an erasure the sweeper finishes.
      const dsr = await recordDsr(ctx, 'ERASURE', { tenant, subject, status: 'PENDING', receivedAt: requestedAt, executeAt: dueAt, auditId });
      await changeUserState(ctx, tenant, subject, (user) => {
        if (user.erasure !== 'ACTIVE') throw new GovgateError('BAD_USER_INPUT', 'this account\'s erasure is already under way');
        return { erasure: 'ERASURE_PENDING', erasureDueAt: dueAt };
      }).catch(async (error: unknown) => {
        await rejectErasure(ctx.connection, dsr._id);
        throw error;
      });
      const base = { tenant, subjectRef: dsr.subjectRef, subjectId: subject, requestedAt, dueAt, auditId };
      if (rules.graceDays > 0) return receiptOf(ctx, { ...base, status: 'PENDING', erasedAt: null, deleted: [], anonymised: [], kept: [] });
      // The token's subject is erased here and now, under the lease the sweeper would need.
      const target = { tenant, subject };
      const lease = erasureLease(target);
      if (!(await acquireLease(ctx.connection, lease, ctx.requestId, ERASURE_LEASE_MS, requestedAt))) {
        throw new GovgateError('INTERNAL_SERVER_ERROR', 'the erasure could not be started; it is completed by the sweeper');
      }
      const erasedAt = new Date();
      const outcome: ErasureOutcome = await completeErasure(ctx, target, erasedAt).finally(() => releaseLease(ctx.connection, lease, ctx.requestId).catch(() => undefined));
      return receiptOf(ctx, { ...base, status: 'COMPLETED', erasedAt, deleted: counts(outcome.deleted), anonymised: counts(outcome.anonymised), kept: outcome.kept });
    },
  }),
}));
