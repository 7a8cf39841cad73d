import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';

export interface ProductionSecrets {
  /** NODE_ENV=production and every secret it refuses to start without (add MONGODB_URI and AUTH_*). */
  readonly env: Record<string, string>;
  /** The `kid` of the audit signing key. */
  readonly auditKid: string;
  /** The fresh directory holding the key files and the state directory. */
  readonly dir: string;
}

/** Fresh production secrets: an audit signing key and a master key as files (0600), and the HMAC secrets. */
export async function productionSecrets(): Promise<ProductionSecrets> {
  const dir = await mkdtemp(join(tmpdir(), 'govgate-prod-'));
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const auditKid = `prod-audit-${randomBytes(4).toString('hex')}`;
  await writeFile(join(dir, 'audit.jwk'), JSON.stringify({ ...(await exportJWK(privateKey)), alg: 'EdDSA', kid: auditKid }), { mode: 0o600 });
  await writeFile(join(dir, 'master.key'), randomBytes(32).toString('hex'), { mode: 0o600 });
  return {
    dir,
    auditKid,
    env: {
      NODE_ENV: 'production',
      PSEUDONYM_SECRET: 'another-pseudonym-secret-of-32-characters',
      STATE_SEAL_KEY: 'a-state-seal-key-of-at-least-32-characters',
      AUDIT_SIGNING_KEY: join(dir, 'audit.jwk'),
      MASTER_KEY_FILE: join(dir, 'master.key'),
      GOVGATE_STATE_DIR: join(dir, 'state'),
    },
  };
}
