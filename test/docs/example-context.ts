/**
 * What the examples of one document share while they run: a temporary directory standing for
 * `/tmp/`, and a gateway of their own on a database of the test server, started by the first
 * request. A request with `env=NAME:value,...` starts it with that configuration; with `restart`
 * it replaces the running one (same database, as an operator restarts a gateway with new keys).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { testDatabaseName } from '../helpers/database.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

export interface ExampleContext {
  /** The directory that stands for /tmp in this document's examples. */
  readonly tmp: string;
  /** The running gateway; `env` and `restart` as a request block's attributes give them. */
  gateway(attrs?: Readonly<Record<string, string>>): Promise<TestGateway>;
  /** `/tmp/x` in an example → the same name under this document's directory. */
  local(text: string): string;
  /** The reverse, for what an example prints. */
  shown(text: string): string;
  /** Creates the directory a mapped file goes into. */
  prepare(file: string): Promise<string>;
  close(): Promise<void>;
}

const TMP_PATH = /(?<![\w./-])\/tmp\//g;

export async function createExampleContext(name: string): Promise<ExampleContext> {
  const tmp = await mkdtemp(`${tmpdir()}/govgate-doc-example-`);
  const dbName = testDatabaseName(name);
  let running: TestGateway | undefined;
  const local = (text: string): string => text.replace(TMP_PATH, `${tmp}/`);
  const envOf = (spec: string | undefined): Record<string, string> =>
    Object.fromEntries((spec ? spec.split(',') : []).map((pair) => [pair.slice(0, pair.indexOf(':')), local(pair.slice(pair.indexOf(':') + 1))]));
  return {
    tmp,
    async gateway(attrs = {}) {
      if (running && 'restart' in attrs) {
        await running.close();
        running = undefined;
      } else if (running && attrs.env) throw new Error('env= applies to the request that starts the gateway (the first, or one with restart)');
      running ??= await startTestGateway({ name, dbName, keepDatabase: true, env: envOf(attrs.env) });
      return running;
    },
    local,
    shown: (text) => text.replaceAll(`${tmp}/`, '/tmp/'),
    async prepare(file) {
      const path = local(file);
      await mkdir(dirname(path), { recursive: true });
      return path;
    },
    async close() {
      if (running) {
        await running.connection.dropDatabase().catch(() => undefined);
        await running.close();
      }
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
