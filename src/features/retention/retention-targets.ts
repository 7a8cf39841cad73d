import type { Connection, Model } from 'mongoose';
import type { SweepableCollection } from '../../governance/packs/index.js';
import { conversationModel, messageModel } from '../conversations/index.js';
import { apiUsageModel } from '../usage/index.js';

/**
 * How the sweeper reaches each sweepable collection (its category: SWEEP_TARGETS in
 * src/governance/packs/sweep-targets.ts). Every record has `tenant`, `owner` (the data subject) and
 * `createdAt` (what its type's `timestampOf` gives read-time retention). Messages come before
 * conversations: a conversation goes only once no message remains in it.
 */
export interface RetentionTarget {
  readonly collection: SweepableCollection;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one list over three models
  readonly model: (connection: Connection) => Model<any>;
}

export const RETENTION_TARGETS: readonly RetentionTarget[] = [
  { collection: 'messages', model: messageModel },
  { collection: 'conversations', model: conversationModel },
  { collection: 'api_usage', model: apiUsageModel },
];
