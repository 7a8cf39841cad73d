import type { Connection, mongo } from 'mongoose';
import type { AuditEventDoc } from './event.js';

export interface CheckpointDoc {
  _id: string;
  chainId: string;
  tenant: string;
  seq: number;
  hash: string;
  at: Date;
  kid: string;
  /** Compact JWS over { chainId, tenant, seq, hash, at }. */
  jws: string;
}

export interface PublishedKeyDoc {
  _id: string;
  publicJwk: Record<string, unknown>;
  firstUsedAt: Date;
}

/** The audit collections. Written only by appends; nothing in the gateway updates or deletes them. */
export interface AuditStore {
  readonly connection: Connection;
  readonly events: mongo.Collection<AuditEventDoc>;
  readonly checkpoints: mongo.Collection<CheckpointDoc>;
  readonly keys: mongo.Collection<PublishedKeyDoc>;
}

export async function openAuditStore(connection: Connection): Promise<AuditStore> {
  const db = connection.db;
  if (!db) throw new Error('audit store needs an open connection');
  const store: AuditStore = {
    connection,
    events: db.collection<AuditEventDoc>('audit_events'),
    checkpoints: db.collection<CheckpointDoc>('audit_checkpoints'),
    keys: db.collection<PublishedKeyDoc>('audit_keys'),
  };
  await Promise.all([
    store.events.createIndex({ chainId: 1, seq: 1 }, { unique: true }),
    store.events.createIndex({ tenant: 1, _id: 1 }),
    store.checkpoints.createIndex({ chainId: 1, seq: 1 }, { unique: true }),
  ]);
  return store;
}
