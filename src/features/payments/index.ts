import './payments.schema.js';

export { TransactionRef, TransactionStatusEnum } from './payments.schema.js';
export { paymentLoaders, type PaymentLoaders } from './payments.loaders.js';
export { TRANSACTION_STATUSES, transactionModel, type TransactionDoc, type TransactionModel, type TransactionStatus } from './transaction.model.js';
