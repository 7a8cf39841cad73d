import { randomBytes } from 'node:crypto';
import type { GatewayConfig } from '../config.js';
import { stateDirSecret } from './local-secret.js';

/**
 * The configured secret; in development one generated and kept in the state directory so
 * pseudonyms survive restarts; in tests a random one per process.
 */
export async function pseudonymSecretFor(config: GatewayConfig): Promise<Buffer> {
  if (config.pseudonymSecret) return Buffer.from(config.pseudonymSecret, 'utf8');
  if (config.env === 'test') return randomBytes(32);
  return stateDirSecret(config.stateDir, 'pseudonym.key');
}
