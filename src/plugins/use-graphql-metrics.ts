import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';

/**
 * Yoga's Prometheus plugin on the gateway's registry: HTTP duration and the GraphQL phases (parse,
 * validate, execute) with error counts. Labels are the operation type, HTTP method and status only:
 * an operation name is chosen by the client, so as a label it would let any caller grow the
 * registry without bound (and it can carry text). /metrics is served by useMetricsEndpoint.
 */
export function useGraphqlMetrics(registry: Registry): Plugin {
  return usePrometheus({
    registry,
    endpoint: false,
    skipIntrospection: true,
    metrics: {
      graphql_yoga_http_duration: true,
      graphql_envelop_request_duration: true,
      graphql_envelop_phase_parse: true,
      graphql_envelop_phase_validate: true,
      graphql_envelop_phase_execute: true,
      graphql_envelop_error_result: true,
    },
    labels: { operationName: false, operationType: true, fieldName: false, typeName: false, returnType: false, path: false, phase: true, method: true, statusCode: true, url: false },
  });
}
