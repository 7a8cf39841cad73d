import type { Connection } from 'mongoose';
import { consentModel } from '../features/consents/index.js';
import { conversationModel, messageModel } from '../features/conversations/index.js';
import { tenantModel } from '../features/tenants/index.js';
import { guardianConfirmationModel, userModel } from '../features/users/index.js';

/** Register every model on the connection and build its declared indexes (idempotent). */
export async function registerModels(connection: Connection): Promise<void> {
  const models = [tenantModel, userModel, conversationModel, messageModel, consentModel, guardianConfirmationModel].map((m) => m(connection));
  await Promise.all(models.map((m) => m.createIndexes()));
}
