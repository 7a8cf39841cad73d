import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../config.js';
import { createFileWitness } from './file-witness.js';
import { createWebhookWitness } from './webhook-witness.js';
import type { Witness } from './witness.js';

export type { Witness, WitnessEntry, WitnessProof, WitnessView } from './witness.js';

export interface WitnessOptions {
  /** AUDIT_WITNESS_DIR: the directory witness (always on). */
  dir: string;
  /** AUDIT_WITNESS_URL: a remote witness that receives every log entry. Default none. */
  url?: string;
  instanceId: string;
  logger: Logger;
}

/** AUDIT_WITNESS_DIR, else <state dir>/witness; tests get a directory of their own per gateway, as they get a key. */
export async function witnessDirFor(config: GatewayConfig): Promise<string> {
  if (config.audit.witnessDir) return config.audit.witnessDir;
  if (config.env === 'test') return mkdtemp(join(tmpdir(), 'govgate-witness-'));
  return join(config.stateDir, 'witness');
}

/** The file witness, plus the remote one when configured; reads come from the directory. */
export async function createWitness(options: WitnessOptions): Promise<Witness> {
  const file = createFileWitness(options.dir, options.instanceId);
  // A witness that cannot be written is found at start-up, not at the first head.
  await file.ready();
  const remote = options.url ? createWebhookWitness({ url: options.url, logger: options.logger }) : null;
  return {
    latest: file.latest,
    async verified(tenant, jws) {
      remote?.send({ kind: 'tenant', tenant, jws });
      await Promise.all([file.verified(tenant, jws), file.append({ kind: 'tenant', tenant, jws })]);
    },
    append(entry) {
      remote?.send(entry);
      return file.append(entry);
    },
    read: file.read,
    async flush() {
      await Promise.all([file.flush(), remote?.flush()]);
    },
    async close() {
      await remote?.flush();
      await file.close();
    },
  };
}
