import { useOpenTelemetry } from '@envelop/opentelemetry';
import { SpanKind } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter, type TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { Plugin } from 'graphql-yoga';

export interface TracingOptions {
  /** OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `<endpoint>/v1/traces` as OTLP JSON. */
  endpoint: string;
  /** `service.name` of the spans (OTEL_SERVICE_NAME). */
  serviceName: string;
}

export interface Tracing {
  readonly plugin: Plugin;
  /** Exports what is buffered and stops the exporter (at gateway close). */
  shutdown(): Promise<void>;
}

/**
 * An exception event keeps its type, never its message: an error's text can quote input or, before
 * masking, a value. The spans otherwise carry operation name and type only (no document, variables,
 * result or resolver arguments).
 */
const scrubbed = (event: TimedEvent): TimedEvent =>
  event.name === 'exception' ? { name: event.name, time: event.time, attributes: { 'exception.type': String(event.attributes?.['exception.type'] ?? 'error') } } : event;

class ScrubbingExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(
      spans.map((span) => Object.create(span, { events: { value: span.events.map(scrubbed) } }) as ReadableSpan),
      done,
    );
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** envelop's OpenTelemetry plugin with its own provider (nothing global is registered), exporting over OTLP/HTTP. */
export function createTracing(options: TracingOptions): Tracing {
  const exporter = new ScrubbingExporter(new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` }));
  const provider = new BasicTracerProvider({
    resource: new Resource({ 'service.name': options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  const plugin = useOpenTelemetry({ document: false, variables: false, result: false, resolvers: false }, provider, SpanKind.SERVER, {}, options.serviceName) as Plugin;
  return { plugin, shutdown: () => provider.shutdown() };
}
