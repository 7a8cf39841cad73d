import type { JSONWebKeySet } from 'jose';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config.js';
import { openAuditStore, type AuditStore } from './audit-store.js';
import { AuditWriter } from './audit-writer.js';
import { publishedKeys, publishSigningKey } from './published-keys.js';
import { loadAuditSigner, type AuditSigner } from './signing-key.js';

/** The audit log of one gateway instance: where it is stored, who appends, who signs. */
export interface AuditServices {
  readonly store: AuditStore;
  readonly writer: AuditWriter;
  readonly signer: AuditSigner;
  /** Every published audit key (cached briefly). */
  jwks(): Promise<JSONWebKeySet>;
  close(): Promise<void>;
}

export async function createAuditServices(options: { connection: Connection; config: GatewayConfig; instanceId: string; logger: Logger }): Promise<AuditServices> {
  const { connection, config, instanceId, logger } = options;
  const store = await openAuditStore(connection);
  const signer = await loadAuditSigner(config);
  await publishSigningKey(store, signer);
  const writer = new AuditWriter({
    store,
    signer,
    instanceId,
    writeConcern: config.mongo.writeConcern,
    writeTimeoutMs: config.audit.writeTimeoutMs,
    maxBatch: config.audit.maxBatch,
    checkpointEvery: config.audit.checkpointEvery,
    checkpointIntervalMs: config.audit.checkpointIntervalS * 1000,
    logger,
  });
  let cached: { at: number; keys: Promise<JSONWebKeySet> } | undefined;
  return {
    store,
    writer,
    signer,
    jwks() {
      if (!cached || Date.now() - cached.at > 10_000) {
        const keys = publishedKeys(store, signer);
        cached = { at: Date.now(), keys };
        keys.catch(() => (cached = undefined));
      }
      return cached.keys;
    },
    close: () => writer.close(),
  };
}
