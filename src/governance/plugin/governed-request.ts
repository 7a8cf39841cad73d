import { GovgateError } from '../../errors.js';
import type { Pseudonymizer } from '../redact/index.js';
import type { GovernedField, Outcome, Reason, Redaction } from '../types.js';

/**
 * What the field wrappers need of a request's governance. The runtime (src/runtime/) implements it
 * and puts it on the context as `governance`; the plugin depends on this shape only, so build time
 * never imports the request pipeline.
 */
export interface GovernedRequest {
  readonly pseudonymizer: Pseudonymizer;
  readonly now: Date;
  readonly redactions: Redaction[];
  /** Some value of the plan may need its subject's state (a tenant-wide grant). */
  readonly needsState: boolean;
  /** Decides one value of the field (the object it is read from) and records the decision for the audit event. */
  decideValue(field: GovernedField, parent: unknown): Outcome | Promise<Outcome>;
  /** The reason a response may show for a redaction of this subject's value (state reasons may be WITHHELD). */
  shownReason(subject: string | null, reason: Reason): Reason;
  /** Loads the state of these subjects in one batch; null when nothing needs loading. */
  prefetch(subjects: Iterable<string | null>): Promise<void> | null;
}

/** Fails closed: a governed field resolved outside a governed execution is an internal error. */
export function governedRequestOf(context: unknown): GovernedRequest {
  const governance = (context as { governance?: GovernedRequest } | null)?.governance;
  if (!governance) throw new GovgateError('INTERNAL_SERVER_ERROR', 'governed field resolved without request governance');
  return governance;
}

/** The request's governance if there is one (fields outside a governed execution prefetch nothing). */
export const findGovernedRequest = (context: unknown): GovernedRequest | undefined => (context as { governance?: GovernedRequest } | null)?.governance;
