import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../../db/ids.js';
import { encryptedMaxLength, encryptOnWrite } from '../../keys/index.js';

/** One document of an agent's knowledge base, uploaded by its developer (002 §1.5 4.1). */
export interface KnowledgeDoc {
  _id: string;
  tenant: string;
  agentId: string;
  /** The agent's developer, denormalised so subject checks need no join. */
  owner: string;
  title: string;
  content: string;
  mipOptOut: boolean;
  createdAt: Date;
}

export const knowledgeSchema = new Schema<KnowledgeDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    agentId: { type: String, required: true },
    owner: { type: String, required: true },
    title: { type: String, required: true, maxlength: encryptedMaxLength(500) },
    content: { type: String, required: true, maxlength: encryptedMaxLength(100_000) },
    mipOptOut: { type: Boolean, default: false },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, collection: 'agent_knowledge' },
);
knowledgeSchema.plugin(encryptOnWrite<KnowledgeDoc>, { paths: ['title', 'content'] });
knowledgeSchema.index({ tenant: 1, agentId: 1, _id: 1 });

export type KnowledgeModel = Model<KnowledgeDoc>;
export const knowledgeModel = (connection: Connection): KnowledgeModel =>
  connection.models.AgentKnowledge ?? connection.model<KnowledgeDoc>('AgentKnowledge', knowledgeSchema);
