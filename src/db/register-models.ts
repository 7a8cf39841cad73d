import type { Connection } from 'mongoose';
import { agentModel, knowledgeModel, supportGrantModel } from '../features/agents/index.js';
import { consentModel } from '../features/consents/index.js';
import { conversationModel, messageModel } from '../features/conversations/index.js';
import { galleryImageModel } from '../features/gallery/index.js';
import { mediaUploadModel } from '../features/media/index.js';
import { transactionModel } from '../features/payments/index.js';
import { tenantModel } from '../features/tenants/index.js';
import { apiUsageModel } from '../features/usage/index.js';
import { guardianConfirmationModel, stateHistoryModel, userModel } from '../features/users/index.js';
import { dsrRequestModel } from '../features/rights/dsr-request.model.js';
import { subjectKeyModel } from '../keys/index.js';
import { trainingDeliveryModel } from '../features/training/training-delivery.model.js';

/** Register every model on the connection and build its declared indexes (idempotent). */
export async function registerModels(connection: Connection): Promise<void> {
  const models = [
    tenantModel, userModel, conversationModel, messageModel, consentModel, guardianConfirmationModel,
    agentModel, knowledgeModel, supportGrantModel, galleryImageModel, mediaUploadModel, apiUsageModel, transactionModel, subjectKeyModel, dsrRequestModel, trainingDeliveryModel, stateHistoryModel,
  ].map((m) => m(connection));
  await Promise.all(models.map((m) => m.createIndexes()));
}
