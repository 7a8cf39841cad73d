/**
 * Observability through the real pipeline: /metrics carries the governance counters after real
 * requests, the access log names each operation with its decision counts, and OpenTelemetry spans
 * (when configured) reach an OTLP collector — none of them with an identifier of a subject or a value.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { RegisterAccountDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const CANARY = { displayName: 'Oskar Canary', email: 'oskar.canary@example.com' };
const LOOKUP = 'query SupportLookup($id: ID!) { user(id: $id) { displayName email } }';

const logSink = (lines: Record<string, unknown>[]) =>
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });

/** The value of one sample of the Prometheus text, or 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelPart = line.slice(name.length).match(/^\{([^}]*)\}/)?.[1] ?? '';
    if (wanted.every((w) => labelPart.split(',').includes(w))) return Number(line.split(' ').at(-1));
  }
  return 0;
}

async function register(t: TestGateway, subject: string, tenant: string): Promise<void> {
  const token = await t.token(subject, tenant, ['user']);
  const res = await t.execute(RegisterAccountDocument, { input: { ...CANARY, birthDate: '1990-01-01', country: 'FR' } }, { token });
  expect(res.errors).toBeUndefined();
}

describe('metrics and the access log', () => {
  let t: TestGateway;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    t = await startTestGateway({ name: import.meta.url, logger: pino({ level: 'info' }, logSink(lines)) });
    await register(t, 'oskar', 'obs');
  });
  afterAll(() => t?.close());

  it('counts decisions by reason, redactions, plan-cache hits and audit writes', async () => {
    const support = await t.token('sam', 'obs', ['support']);
    const before = await (await t.fetch('/metrics')).text();
    for (let i = 0; i < 3; i++) {
      const res = await t.post({ query: LOOKUP, variables: { id: 'oskar' }, operationName: 'SupportLookup' }, { token: support });
      expect(res.status).toBe(200);
    }
    const metrics = await t.fetch('/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    // Support sees the email masked (ROLE) and the name truncated: redacted values, counted per value.
    const roleRedacted = sample(text, 'govgate_decisions_total', { decision: 'REDACT', reason: 'ROLE' }) - sample(before, 'govgate_decisions_total', { decision: 'REDACT', reason: 'ROLE' });
    expect(roleRedacted).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'govgate_redactions_total', { reason: 'ROLE' })).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'govgate_decisions_total', { decision: 'ALLOW', reason: 'none' })).toBeGreaterThan(0);
    // The same document, roles and purpose three times: one plan built, two reused.
    expect(sample(text, 'govgate_plan_cache_lookups_total', { result: 'hit' }) - sample(before, 'govgate_plan_cache_lookups_total', { result: 'hit' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'govgate_audit_append_seconds_count') - sample(before, 'govgate_audit_append_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'govgate_audit_batch_events_count')).toBeGreaterThan(0);
    // Yoga's prometheus plugin on the same registry.
    expect(text).toMatch(/^graphql_yoga_http_duration_bucket\{/m);
    expect(text).toMatch(/^graphql_envelop_phase_execute_bucket\{/m);
    // Labels are closed vocabularies: no subject, tenant, operation name or value.
    expect(text).not.toMatch(/oskar|Oskar|SupportLookup|\bobs\b/);
  });

  it('logs each operation with its name, type and decision counts, never a value', async () => {
    const support = await t.token('sam', 'obs', ['support']);
    const res = await t.post({ query: LOOKUP, variables: { id: 'oskar' } }, { token: support, headers: { 'x-request-id': 'obs-lookup-0001' } });
    expect(res.status).toBe(200);
    const line = lines.find((l) => l.msg === 'request' && l.requestId === 'obs-lookup-0001');
    expect(line).toMatchObject({ status: 200, operations: [{ name: 'SupportLookup', type: 'query', redactions: expect.any(Number) }] });
    const [operation] = line!.operations as { decisions: Record<string, number>; redactions: number }[];
    expect(operation!.decisions['REDACT:ROLE']).toBeGreaterThanOrEqual(1);
    expect(operation!.redactions).toBe(Object.entries(operation!.decisions).filter(([k]) => !k.startsWith('ALLOW')).reduce((n, [, v]) => n + v, 0));
    expect(JSON.stringify(lines)).not.toMatch(/Oskar Canary|oskar\.canary@example\.com/);
  });
});

describe('rate limits and audit outages in the metrics', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ name: `${import.meta.url}-limits`, env: { RATE_LIMIT_PER_SECOND: '0.001', RATE_LIMIT_BURST: '2' } });
  });
  afterAll(() => t?.close());

  it('counts rate-limited requests and responses withheld for want of an audit record', async () => {
    const token = await t.token('rita', 'obs', ['user']);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.post({ query: '{ me { id } }' }, { token })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    let text = await (await t.fetch('/metrics')).text();
    expect(sample(text, 'govgate_rate_limited_requests_total')).toBe(statuses.filter((s) => s === 429).length);
    expect(sample(text, 'govgate_refused_requests_total', { code: 'RATE_LIMITED' })).toBe(statuses.filter((s) => s === 429).length);

    // An audit writer that accepts nothing: the response is withheld (503) and counted.
    await t.gateway.audit.writer.close();
    const other = await t.token('rolf', 'obs', ['user']);
    const res = await t.post({ query: '{ me { id } }' }, { token: other });
    expect(res.status).toBe(503);
    text = await (await t.fetch('/metrics')).text();
    expect(sample(text, 'govgate_audit_unavailable_total', { stage: 'outcome' })).toBe(1);
  });
});

describe('OpenTelemetry', () => {
  it('is off by default', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).tracing).toBeUndefined();
  });

  it('refuses an endpoint that is not an http(s) URL, without echoing it', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', OTEL_EXPORTER_OTLP_ENDPOINT: 'file:///etc/secret-path' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => loadConfig({ NODE_ENV: 'test', OTEL_EXPORTER_OTLP_ENDPOINT: 'file:///etc/secret-path' })).not.toThrow(/secret-path/);
  });

  it('sends a span per operation to the OTLP endpoint, with its name and type and no value', async () => {
    const bodies: { path: string; body: string }[] = [];
    const collector: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push({ path: req.url ?? '', body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const { port } = collector.address() as AddressInfo;
    const t = await startTestGateway({ name: `${import.meta.url}-otel`, env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: 'govgate-test' } });
    try {
      await register(t, 'olga', 'otel');
      const token = await t.token('olga', 'otel', ['user']);
      const res = await t.post({ query: 'query TracedProfile { me { displayName email } }' }, { token });
      expect(await res.text()).toContain(CANARY.email);
    } finally {
      // Closing flushes the span processor.
      await t.close();
      collector.close();
    }
    expect(bodies.length).toBeGreaterThan(0);
    expect(bodies.every((b) => b.path === '/v1/traces')).toBe(true);
    const all = bodies.map((b) => b.body).join('\n');
    expect(all).toContain('TracedProfile');
    expect(all).toContain('govgate-test');
    expect(all).toContain('graphql.execute.operationType');
    // No document, variables, result or value.
    expect(all).not.toMatch(/Oskar Canary|oskar\.canary@example\.com|displayName email/);
  });
});
