import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../../db/ids.js';

export const TRANSACTION_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

/**
 * One payment of a user (003 §1.1 "transaction history"; retained 7 years, §6), recorded by the
 * platform's payment service. Card and bank details stay with the payment processor.
 */
export interface TransactionDoc {
  _id: string;
  tenant: string;
  owner: string;
  /** In the currency's minor unit (cents), so no amount is ever a rounded float. */
  amount: number;
  /** ISO 4217 code. */
  currency: string;
  status: TransactionStatus;
  mipOptOut: boolean;
  createdAt: Date;
}

export const transactionSchema = new Schema<TransactionDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    owner: { type: String, required: true },
    amount: { type: Number, required: true },
    currency: { type: String, required: true, match: /^[A-Z]{3}$/ },
    status: { type: String, enum: TRANSACTION_STATUSES, required: true },
    mipOptOut: { type: Boolean, default: false },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, collection: 'transactions' },
);
transactionSchema.index({ tenant: 1, owner: 1, _id: 1 });

export type TransactionModel = Model<TransactionDoc>;
export const transactionModel = (connection: Connection): TransactionModel =>
  connection.models.Transaction ?? connection.model<TransactionDoc>('Transaction', transactionSchema);
