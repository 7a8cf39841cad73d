/** The servers of a run: one process per variant on 127.0.0.1, and how the bench talks to them. */
import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GraphQLResponse, VariantKind } from './checks.js';
import { BENCH_DIR, nextMessage, spawnNode } from './processes.js';
import type { GraphQLBody } from './queries.js';
import type { Settings } from './settings.js';

export interface ServerSpec {
  readonly name: string;
  readonly entry: string;
  readonly kind: VariantKind;
  readonly description: string;
  readonly env: Record<string, string>;
  /** Command-line arguments of the server script (e.g. B's `--cache=strict`). */
  readonly args?: readonly string[];
}

export interface RunningServer {
  readonly spec: ServerSpec;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
}

export async function startServer(spec: ServerSpec, settings: Settings): Promise<RunningServer> {
  const profiled = settings.cpuProf.includes(spec.name);
  // One directory per server: node writes a profile per thread (the main thread's is the big one;
  // tsx's module loader runs on a second thread).
  const profileDir = join(BENCH_DIR, 'profiles', `${spec.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  if (profiled) await mkdir(profileDir, { recursive: true });
  const child = spawnNode(spec.entry, { env: spec.env, args: spec.args ?? [], nodeArgs: profiled ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [] });
  const ready = await nextMessage<{ type: 'ready'; port: number; pid: number }>(child, 'ready', 180_000, `server ${spec.name}`);
  return { spec, child, pid: ready.pid, url: `http://127.0.0.1:${ready.port}/graphql` };
}

/** What every request of the bench sends: JSON, the caller's token, and the case's own headers (X-Purpose). */
export const requestHeaders = (token: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'content-type': 'application/json',
  accept: 'application/graphql-response+json, application/json',
  authorization: `Bearer ${token}`,
  'user-agent': 'govgate-bench/1',
  ...extra,
});

export async function post(server: RunningServer, body: GraphQLBody, token: string, headers: Record<string, string> = {}): Promise<GraphQLResponse & { status: number }> {
  const response = await fetch(server.url, { method: 'POST', headers: requestHeaders(token, headers), body: JSON.stringify(body) });
  const json = (await response.json()) as GraphQLResponse;
  return { ...json, status: response.status };
}
