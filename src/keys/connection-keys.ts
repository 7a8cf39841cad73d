import type { Connection } from 'mongoose';
import { GovgateError } from '../errors.js';
import type { SubjectKeyStore } from './subject-key-store.js';

// Like the state seal: the models' schemas are shared by every connection; the keys are per gateway.
const stores = new WeakMap<Connection, SubjectKeyStore>();

/**
 * Content written through this connection's models is encrypted with `store`'s keys from now on.
 * Returns the installed store: a second gateway on the connection under the same master key shares
 * the first one's (one cache, so an erasure is forgotten by both); another master key is refused.
 */
export function installSubjectKeys(connection: Connection, store: SubjectKeyStore): SubjectKeyStore {
  const current = stores.get(connection);
  if (current && current.keyService.keyId !== store.keyService.keyId) throw new Error('this connection already encrypts content under another master key');
  if (current) return current;
  stores.set(connection, store);
  return store;
}

/** Fails closed: without a key store no content is written or read. */
export function subjectKeysOf(connection: Connection): SubjectKeyStore {
  const store = stores.get(connection);
  if (!store) throw new GovgateError('INTERNAL_SERVER_ERROR', 'no subject key store is installed on this database connection');
  return store;
}
