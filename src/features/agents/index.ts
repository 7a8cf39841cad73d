import './agent.schema.js';
import './support-grant.schema.js';

export { AgentRef, KnowledgeItemRef } from './agent.schema.js';
export { agentLoaders, type AgentLoaders } from './agent.loaders.js';
export { agentModel, type AgentDoc, type AgentModel } from './agent.model.js';
export { knowledgeModel, type KnowledgeDoc, type KnowledgeModel } from './knowledge.model.js';
export { supportGrantModel, type SupportGrantDoc, type SupportGrantModel } from './support-grant.model.js';
export { liveSupportGrants } from './support-grant.loaders.js';
export { endSupportGrants, type GrantScope } from './support-grant-writer.js';
export { SUPPORT_GRANT_MINUTES } from './agent.inputs.js';
