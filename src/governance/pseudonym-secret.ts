import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GatewayConfig } from '../config.js';

/**
 * The configured secret; in development one generated and kept in the state directory so
 * pseudonyms survive restarts; in tests a random one per process.
 */
export async function pseudonymSecretFor(config: GatewayConfig): Promise<Buffer> {
  if (config.pseudonymSecret) return Buffer.from(config.pseudonymSecret, 'utf8');
  if (config.env === 'test') return randomBytes(32);
  const file = join(config.stateDir, 'pseudonym.key');
  try {
    return Buffer.from(await readFile(file, 'utf8'), 'base64url');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(config.stateDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  try {
    await writeFile(file, secret.toString('base64url'), { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return Buffer.from(await readFile(file, 'utf8'), 'base64url');
  }
}
