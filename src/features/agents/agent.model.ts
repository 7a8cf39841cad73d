import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../../db/ids.js';
import { encryptedMaxLength, encryptOnWrite } from '../../keys/index.js';

/** An AI agent a developer built: its name and instructions are developer data (002 §1.2(4), §1.5). */
export interface AgentDoc {
  _id: string;
  tenant: string;
  /** Subject id of the developer who owns the agent. */
  owner: string;
  name: string;
  instructions: string;
  /** Created under a model-improvement opt-out: never used for training. */
  mipOptOut: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const agentSchema = new Schema<AgentDoc>(
  {
    _id: { type: String, default: newId },
    tenant: { type: String, required: true },
    owner: { type: String, required: true },
    name: { type: String, required: true, maxlength: 200 },
    instructions: { type: String, required: true, maxlength: encryptedMaxLength(50_000) },
    mipOptOut: { type: Boolean, default: false },
  },
  { timestamps: true, versionKey: false, collection: 'agents' },
);
agentSchema.plugin(encryptOnWrite<AgentDoc>, { paths: ['instructions'] });
agentSchema.index({ tenant: 1, owner: 1, _id: 1 });

export type AgentModel = Model<AgentDoc>;
export const agentModel = (connection: Connection): AgentModel => connection.models.Agent ?? connection.model<AgentDoc>('Agent', agentSchema);
