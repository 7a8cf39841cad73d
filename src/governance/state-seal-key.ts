import { randomBytes } from 'node:crypto';
import type { GatewayConfig } from '../config.js';
import { stateDirSecret } from './local-secret.js';

// One key per test process, not per gateway: a test that restarts a gateway on the same database
// must find its records still sealed.
let testKey: Buffer | undefined;

/** The bytes of a configured STATE_SEAL_KEY (also how the benchmark seals its data set). */
export const stateSealKeyOf = (configured: string): Buffer => Buffer.from(configured, 'utf8');

/**
 * The key that seals subject state: STATE_SEAL_KEY (required in production); in development one
 * generated and kept in the state directory, so seeded and registered records stay valid across
 * restarts; in tests a random one per process.
 */
export async function stateSealKeyFor(config: GatewayConfig): Promise<Buffer> {
  if (config.stateSealKey) return stateSealKeyOf(config.stateSealKey);
  if (config.env === 'test') return (testKey ??= randomBytes(32));
  return stateDirSecret(config.stateDir, 'state-seal.key');
}
