import './user.schema.js';
import './user-rights.schema.js';
import './guardian.schema.js';

export { UserRef } from './user.schema.js';
export { userLoaders, type UserLoaders } from './user.loaders.js';
export { stateHistoryModel, type StateHistoryDoc, type HistoricState } from './state-history.model.js';
export { recordStateChange, stateHistoryOf, type HistoryEntry, type StateAt } from './state-history.js';
export { changeUserState, type UserStateChange } from './user-state-writer.js';
export { userModel, userSchema, type UserDoc, type UserModel, type ErasureState } from './user.model.js';
export { guardianConfirmationModel, type GuardianConfirmationDoc } from './guardian-confirmation.model.js';
