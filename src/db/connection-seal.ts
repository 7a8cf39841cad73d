import type { Connection } from 'mongoose';
import { GovgateError } from '../errors.js';
import type { StateSeal } from '../governance/state-seal.js';

// The models' schemas are shared by every connection of the process; the key is per gateway. So
// the seal hangs off the connection, and the models' middleware looks it up there.
const seals = new WeakMap<Connection, StateSeal>();

/**
 * Every write of a sealed record through this connection's models is sealed with `seal` from now
 * on, and reads verify with it. Installing the same key twice is a no-op; another key is refused
 * (records would then verify under neither).
 */
export function installStateSeal(connection: Connection, seal: StateSeal): void {
  const current = seals.get(connection);
  if (current && current.keyId !== seal.keyId) throw new Error('this connection already seals subject state with another key');
  if (!current) seals.set(connection, seal);
}

/** The connection's seal. Fails closed: without one nothing sealed is written or trusted. */
export function stateSealOf(connection: Connection): StateSeal {
  const seal = seals.get(connection);
  if (!seal) throw new GovgateError('INTERNAL_SERVER_ERROR', 'no state seal is installed on this database connection');
  return seal;
}
