/** A consistency proof between two heads of one chain (RFC 9162), hex-encoded. */
export interface WitnessProof {
  readonly fromSize: number;
  readonly fromRoot: string;
  readonly nodes: readonly string[];
}

/** One entry of the witness log: a signed head and, for a chain, its proof from the chain's previous entry. */
export interface WitnessEntry {
  readonly kind: 'chain' | 'tenant';
  readonly tenant: string;
  readonly chainId?: string;
  readonly jws: string;
  readonly proof?: WitnessProof;
}

/** What the witness holds for a tenant: the latest head of each chain, and every instance's latest tenant head. */
export interface WitnessView {
  readonly chainHeads: readonly string[];
  readonly tenantHeads: readonly string[];
}

/**
 * Somewhere outside the database that keeps the heads it was shown: a database writer can delete
 * events, but not what the witness already saw. Heads are signed, so a witness need not be trusted
 * for integrity — only to remember.
 */
export interface Witness {
  /** Replaces the latest head of a chain; concurrent updates of one chain coalesce (the newest wins). */
  latest(tenant: string, chainId: string, jws: string): Promise<void>;
  /** Appends to the witness log (and sends it to any remote witness). */
  append(entry: WitnessEntry): Promise<void>;
  /** Records a tenant head this instance signed after a successful verification. */
  verified(tenant: string, jws: string): Promise<void>;
  read(tenant: string): Promise<WitnessView>;
  /** Waits for every write started so far. */
  flush(): Promise<void>;
  /** Flushes, then releases open files. */
  close(): Promise<void>;
}
