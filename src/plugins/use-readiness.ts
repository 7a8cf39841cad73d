import type { Connection } from 'mongoose';
import type { Plugin } from 'graphql-yoga';

export interface ReadinessOptions {
  /**
   * Every database a response depends on, by the name `/ready` reports it under, e.g.
   * `{ mongodb: data, audit: auditStore }`. A connection listed twice is probed once.
   */
  checks: Readonly<Record<string, Connection>>;
  /** Path answered. Default '/ready'. */
  path?: string;
  /** A probe slower than this counts as not ready, ms. Default 2000. */
  timeoutMs?: number;
  /** Identifies this instance's probe document. */
  instanceId: string;
  /** Callers within this long of a probe share its answer, ms: a flood of /ready is not a flood of writes. Default 1000. */
  reuseMs?: number;
}

/**
 * `/ready` is 200 only while every checked database accepts a write with the configured write
 * concern (the same path audit records take), else 503 with the failing check named
 * (`checks: { mongodb: 'ok', audit: 'failing' }`); it recovers by itself when the database returns.
 */
export function useReadiness(options: ReadinessOptions): Plugin {
  const { checks, path = '/ready', timeoutMs = 2000, instanceId, reuseMs = 1000 } = options;
  const probe = async (connection: Connection): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const write = connection
      .collection<{ _id: string; at: Date }>('govgate_readiness')
      .updateOne({ _id: instanceId }, { $set: { at: new Date() } }, { upsert: true, maxTimeMS: timeoutMs })
      .then(() => true as const)
      .catch(() => false as const);
    try {
      return await Promise.race([write, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  const probeAll = async (): Promise<Record<string, string>> => {
    const probes = new Map<Connection, Promise<boolean>>();
    const named = Object.entries(checks).map(async ([name, connection]) => {
      if (!probes.has(connection)) probes.set(connection, probe(connection));
      return [name, (await probes.get(connection)) ? 'ok' : 'failing'] as const;
    });
    return Object.fromEntries(await Promise.all(named));
  };
  let last: { at: number; results: Promise<Record<string, string>> } | null = null;
  return {
    async onRequest({ url, endResponse }) {
      if (url.pathname !== path) return;
      if (!last || Date.now() - last.at > reuseMs) last = { at: Date.now(), results: probeAll() };
      const results = await last.results;
      const ready = Object.values(results).every((result) => result === 'ok');
      endResponse(
        new Response(JSON.stringify({ status: ready ? 'ready' : 'unavailable', checks: results }), {
          status: ready ? 200 : 503,
          headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
