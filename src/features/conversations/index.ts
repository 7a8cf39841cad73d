import './conversation.schema.js';

export { ConversationRef, MessageRef, MessageRoleEnum } from './conversation.schema.js';
export { conversationLoaders, type ConversationLoaders } from './conversation.loaders.js';
export { conversationModel, type ConversationDoc, type ConversationModel } from './conversation.model.js';
export { messageModel, MESSAGE_ROLES, type MessageDoc, type MessageModel, type MessageRole } from './message.model.js';
