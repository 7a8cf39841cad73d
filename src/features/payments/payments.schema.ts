import { requireAuthenticated, requireRole, subjectOrCaller } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { paginateById } from '../../db/paginate.js';
import { GovgateError } from '../../errors.js';
import { parseInput } from '../../validate.js';
import { UserRef, userLoaders } from '../users/index.js';
import { transactionInputSchema } from './payments.inputs.js';
import { paymentLoaders } from './payments.loaders.js';
import { TRANSACTION_STATUSES, transactionModel, type TransactionDoc } from './transaction.model.js';

export const TransactionStatusEnum = builder.enumType('TransactionStatus', { values: TRANSACTION_STATUSES });
export const TransactionRef = builder.objectRef<TransactionDoc>('Transaction');

const OPERATIONAL = { category: 'system.operations', purposes: ['essential', 'essential.legal_obligation'], strategy: 'null' } as const;
// 003 §2 transactions are processed for the account, and kept for legal (tax) duties (§6).
const PAYMENT = { category: 'user.financial', purposes: ['essential.service', 'essential.legal_obligation'], strategy: 'null' } as const;

TransactionRef.implement({
  description: "One payment of a user. Card and bank details stay with the payment processor.",
  governance: { subjectOf: (p) => p.owner, tenantOf: (p) => p.tenant, timestampOf: (p) => p.createdAt, optedOutOf: (p) => p.mipOptOut },
  fields: (t) => ({
    id: t.exposeID('_id', { governance: OPERATIONAL }),
    amount: t.exposeInt('amount', { nullable: true, description: "In the currency's minor unit (e.g. cents).", governance: PAYMENT }),
    currency: t.exposeString('currency', { nullable: true, description: 'ISO 4217.', governance: PAYMENT }),
    status: t.expose('status', { type: TransactionStatusEnum, nullable: true, governance: PAYMENT }),
    owner: t.field({
      type: UserRef,
      nullable: true,
      governance: { category: 'user.unique_id', purposes: ['essential', 'analytics.reporting'], strategy: 'null' },
      resolve: (p, _args, ctx) => userLoaders(ctx).bySubject.load(p.owner),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', governance: OPERATIONAL }),
  }),
});

const TransactionConnection = builder.connectionObject({ type: TransactionRef, name: 'TransactionConnection' });

const TransactionInput = builder.inputType('TransactionInput', {
  fields: (t) => ({
    subject: t.id({ required: true, description: 'The paying user (their token `sub`).' }),
    amount: t.int({ required: true, description: "In the currency's minor unit." }),
    currency: t.string({ required: true, description: 'ISO 4217, e.g. EUR.' }),
    status: t.field({ type: TransactionStatusEnum, required: true }),
  }),
});

builder.queryFields((t) => ({
  transaction: t.field({
    type: TransactionRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => {
      requireAuthenticated(ctx.caller);
      return paymentLoaders(ctx).byId.load(String(id));
    },
  }),
  transactions: t.field({
    type: TransactionConnection,
    description: "Payments of one user of the caller's tenant (default: the caller's own), oldest first; what leaves is decided per value.",
    args: { subject: t.arg.id(), first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, ctx) => {
      const caller = requireAuthenticated(ctx.caller);
      return paginateById(transactionModel(ctx.connection), { tenant: caller.tenant, owner: subjectOrCaller(caller, args.subject) }, args);
    },
  }),
}));

builder.mutationFields((t) => ({
  recordTransaction: t.field({
    type: TransactionRef,
    description: "The platform's payment `service` records a user's payment.",
    args: { input: t.arg({ type: TransactionInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const caller = requireRole(ctx.caller, ['service'], 'recording payments');
      const data = parseInput(transactionInputSchema, { ...input, subject: String(input.subject) });
      if (!(await userLoaders(ctx).bySubject.load(data.subject))) throw new GovgateError('BAD_USER_INPUT', 'subject: no such user');
      const created = await transactionModel(ctx.connection).create({
        tenant: caller.tenant,
        owner: data.subject,
        amount: data.amount,
        currency: data.currency,
        status: data.status,
        mipOptOut: ctx.mipOptOut,
      });
      return created.toObject();
    },
  }),
}));
