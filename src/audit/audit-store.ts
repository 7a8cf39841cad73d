import type { Connection, mongo } from 'mongoose';
import type { AuditEventDoc } from './event.js';

/**
 * The audit collection. Written only by appends; nothing in the gateway updates or deletes it. It
 * holds no key and no trust: signatures over it are checked against configured keys only.
 */
export interface AuditStore {
  readonly connection: Connection;
  readonly events: mongo.Collection<AuditEventDoc>;
}

export async function openAuditStore(connection: Connection): Promise<AuditStore> {
  const db = connection.db;
  if (!db) throw new Error('audit store needs an open connection');
  const store: AuditStore = { connection, events: db.collection<AuditEventDoc>('audit_events') };
  await Promise.all([
    store.events.createIndex({ chainId: 1, seq: 1 }, { unique: true }),
    store.events.createIndex({ tenant: 1, _id: 1 }),
    store.events.createIndex({ tenant: 1, at: 1 }),
    // A subject's access log (myAccessLog), newest first.
    store.events.createIndex({ tenant: 1, subjects: 1, _id: -1 }),
  ]);
  return store;
}
