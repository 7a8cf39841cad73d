import { Counter, Registry } from 'prom-client';

/**
 * The gateway's Prometheus metrics, one registry per gateway (tests run several in a process).
 * Served at GET /metrics.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Requests refused before execution, by code (UNAUTHENTICATED, RATE_LIMITED, PURPOSE_NOT_ALLOWED, ...). */
  readonly refused: Counter<'code'>;
  /** Anonymous requests that reached execution: counted here instead of written to the audit log. */
  readonly anonymous: Counter;
}

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  return {
    registry,
    refused: new Counter({ name: 'govgate_refused_requests_total', help: 'Requests refused before execution, by error code', labelNames: ['code'], registers: [registry] }),
    anonymous: new Counter({ name: 'govgate_anonymous_requests_total', help: 'Anonymous requests executed (never written to the audit log)', registers: [registry] }),
  };
}
