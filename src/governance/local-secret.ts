import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A development secret: 32 random bytes generated once and kept in `<stateDir>/<file>` (0600), so
 * what it keys survives restarts. Two processes starting at once agree on one file (`wx`).
 */
export async function stateDirSecret(stateDir: string, file: string): Promise<Buffer> {
  const path = join(stateDir, file);
  try {
    return Buffer.from(await readFile(path, 'utf8'), 'base64url');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  try {
    await writeFile(path, secret.toString('base64url'), { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return Buffer.from(await readFile(path, 'utf8'), 'base64url');
  }
}
