import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config.js';
import { loadAuditKeys, type AuditSigner } from './audit-keys.js';
import { openAuditStore, storeSink, type AuditSink, type AuditStore } from './audit-store.js';
import { AuditWriter, type AuditWriteObserver } from './audit-writer.js';
import { verifyTenant, type AuditVerification } from './verify/index.js';
import { createWitness, witnessDirFor, type Witness } from './witness/index.js';

/** The audit log of one gateway instance: where it is stored, who appends, who signs, who witnesses. */
export interface AuditServices {
  readonly store: AuditStore;
  readonly writer: AuditWriter;
  readonly signer: AuditSigner;
  readonly witness: Witness;
  /** Where the directory witness keeps its files. */
  readonly witnessDir: string;
  /** The configured public keys (signing key and earlier ones): the only keys audit signatures are checked with. */
  readonly jwks: JSONWebKeySet;
  readonly keySet: JWTVerifyGetKey;
  /** Witnesses this instance's current heads of the tenant, then verifies the tenant's whole log. */
  verify(tenant: string): Promise<AuditVerification>;
  close(): Promise<void>;
}

export interface AuditServicesOptions {
  connection: Connection;
  config: GatewayConfig;
  instanceId: string;
  logger: Logger;
  /** Told of each acknowledged audit write (the metrics). Default: nobody. */
  observer?: AuditWriteObserver;
  /** Benchmark only (GatewayOptions.auditSink): where audit writes go instead of the store. Default: the store's collection. */
  sink?: AuditSink;
}

export async function createAuditServices(options: AuditServicesOptions): Promise<AuditServices> {
  const { connection, config, instanceId, logger, observer, sink } = options;
  const witnessDir = await witnessDirFor(config);
  const [store, keys, witness] = await Promise.all([
    openAuditStore(connection),
    loadAuditKeys(config),
    createWitness({ dir: witnessDir, ...(config.audit.witnessUrl ? { url: config.audit.witnessUrl } : {}), instanceId, logger }),
  ]);
  const writer = new AuditWriter({
    sink: sink ?? storeSink(store),
    signer: keys.signer,
    witness,
    instanceId,
    writeConcern: config.mongo.writeConcern,
    writeTimeoutMs: config.audit.writeTimeoutMs,
    maxBatch: config.audit.maxBatch,
    checkpointEvery: config.audit.checkpointEvery,
    checkpointIntervalMs: config.audit.checkpointIntervalS * 1000,
    ...(observer ? { observer } : {}),
    logger,
  });
  // When this instance first saw another instance's trailing events without a head (bounded).
  const firstSeenUncovered = new LRUCache<string, number>({ max: 10_000 });
  const inFlight = new Map<string, Promise<AuditVerification>>();
  return {
    store,
    writer,
    signer: keys.signer,
    witness,
    witnessDir,
    jwks: keys.jwks,
    keySet: keys.keySet,
    verify(tenant) {
      // One verification per tenant at a time: concurrent callers share it (it reads the whole log).
      let running = inFlight.get(tenant);
      if (!running) {
        running = (async () => {
          const own = await writer.witnessNow(tenant);
          // Another instance's write is in flight for at most its write timeout; its head lands with it.
          return verifyTenant({ store, tenant, keys: keys.keySet, signer: keys.signer, witness, own, progress: (chainId) => writer.progress(chainId), pendingGraceMs: config.audit.writeTimeoutMs * 2, firstSeenUncovered });
        })().finally(() => inFlight.delete(tenant));
        inFlight.set(tenant, running);
      }
      return running;
    },
    async close() {
      await writer.close();
      await witness.close();
    },
  };
}
