import type { Logger } from 'pino';
import { newId } from '../db/ids.js';
import type { AuditStore } from './audit-store.js';
import { hashEvent } from './canonical-hash.js';
import { GENESIS_HASH, type AuditEvent, type AuditEventDoc, type AuditEventInput, type ChainLink } from './event.js';
import type { AuditSigner } from './signing-key.js';

export interface AuditWriterOptions {
  store: AuditStore;
  signer: AuditSigner;
  /** Identifies this gateway instance; chains are per instance and tenant so replicas never contend. */
  instanceId: string;
  /** Write concern of audit appends. Default 'majority'. */
  writeConcern?: 'majority' | number;
  /** An append not acknowledged within this fails, ms. Default 5000. */
  writeTimeoutMs?: number;
  /** Largest group commit. Default 500. */
  maxBatch?: number;
  /** Sign a checkpoint after this many acknowledged events of a chain. Default 100. */
  checkpointEvery?: number;
  /** ...and at least this often while a chain has unsigned events, ms. Default 60000. */
  checkpointIntervalMs?: number;
  logger: Logger;
}

interface Chain {
  tenant: string;
  epoch: number;
  chainId: string;
  seq: number;
  head: string;
  acked: { seq: number; hash: string } | null;
  continues: ChainLink['continues'];
  unsigned: number;
}

interface Pending {
  doc: AuditEventDoc;
  chain: Chain;
  resolve: (event: AuditEvent) => void;
  reject: (error: Error) => void;
  event: AuditEvent;
}

function closeEvent(tenant: string): AuditEventInput {
  return {
    id: newId(), at: new Date(), tenant, requestId: 'shutdown', actor: { subject: null, tenant: null, roles: [], client: 'govgate' },
    purpose: null, legalBasis: null, operationName: null, operationType: null, documentHash: null, outcome: 'CLOSED', code: null,
    accesses: [], subjects: [], decisions: [],
  };
}

export class AuditUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`audit store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'AuditUnavailableError';
  }
}

/**
 * Appends hash-chained audit events with group commit: events of concurrent requests share one
 * ordered insert, and each request still waits for its own acknowledgement. A failed write fails
 * every queued event and starts a new chain segment that names the last acknowledged event.
 */
export class AuditWriter {
  private readonly chains = new Map<string, Chain>();
  private queue: Pending[] = [];
  private flushing = false;
  private scheduled = false;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private closing: Promise<void> | null = null;
  private checkpointing = Promise.resolve();
  private readonly o: Required<Omit<AuditWriterOptions, 'logger' | 'store' | 'signer' | 'instanceId'>>;

  constructor(private readonly options: AuditWriterOptions) {
    this.o = {
      writeConcern: options.writeConcern ?? 'majority',
      writeTimeoutMs: options.writeTimeoutMs ?? 5000,
      maxBatch: options.maxBatch ?? 500,
      checkpointEvery: options.checkpointEvery ?? 100,
      checkpointIntervalMs: options.checkpointIntervalMs ?? 60_000,
    };
    this.timer = setInterval(() => this.checkpointDue(1), this.o.checkpointIntervalMs);
    this.timer.unref();
  }

  /** Resolves once the event is durably written (per the write concern); rejects with AuditUnavailableError. */
  append(input: AuditEventInput): Promise<AuditEvent> {
    if (this.closed) return Promise.reject(new AuditUnavailableError('audit writer closed'));
    const chain = this.chainFor(input.tenant);
    const link: ChainLink = { chainId: chain.chainId, seq: chain.seq + 1, prevHash: chain.head, continues: chain.seq === 0 ? chain.continues : null };
    const unhashed = { ...input, ...link };
    const event: AuditEvent = { ...unhashed, hash: hashEvent(unhashed) };
    chain.seq = link.seq;
    chain.head = event.hash;
    const { id, ...rest } = event;
    return new Promise<AuditEvent>((resolve, reject) => {
      this.queue.push({ doc: { _id: id, ...rest }, chain, resolve, reject, event });
      this.schedule();
    });
  }

  /** Chains this instance writes, for verification and evidence. */
  chainIds(): string[] {
    return [...this.chains.values()].map((c) => c.chainId);
  }

  /** Idempotent: appends a CLOSED event to every chain, refuses later appends, signs the tails. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.timer);
    // Each chain ends with a CLOSED event, so verification can tell a clean stop from a crash;
    // they are the last appends accepted.
    const closing = [...this.chains.values()].filter((c) => c.seq > 0).map((c) => this.append(closeEvent(c.tenant)).catch(() => undefined));
    this.closed = true;
    await Promise.all(closing);
    while (this.queue.length > 0 || this.flushing) await new Promise((r) => setTimeout(r, 5));
    this.checkpointDue(1);
    await this.checkpointing;
  }

  private chainFor(tenant: string): Chain {
    let chain = this.chains.get(tenant);
    if (!chain) {
      chain = { tenant, epoch: 0, chainId: `${this.options.instanceId}:${tenant}:0`, seq: 0, head: GENESIS_HASH, acked: null, continues: null, unsigned: 0 };
      this.chains.set(tenant, chain);
    }
    return chain;
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // setImmediate gathers every append of the current turn into one write.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const batch = this.queue.splice(0, this.o.maxBatch);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.options.store.events.insertMany(
          batch.map((p) => p.doc),
          { ordered: true, writeConcern: { w: this.o.writeConcern, wtimeoutMS: this.o.writeTimeoutMs } },
        ),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no acknowledgement within ${this.o.writeTimeoutMs} ms`)), this.o.writeTimeoutMs);
        }),
      ]);
      for (const p of batch) {
        p.chain.acked = { seq: p.doc.seq, hash: p.doc.hash };
        p.chain.unsigned += 1;
        p.resolve(p.event);
      }
      this.checkpointDue(this.o.checkpointEvery);
    } catch (cause) {
      const failed = [...batch, ...this.queue.splice(0)];
      const error = new AuditUnavailableError(cause);
      this.options.logger.error({ events: failed.length, err: { message: error.message } }, 'audit write failed; failing requests closed');
      for (const chain of new Set(failed.map((p) => p.chain))) this.rotate(chain);
      for (const p of failed) p.reject(error);
    } finally {
      clearTimeout(timer);
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
    }
  }

  /** A new segment after a failure: seq restarts, and the first event names the last acknowledged one. */
  private rotate(chain: Chain): void {
    chain.epoch += 1;
    chain.continues = chain.acked ? { chainId: chain.chainId, seq: chain.acked.seq, hash: chain.acked.hash } : chain.continues;
    chain.chainId = `${this.options.instanceId}:${chain.tenant}:${chain.epoch}`;
    chain.seq = 0;
    chain.head = GENESIS_HASH;
    chain.acked = null;
    chain.unsigned = 0;
  }

  private checkpointDue(threshold: number): void {
    const due = [...this.chains.values()].filter((c) => c.acked && c.unsigned >= threshold);
    if (due.length === 0) return;
    for (const chain of due) chain.unsigned = 0;
    this.checkpointing = this.checkpointing.then(() => this.writeCheckpoints(due));
  }

  private async writeCheckpoints(chains: Chain[]): Promise<void> {
    for (const chain of chains) {
      if (!chain.acked) continue;
      const payload = { chainId: chain.chainId, tenant: chain.tenant, seq: chain.acked.seq, hash: chain.acked.hash, at: new Date().toISOString() };
      try {
        const jws = await this.options.signer.sign(payload, 'govgate-audit-checkpoint+jws');
        await this.options.store.checkpoints.insertOne(
          { _id: newId(), ...payload, at: new Date(payload.at), kid: this.options.signer.kid, jws },
          { writeConcern: { w: this.o.writeConcern } },
        );
      } catch (error) {
        // A missed checkpoint weakens tail detection until the next one; it never blocks requests.
        chain.unsigned += 1;
        this.options.logger.warn({ chainId: chain.chainId, err: { message: (error as Error).message } }, 'audit checkpoint failed');
      }
    }
  }
}
