/**
 * What verification can find, each named for what a database writer did (or what it looks like
 * when the cause cannot be told apart).
 */
export const PROBLEM_KINDS = {
  EVENT_MISSING: 'an event is missing from the middle of its chain (deleted)',
  EVENT_ALTERED: "an event's content no longer matches its hash (rewritten)",
  LINK_BROKEN: "an event's prevHash does not name the event before it (reordered or inserted)",
  SEGMENT_BROKEN: 'a chain segment does not continue the segment it names',
  HEAD_MISMATCH: 'the events no longer reproduce a signed tree head (rewritten, reordered or deleted, then re-hashed)',
  HEAD_INVALID: 'a tree head is not signed by a configured key (forged, or a key the gateway does not trust)',
  UNSIGNED_EVENTS: 'events that no signed tree head covers (invented, or written but never acknowledged)',
  CHAIN_INVENTED: 'a chain without a single valid signed head (invented)',
  TRUNCATED: 'the chain is shorter than a head the witness holds (newest events deleted)',
  CHAIN_MISSING: 'a chain the witness knows has no events left in the store (deleted)',
  CHAIN_UNWITNESSED: 'a chain no witness this instance can read has heard of (written by an instance with a witness of its own, or invented): nothing outside the database shows what was removed from its end',
  WITNESS_INVALID: 'a witness record is not signed by a configured key',
} as const;

export type ProblemKind = keyof typeof PROBLEM_KINDS;

export interface AuditProblem {
  readonly kind: ProblemKind;
  readonly chainId: string | null;
  /** The first seq affected, where one can be named. */
  readonly seq: number | null;
  readonly detail: string;
}

export const problem = (kind: ProblemKind, chainId: string | null, seq: number | null, detail: string): AuditProblem => ({ kind, chainId, seq, detail });
