import { accessSync, constants } from 'node:fs';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { DryMongoBinary } from 'mongodb-memory-server-core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { locateMongod } from '../../src/db/locate-mongod.js';
import { cleanEnv, postGraphQL, spawnTs, type Spawned } from '../helpers/spawn.js';

/** PATH without any directory that holds a mongod: what a machine without MongoDB has. */
const pathWithoutMongod = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => {
    try {
      accessSync(join(dir, 'mongod'), constants.X_OK);
      return false;
    } catch {
      return true;
    }
  })
  .join(delimiter);

/** A version mongodb-memory-server has surely not cached here, so a test decides what "cached" means. */
const UNCACHED_VERSION = '99.0.0';

async function fakeMongod(dir: string, script: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'mongod');
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('locateMongod (no download, ever)', () => {
  const saved = { ...process.env };
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'govgate-mongod-'));
    process.env.PATH = pathWithoutMongod;
    process.env.MONGOMS_VERSION = UNCACHED_VERSION;
    process.env.MONGOMS_DOWNLOAD_DIR = join(dir, 'cache');
    delete process.env.MONGOMS_SYSTEM_BINARY;
  });
  afterEach(() => {
    process.env = { ...saved };
    DryMongoBinary.binaryCache.clear();
  });

  it('finds none and says where it looked', async () => {
    const search = await locateMongod();
    expect(search.found).toBeUndefined();
    expect(search).toMatchObject({ reason: expect.stringMatching(/no mongod binary on PATH or in mongodb-memory-server's cache \(version 99\.0\.0\), and MONGOMS_SYSTEM_BINARY is unset/) });
  });

  it('finds mongod on PATH and asks it its version', async () => {
    const path = await fakeMongod(join(dir, 'bin'), 'echo "db version v7.0.14"');
    process.env.PATH = `${join(dir, 'bin')}${delimiter}${pathWithoutMongod}`;
    expect(await locateMongod()).toEqual({ found: { path, version: '7.0.14', source: 'PATH' } });
  });

  it('passes over a mongod that does not run', async () => {
    await fakeMongod(join(dir, 'bin'), 'exit 1');
    process.env.PATH = `${join(dir, 'bin')}${delimiter}${pathWithoutMongod}`;
    expect(await locateMongod()).toMatchObject({ reason: expect.stringMatching(/mongod from PATH .* does not run/) });
  });

  it('takes MONGOMS_SYSTEM_BINARY first, and says so when it names nothing executable', async () => {
    await fakeMongod(join(dir, 'bin'), 'echo "db version v7.0.14"');
    process.env.PATH = `${join(dir, 'bin')}${delimiter}${pathWithoutMongod}`;
    const system = await fakeMongod(join(dir, 'system'), 'echo "db version v8.0.4"');
    process.env.MONGOMS_SYSTEM_BINARY = system;
    expect(await locateMongod()).toEqual({ found: { path: system, version: '8.0.4', source: 'MONGOMS_SYSTEM_BINARY' } });
    process.env.MONGOMS_SYSTEM_BINARY = join(dir, 'missing', 'mongod');
    expect(await locateMongod()).toEqual({ reason: 'MONGOMS_SYSTEM_BINARY names no executable file' });
  });

  it("finds a binary mongodb-memory-server downloaded earlier (its cache, complete with the checksum it writes)", async () => {
    const name = await DryMongoBinary.getBinaryName(await DryMongoBinary.generateOptions());
    const cached = join(dir, 'cache', name);
    await mkdir(join(dir, 'cache'), { recursive: true });
    await writeFile(cached, Buffer.alloc(2 * 1024 * 1024));
    await chmod(cached, 0o755);
    await writeFile(`${cached}.md5`, `0 *${name}\n`);
    expect(await locateMongod()).toEqual({ found: { path: cached, version: UNCACHED_VERSION, source: 'cache' } });
  });
});

describe('npm start with EMBEDDED_DATABASE=auto (the default) on a machine without mongod', () => {
  const started: Spawned[] = [];
  // Where a download would go (mongodb-memory-server fetches over https): any connection is an attempt.
  let downloads = 0;
  const mirror = createServer((socket) => {
    downloads += 1;
    socket.destroy();
  });
  afterAll(async () => {
    started.forEach((s) => s.kill('SIGKILL'));
    await new Promise((resolve) => mirror.close(resolve));
  });

  it('goes straight to the Java server with one line saying why: no download attempt, no stack trace', { timeout: 180_000 }, async () => {
    await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
    const stateDir = await mkdtemp(join(tmpdir(), 'govgate-auto-'));
    const app = spawnTs(
      'src/main.ts',
      [],
      cleanEnv({
        PORT: '0',
        GOVGATE_STATE_DIR: stateDir,
        LOG_LEVEL: 'info',
        PATH: pathWithoutMongod,
        MONGOMS_VERSION: UNCACHED_VERSION,
        MONGOMS_DOWNLOAD_DIR: join(stateDir, 'mongodb-binaries'),
        MONGOMS_DOWNLOAD_MIRROR: `https://127.0.0.1:${(mirror.address() as AddressInfo).port}`,
      }),
    );
    started.push(app);
    const [, url] = await app.waitFor(/govgate ready: (http:\/\/\S+\/graphql)/, 120_000);
    const [, token] = await app.waitFor(/user \(alice@demo\):\n\s+(\S+)/);
    expect((await postGraphQL<{ me: { id: string } }>(url!, { query: '{ me { id } }' }, { token: token! })).data?.me.id).toBe('alice');

    expect(downloads).toBe(0);
    const logged = app
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; level: number; kind?: string; reason?: string });
    const embedded = logged.filter((line) => line.msg === 'embedded database started');
    expect(embedded).toHaveLength(1);
    expect(embedded[0]).toMatchObject({ level: 30, kind: 'mongo-java-server', reason: expect.stringMatching(/no mongod binary on PATH.*never downloads/) });
    expect(logged.filter((line) => line.level >= 40)).toEqual([]);
    expect(`${app.stdout()}${app.stderr()}`).not.toMatch(/^\s+at /m);

    app.kill('SIGTERM');
    expect(await app.exited(20_000)).toBe(0);
  });
});
