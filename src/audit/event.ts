import type { DecisionRecord } from '../governance/index.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditActor {
  readonly subject: string | null;
  readonly tenant: string | null;
  readonly roles: readonly string[];
  /** Client identifier (User-Agent product token), if sent. */
  readonly client: string | null;
}

/** One (subject, coordinate) decision, exactly as governance took it. */
export type AuditDecision = DecisionRecord;

/**
 * How a request ended, as far as the audit is concerned. INTENT: a mutation is about to take effect
 * (written before it; its outcome event names it). CLOSED: the instance shut down cleanly; a chain
 * without it ended abruptly (crash, kill).
 */
export const AUDIT_OUTCOMES = ['INTENT', 'SERVED', 'DENIED', 'FAILED', 'CLOSED'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** What a request contributes; the writer adds the chain fields. Identifiers only, never values. */
export interface AuditEventInput {
  readonly id: string;
  readonly at: Date;
  readonly tenant: string;
  readonly requestId: string;
  readonly actor: AuditActor;
  readonly purpose: string | null;
  readonly legalBasis: string | null;
  readonly operationName: string | null;
  readonly operationType: 'query' | 'mutation' | 'subscription' | null;
  /** SHA-256 of the GraphQL document text. */
  readonly documentHash: string | null;
  readonly outcome: AuditOutcome;
  /** Error code of a denied or failed request. */
  readonly code: string | null;
  /** The INTENT event this outcome completes (mutations), else null. */
  readonly intent: string | null;
  /** Compliance operations and other accesses that are not field reads. */
  readonly accesses: readonly string[];
  readonly subjects: readonly string[];
  readonly decisions: readonly AuditDecision[];
  /**
   * What a system job did to stored records, per rule (the retention sweeper's outcome): counts and
   * the clause, never a value. Absent on every other event (and then not hashed, so chains written
   * before it existed still verify).
   */
  readonly effects?: readonly AuditEffect[];
  /** The pack (name and version) that decided a request's values; absent on events from before it was recorded. */
  readonly policy?: { readonly pack: string; readonly version: string };
}

/** Records of one collection deleted or anonymised under one rule of the pack. */
export interface AuditEffect {
  readonly collection: string;
  readonly action: 'DELETED' | 'ANONYMISED';
  readonly count: number;
  /** The category of the rule that applied, and its period in days. */
  readonly category: string;
  readonly days: number;
  /** The clause the rule cites. */
  readonly source: string;
}

/** Where an event sits in its chain. A new chain segment names the last acknowledged event of the one before. */
export interface ChainLink {
  readonly chainId: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly continues: { chainId: string; seq: number; hash: string } | null;
}

export interface AuditEvent extends AuditEventInput, ChainLink {
  readonly hash: string;
}

/**
 * The stored document: `_id` is the event id (the `auditId` of the response). `head` — the signed
 * tree head of the chain up to this event — is on the last event of the chain in each write; it is
 * not part of the event's hash (it signs it).
 */
export type AuditEventDoc = Omit<AuditEvent, 'id'> & { _id: string; head?: string };
