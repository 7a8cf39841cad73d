import type { Logger } from 'pino';
import { newId } from '../db/ids.js';
import type { AuditSigner } from './audit-keys.js';
import type { AuditSink } from './audit-store.js';
import { hashEvent } from './canonical-hash.js';
import { GENESIS_HASH, type AuditEvent, type AuditEventDoc, type AuditEventInput, type ChainLink } from './event.js';
import { consistencyProof, EMPTY_ROOT, leafHash, MerkleFrontier, subtreeRoot, type SubtreeRoots } from './merkle/index.js';
import { signChainHead, type ChainHead } from './tree-head.js';
import type { Witness, WitnessEntry } from './witness/index.js';

export interface AuditWriterOptions {
  /** Where each group commit is persisted (the store's collection: storeSink). */
  sink: AuditSink;
  signer: AuditSigner;
  witness: Witness;
  /** Identifies this gateway instance; chains are per instance and tenant so replicas never contend. */
  instanceId: string;
  /** Write concern of audit appends. Default 'majority'. */
  writeConcern?: 'majority' | number;
  /** An append not acknowledged within this fails, ms. Default 5000. */
  writeTimeoutMs?: number;
  /** After a write is given up on, appends fail at once until it settles, at most this long, ms. Default 10 × writeTimeoutMs. */
  abandonedWaitMs?: number;
  /** Largest group commit. Default 500. */
  maxBatch?: number;
  /** Add a chain's head to the witness log after this many events. Default 100. */
  checkpointEvery?: number;
  /** ...and at least this often while a chain has events the log has not seen, ms. Default 60000. */
  checkpointIntervalMs?: number;
  /** Told of each acknowledged write: its size and how long each of its events waited from append, seconds. Default: nobody. */
  observer?: AuditWriteObserver;
  logger: Logger;
}

export interface AuditWriteObserver {
  written(events: number, appendToAckSeconds: readonly number[]): void;
}

/** What this instance knows first-hand about one of its chains: acknowledged size and tree head. */
export interface OwnChainState {
  readonly tenant: string;
  readonly chainId: string;
  /** Events acknowledged, and the root over them (null before the first). */
  readonly size: number;
  readonly root: string | null;
  /** Highest seq ever assigned (in flight, or failed with a write). */
  readonly assigned: number;
  /** Still written (false: a segment ended by a failed write, or the instance closed). */
  readonly open: boolean;
}

interface SignedHead {
  readonly jws: string;
  readonly size: number;
  readonly root: Buffer;
}

interface Chain {
  tenant: string;
  epoch: number;
  chainId: string;
  /** Last assigned seq and hash (events queued, maybe not yet written). */
  seq: number;
  head: string;
  acked: { seq: number; hash: string } | null;
  continues: ChainLink['continues'];
  /** Merkle frontier over the written events, and the last head signed over it. */
  frontier: MerkleFrontier;
  latest: SignedHead | null;
  /** The last head in the witness log, its frontier, and the leaves written since. */
  logged: { size: number; root: Buffer; frontier: MerkleFrontier } | null;
  sinceLog: Buffer[];
  /** The witness knows the chain exists (written before its first event is). */
  opened: boolean;
  /** The chain has an entry in the witness log. */
  witnessed: boolean;
}

interface Pending {
  doc: AuditEventDoc;
  chain: Chain;
  resolve: (event: AuditEvent) => void;
  reject: (error: Error) => void;
  event: AuditEvent;
  /** performance.now() at append, for the append-to-acknowledgement latency. */
  appendedAt: number;
}

function closeEvent(tenant: string): AuditEventInput {
  return {
    id: newId(), at: new Date(), tenant, requestId: 'shutdown', actor: { subject: null, tenant: null, roles: [], client: 'govgate' },
    purpose: null, legalBasis: null, operationName: null, operationType: null, documentHash: null, outcome: 'CLOSED', code: null,
    intent: null, accesses: [], subjects: [], decisions: [],
  };
}

export class AuditUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`audit store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'AuditUnavailableError';
  }
}

const hex = (b: Buffer): string => b.toString('hex');

/**
 * Appends hash-chained audit events with group commit: events of concurrent requests share one
 * ordered insert, and each request still waits for its own acknowledgement. Every write carries a
 * signed tree head of each chain it extends (on the chain's last event of the write), so no
 * acknowledged event is ever without a signature that a database writer cannot make, and each
 * write is acknowledged only once the witness holds its head. The witness log gets a head every N
 * events / T seconds with a consistency proof from the previous entry. A failed write fails every queued
 * event and starts a new chain segment that names the last acknowledged event.
 */
export class AuditWriter {
  private readonly chains = new Map<string, Chain>();
  /** Segments this instance ended (after failed writes), by tenant: still its own first-hand knowledge. */
  private readonly retired = new Map<string, OwnChainState[]>();
  private queue: Pending[] = [];
  private flushing = false;
  private scheduled = false;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  /**
   * A write that was given up on (no acknowledgement in time) but has not settled: the store may
   * still be working on it. Until it settles (or `abandonedWaitMs` passes) appends fail at once, so a
   * slow store is never sent write after write that nobody waits for — that backlog kept every
   * later write late, and the gateway answering 503, long after the store had recovered.
   */
  private abandoned: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private readonly o: Required<Omit<AuditWriterOptions, 'logger' | 'sink' | 'signer' | 'instanceId' | 'witness' | 'observer'>>;

  constructor(private readonly options: AuditWriterOptions) {
    this.o = {
      writeConcern: options.writeConcern ?? 'majority',
      writeTimeoutMs: options.writeTimeoutMs ?? 5000,
      maxBatch: options.maxBatch ?? 500,
      abandonedWaitMs: options.abandonedWaitMs ?? 10 * (options.writeTimeoutMs ?? 5000),
      checkpointEvery: options.checkpointEvery ?? 100,
      checkpointIntervalMs: options.checkpointIntervalMs ?? 60_000,
    };
    this.timer = setInterval(() => this.logDue(1), this.o.checkpointIntervalMs);
    this.timer.unref();
  }

  /** Resolves once the event is durably written (per the write concern) under a signed head; rejects with AuditUnavailableError. */
  append(input: AuditEventInput): Promise<AuditEvent> {
    if (this.closed) return Promise.reject(new AuditUnavailableError('audit writer closed'));
    if (this.abandoned) return Promise.reject(new AuditUnavailableError('the audit store has not answered the last write yet'));
    const chain = this.chainFor(input.tenant);
    const link: ChainLink = { chainId: chain.chainId, seq: chain.seq + 1, prevHash: chain.head, continues: chain.seq === 0 ? chain.continues : null };
    const unhashed = { ...input, ...link };
    const event: AuditEvent = { ...unhashed, hash: hashEvent(unhashed) };
    chain.seq = link.seq;
    chain.head = event.hash;
    const { id, ...rest } = event;
    return new Promise<AuditEvent>((resolve, reject) => {
      this.queue.push({ doc: { _id: id, ...rest }, chain, resolve, reject, event, appendedAt: performance.now() });
      this.schedule();
    });
  }

  /** Chains this instance writes now, for verification (they are OPEN). */
  chainIds(): string[] {
    return [...this.chains.values()].map((c) => c.chainId);
  }

  /**
   * Puts the current head of each of this instance's chains of the tenant into the witness log and
   * waits until the witness holds it: what a verification is about to read can no longer vanish
   * unnoticed. Returns those chains as this instance knows them (trusted: not read from the database).
   */
  async witnessNow(tenant: string): Promise<OwnChainState[]> {
    const chain = this.chains.get(tenant);
    const retired = this.retired.get(tenant) ?? [];
    if (!chain) return retired;
    if (chain.latest && (!chain.logged || chain.logged.size < chain.latest.size)) this.logHead(chain);
    await this.options.witness.flush();
    return [...retired, { ...this.stateOf(chain), open: !this.closed }];
  }

  /** How far this instance is on one of its open chains now (a verification in progress reads it as it walks). */
  progress(chainId: string): { acked: number; assigned: number } | null {
    for (const chain of this.chains.values()) if (chain.chainId === chainId) return { acked: chain.latest?.size ?? 0, assigned: chain.seq };
    return null;
  }

  private stateOf(chain: Chain): OwnChainState {
    return { tenant: chain.tenant, chainId: chain.chainId, size: chain.latest?.size ?? 0, root: chain.latest ? hex(chain.latest.root) : null, assigned: chain.seq, open: true };
  }

  /** Idempotent: appends a CLOSED event to every chain, refuses later appends, logs the final heads. */
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
    this.logDue(1);
    await this.options.witness.flush().catch((error: unknown) => this.options.logger.error({ err: { message: (error as Error).message } }, 'audit witness not flushed at shutdown'));
  }

  private chainFor(tenant: string): Chain {
    let chain = this.chains.get(tenant);
    if (!chain) {
      chain = this.newSegment(tenant, 0, null);
      this.chains.set(tenant, chain);
    }
    return chain;
  }

  private newSegment(tenant: string, epoch: number, continues: ChainLink['continues']): Chain {
    return {
      tenant, epoch, chainId: `${this.options.instanceId}:${tenant}:${epoch}`, seq: 0, head: GENESIS_HASH, acked: null, continues,
      frontier: MerkleFrontier.empty(), latest: null, logged: null, sinceLog: [], opened: false, witnessed: false,
    };
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

  /** Per chain of the batch: its frontier after the batch, the new leaves, and where its last event is. */
  private advance(batch: Pending[]): Map<Chain, { frontier: MerkleFrontier; leaves: Buffer[]; last: number }> {
    const work = new Map<Chain, { frontier: MerkleFrontier; leaves: Buffer[]; last: number }>();
    batch.forEach((p, i) => {
      let w = work.get(p.chain);
      if (!w) work.set(p.chain, (w = { frontier: p.chain.frontier.clone(), leaves: [], last: i }));
      const leaf = leafHash(Buffer.from(p.doc.hash, 'hex'));
      w.frontier.append(leaf);
      w.leaves.push(leaf);
      w.last = i;
    });
    return work;
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const batch = this.queue.splice(0, this.o.maxBatch);
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = this.advance(batch);
      await this.open([...work.keys()].filter((c) => !c.opened));
      const signed = new Map<Chain, SignedHead>();
      await Promise.all(
        [...work].map(async ([chain, w]) => {
          const lastDoc = batch[w.last]!.doc;
          const root = w.frontier.root();
          const head: ChainHead = { tenant: chain.tenant, chainId: chain.chainId, size: w.frontier.size, root: hex(root), last: lastDoc.hash, at: new Date().toISOString() };
          const jws = await signChainHead(this.options.signer, head);
          lastDoc.head = jws;
          signed.set(chain, { jws, size: head.size, root });
        }),
      );
      const insert = this.options.sink.insert(
        batch.map((p) => p.doc),
        { w: this.o.writeConcern, wtimeoutMS: this.o.writeTimeoutMs },
      );
      await Promise.race([
        insert,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            this.abandon(insert);
            reject(new Error(`no acknowledgement within ${this.o.writeTimeoutMs} ms`));
          }, this.o.writeTimeoutMs);
        }),
      ]);
      for (const [chain, w] of work) {
        chain.frontier = w.frontier;
        chain.sinceLog.push(...w.leaves);
        chain.latest = signed.get(chain)!;
        const last = batch[w.last]!.doc;
        chain.acked = { seq: last.seq, hash: last.hash };
      }
      await this.witnessHeads([...work.keys()]);
      for (const p of batch) p.resolve(p.event);
      if (this.options.observer) {
        const now = performance.now();
        this.options.observer.written(batch.length, batch.map((p) => (now - p.appendedAt) / 1000));
      }
      this.logDue(this.o.checkpointEvery);
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

  /** Holds appends back until the given-up write settles, at most `abandonedWaitMs`. */
  private abandon(insert: Promise<unknown>): void {
    let waited: NodeJS.Timeout | undefined;
    const settled = insert.then(() => undefined, () => undefined);
    const cap = new Promise<void>((resolve) => {
      waited = setTimeout(resolve, this.o.abandonedWaitMs);
      waited.unref();
    });
    this.abandoned = Promise.race([settled, cap]).finally(() => {
      clearTimeout(waited);
      this.abandoned = null;
    });
  }

  /**
   * Before a chain's first event is written, the witness learns the chain exists (a signed head of
   * size 0): a chain in the store that the witness never heard of was not written by a gateway.
   */
  private async open(chains: Chain[]): Promise<void> {
    await Promise.all(
      chains.map(async (chain) => {
        const head: ChainHead = { tenant: chain.tenant, chainId: chain.chainId, size: 0, root: hex(EMPTY_ROOT), last: GENESIS_HASH, at: new Date().toISOString() };
        await this.options.witness.latest(chain.tenant, chain.chainId, await signChainHead(this.options.signer, head));
        chain.opened = true;
      }),
    );
  }

  /**
   * No event is acknowledged before the witness holds a head covering it: a crash or a database
   * writer can then never take away, unnoticed, anything a client was answered for. Writes of one
   * chain coalesce (a head waiting behind a write in flight is carried by the next), so under load
   * one witness write serves many audit writes.
   */
  private async witnessHeads(chains: Chain[]): Promise<void> {
    await Promise.all(
      chains.map(async (chain) => {
        await this.options.witness.latest(chain.tenant, chain.chainId, chain.latest!.jws);
        if (!chain.witnessed) {
          chain.witnessed = true;
          // The chain's first head also opens its entry in the witness log.
          void this.logHead(chain);
        }
      }),
    );
  }

  /** A new segment after a failure: seq restarts, and the first event names the last acknowledged one. */
  private rotate(chain: Chain): void {
    // The ending segment's last head goes to the witness log, so its final size is on record.
    if (chain.latest && (!chain.logged || chain.logged.size < chain.latest.size)) this.logHead(chain);
    if (chain.seq > 0) this.retired.set(chain.tenant, [...(this.retired.get(chain.tenant) ?? []), { ...this.stateOf(chain), open: false }]);
    const continues = chain.acked ? { chainId: chain.chainId, seq: chain.acked.seq, hash: chain.acked.hash } : chain.continues;
    Object.assign(chain, this.newSegment(chain.tenant, chain.epoch + 1, continues));
  }

  private logDue(threshold: number): void {
    for (const chain of this.chains.values()) {
      if (chain.latest && chain.latest.size - (chain.logged?.size ?? 0) >= threshold) this.logHead(chain);
    }
  }

  /** Appends the chain's latest head to the witness log with a consistency proof from the previous entry. */
  private logHead(chain: Chain): Promise<void> {
    const latest = chain.latest;
    if (!latest) return Promise.resolve();
    const previous = chain.logged;
    const entry: WitnessEntry = {
      kind: 'chain',
      tenant: chain.tenant,
      chainId: chain.chainId,
      jws: latest.jws,
      ...(previous && previous.size < latest.size
        ? { proof: { fromSize: previous.size, fromRoot: hex(previous.root), nodes: consistencyProof(previous.size, latest.size, this.proofRoots(chain)).map(hex) } }
        : {}),
    };
    chain.logged = { size: latest.size, root: latest.root, frontier: chain.frontier.clone() };
    chain.sinceLog = [];
    const written = this.options.witness.append(entry);
    written.catch((error: unknown) => this.options.logger.error({ chainId: chain.chainId, err: { message: (error as Error).message } }, 'audit witness log append failed'));
    return written;
  }

  /** Subtree roots for a proof from the logged head: the old frontier's subtrees and the leaves since. */
  private proofRoots(chain: Chain): SubtreeRoots {
    const logged = chain.logged!;
    const subtrees = logged.frontier.subtrees();
    const since = chain.sinceLog;
    return (lo, hi) => {
      if (lo >= logged.size) return subtreeRoot(since, lo - logged.size, hi - logged.size);
      const known = subtrees.find((s) => s.lo === lo && s.hi === hi);
      if (!known) throw new Error(`consistency proof asked for [${lo}, ${hi}) across the logged tree`);
      return known.root;
    };
  }
}
