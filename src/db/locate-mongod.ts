import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { DryMongoBinary } from 'mongodb-memory-server-core';

export interface LocatedMongod {
  /** Absolute path of the binary. */
  readonly path: string;
  /** Its version, as `mongod --version` reports it (or the cached download's). */
  readonly version: string;
  /** Where it was found. */
  readonly source: 'MONGOMS_SYSTEM_BINARY' | 'cache' | 'PATH';
}

/** A binary, or why there is none. */
export type MongodSearch = { readonly found: LocatedMongod } | { readonly found?: undefined; readonly reason: string };

const VERSION_LINE = /^\s*db\s+version\s+v?(\d+\.\d+\.\d+)/im;

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `mongod --version`: the binary runs at all (right platform, libraries present), and which version it is. */
async function versionOf(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)(path, ['--version'], { timeout: 10_000 });
    return VERSION_LINE.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

async function onPath(name: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function runnable(path: string, source: LocatedMongod['source']): Promise<MongodSearch> {
  const version = await versionOf(path);
  return version ? { found: { path, version, source } } : { reason: `the mongod from ${source} (${path}) does not run (mongod --version failed)` };
}

/**
 * Finds a mongod binary that is already on this machine, never downloading one: the one named by
 * MONGOMS_SYSTEM_BINARY (mongodb-memory-server's own setting, from the environment or package.json),
 * else one mongodb-memory-server downloaded earlier (its caches, for the version it would fetch:
 * MONGOMS_VERSION or its default), else `mongod` on PATH.
 */
export async function locateMongod(): Promise<MongodSearch> {
  let dry: typeof DryMongoBinary;
  try {
    // Loaded lazily: a development dependency, only needed for an embedded database.
    ({ DryMongoBinary: dry } = await import('mongodb-memory-server-core'));
  } catch {
    return { reason: 'mongodb-memory-server-core is not installed (a production install)' };
  }
  let cached: string | undefined;
  let version: string;
  try {
    const options = await dry.generateOptions();
    if (options.systemBinary) {
      const system = await dry.getSystemPath(resolve(options.systemBinary));
      return system ? await runnable(system, 'MONGOMS_SYSTEM_BINARY') : { reason: 'MONGOMS_SYSTEM_BINARY names no executable file' };
    }
    version = options.version;
    cached = await dry.locateBinary({ version });
  } catch (error) {
    return { reason: `mongodb-memory-server's settings could not be read (${(error as Error).message})` };
  }
  if (cached) return { found: { path: cached, version, source: 'cache' } };
  const system = await onPath('mongod');
  if (system) return runnable(system, 'PATH');
  return { reason: `no mongod binary on PATH or in mongodb-memory-server's cache (version ${version}), and MONGOMS_SYSTEM_BINARY is unset` };
}
