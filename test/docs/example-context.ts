/**
 * What the examples of one document share while they run: a temporary directory standing for
 * `/tmp/`, and a gateway of their own (started on the first request) on the test database.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

export interface ExampleContext {
  /** The directory that stands for /tmp in this document's examples. */
  readonly tmp: string;
  gateway(): Promise<TestGateway>;
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
  let gateway: Promise<TestGateway> | undefined;
  const local = (text: string): string => text.replace(TMP_PATH, `${tmp}/`);
  return {
    tmp,
    gateway: () => (gateway ??= startTestGateway({ name })),
    local,
    shown: (text) => text.replaceAll(`${tmp}/`, '/tmp/'),
    async prepare(file) {
      const path = local(file);
      await mkdir(dirname(path), { recursive: true });
      return path;
    },
    async close() {
      if (gateway) await (await gateway).close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
