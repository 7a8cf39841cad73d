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

/**
 * Where the audit writer persists each group commit: its events in order, already hashed, chained
 * and carrying their chains' signed heads. Resolves once the write is acknowledged under the write
 * concern. The gateway's is always the store's collection ({@link storeSink}); another sink exists
 * only for the benchmark (GatewayOptions.auditSink), never through configuration.
 */
export interface AuditSink {
  insert(events: AuditEventDoc[], writeConcern: { readonly w: 'majority' | number; readonly wtimeoutMS: number }): Promise<unknown>;
}

/** The store's collection, one ordered insert per group commit. */
export const storeSink = (store: AuditStore): AuditSink => ({
  insert: (events, writeConcern) => store.events.insertMany(events, { ordered: true, writeConcern }),
});
