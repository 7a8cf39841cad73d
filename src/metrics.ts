import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DecisionTally } from './governance/types.js';

/**
 * The gateway's Prometheus metrics, one registry per gateway (tests run several in a process).
 * Served at GET /metrics. Labels are closed vocabularies (codes, reasons, strategies), never an
 * identifier, a field path or a value.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Requests refused before execution, by code (UNAUTHENTICATED, RATE_LIMITED, PURPOSE_NOT_ALLOWED, ...). */
  readonly refused: Counter<'code'>;
  /** Requests refused by the rate limit (also counted in `refused` with code RATE_LIMITED). */
  readonly rateLimited: Counter;
  /** 1 while this instance's rate limit is shared with the other instances, 0 while it limits alone (sharing off, or the store unavailable). */
  readonly rateLimitShared: Gauge;
  /** Instances the burst is split between (1 when limiting alone). */
  readonly rateLimitInstances: Gauge;
  /** Syncs of the shared rate limit that failed or timed out (each falls back to the per-process limit). */
  readonly rateLimitSyncFailures: Counter;
  /** Anonymous requests that reached execution: counted here instead of written to the audit log. */
  readonly anonymous: Counter;
  /** Governed values decided, by decision and reason (ALLOW has reason "none"). */
  readonly decisions: Counter<'decision' | 'reason'>;
  /** Values withheld from responses, by reason and strategy. */
  readonly redactions: Counter<'reason' | 'strategy'>;
  /** Plan cache lookups: hit or miss (a miss builds the plan). */
  readonly planCache: Counter<'result'>;
  /** Time from an audit append to its acknowledgement (group commit included), seconds. */
  readonly auditAppendSeconds: Histogram;
  /** Events per audit write (group commit). */
  readonly auditBatchSize: Histogram;
  /** Responses withheld or mutations refused because their audit event could not be written, by stage. */
  readonly auditUnavailable: Counter<'stage'>;
  /** Adds one request's decisions and redactions (one increment per distinct label set, not per value). */
  observeRequest(tally: DecisionTally, redactions: readonly { reason: string; strategy: string }[]): void;
}

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const decisions = new Counter({ name: 'govgate_decisions_total', help: 'Governed values decided, by decision and reason', labelNames: ['decision', 'reason'], registers });
  const redactions = new Counter({ name: 'govgate_redactions_total', help: 'Values withheld from responses, by reason and strategy', labelNames: ['reason', 'strategy'], registers });
  return {
    registry,
    refused: new Counter({ name: 'govgate_refused_requests_total', help: 'Requests refused before execution, by error code', labelNames: ['code'], registers }),
    rateLimited: new Counter({ name: 'govgate_rate_limited_requests_total', help: 'Requests refused by the rate limit', registers }),
    rateLimitShared: new Gauge({ name: 'govgate_rate_limit_shared', help: '1 while the rate limit is shared across instances, 0 while this instance limits alone', registers }),
    rateLimitInstances: new Gauge({ name: 'govgate_rate_limit_instances', help: 'Instances the rate limit burst is split between', registers }),
    rateLimitSyncFailures: new Counter({ name: 'govgate_rate_limit_sync_failures_total', help: 'Shared rate limit syncs that failed or timed out (fallback to the per-process limit)', registers }),
    anonymous: new Counter({ name: 'govgate_anonymous_requests_total', help: 'Anonymous requests executed (never written to the audit log)', registers }),
    decisions,
    redactions,
    planCache: new Counter({ name: 'govgate_plan_cache_lookups_total', help: 'Governance plan cache lookups, by result (hit, miss)', labelNames: ['result'], registers }),
    auditAppendSeconds: new Histogram({
      name: 'govgate_audit_append_seconds',
      help: 'Time from an audit append to its acknowledgement, seconds',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    auditBatchSize: new Histogram({ name: 'govgate_audit_batch_events', help: 'Events per audit write (group commit)', buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500], registers }),
    auditUnavailable: new Counter({ name: 'govgate_audit_unavailable_total', help: 'Requests answered AUDIT_UNAVAILABLE, by stage (intent, outcome, refusal)', labelNames: ['stage'], registers }),
    observeRequest(tally, withheld) {
      for (const [key, count] of tally) {
        const cut = key.indexOf(':');
        decisions.inc({ decision: key.slice(0, cut), reason: key.slice(cut + 1) }, count);
      }
      if (withheld.length === 0) return;
      const byLabel = new Map<string, number>();
      for (const r of withheld) {
        const key = `${r.reason}:${r.strategy}`;
        byLabel.set(key, (byLabel.get(key) ?? 0) + 1);
      }
      for (const [key, count] of byLabel) {
        const cut = key.indexOf(':');
        redactions.inc({ reason: key.slice(0, cut), strategy: key.slice(cut + 1) }, count);
      }
    },
  };
}
