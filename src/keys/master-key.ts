import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { GatewayConfig } from '../config.js';
import { stateDirSecret } from '../governance/local-secret.js';
import { MASTER_KEY_BYTES } from './key-service.js';

// One key per test process: a test that restarts a gateway on the same database must still read its content.
let testKey: Buffer | undefined;

/** A master key file holds 32 bytes as base64, base64url or hex text (surrounding whitespace ignored). */
export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  const candidates = [/^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : null, Buffer.from(trimmed, 'base64url'), Buffer.from(trimmed, 'base64')];
  const key = candidates.find((c) => c !== null && c.length === MASTER_KEY_BYTES);
  if (!key) throw new Error(`MASTER_KEY_FILE must hold ${MASTER_KEY_BYTES} bytes as hex or base64`);
  return key;
}

/**
 * The master key that wraps subject data keys: MASTER_KEY_FILE (required in production); in
 * development one generated once in the state directory; in tests a random one per process.
 */
export async function masterKeyFor(config: GatewayConfig): Promise<Buffer> {
  if (config.masterKeyFile) {
    const file = config.masterKeyFile;
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new Error(`MASTER_KEY_FILE: cannot read ${file} (${error.code ?? 'unreadable'})`);
    });
    return parseMasterKey(text);
  }
  if (config.env === 'test') return (testKey ??= randomBytes(MASTER_KEY_BYTES));
  return stateDirSecret(config.stateDir, 'master.key');
}
