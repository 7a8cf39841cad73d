// `npm run build:console`: builds the compliance console (console/ → console/dist/, served at /console).
// `--if-stale` (the test set-up; `npm start` asks consoleIsStale first) builds only when the sources
// changed since the last build: a hash of every file under console/ (but dist/) and of
// package-lock.json (the Vite version) is kept in console/dist/.source-hash, so an unchanged console
// costs a few milliseconds at start.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONSOLE = join(ROOT, 'console');
const DIST = join(CONSOLE, 'dist');
const STAMP = join(DIST, '.source-hash');

async function sourceHash(): Promise<string> {
  const entries = await readdir(CONSOLE, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => !relative(CONSOLE, path).startsWith(`dist${sep}`))
    .concat(join(ROOT, 'package-lock.json'))
    .sort();
  const hash = createHash('sha256');
  for (const path of files) hash.update(relative(ROOT, path)).update('\0').update(await readFile(path)).update('\0');
  return hash.digest('hex');
}

/** The source hash the built console was made from; null when there is no built console. */
async function builtHash(): Promise<string | null> {
  return existsSync(join(DIST, 'index.html')) && existsSync(STAMP) ? readFile(STAMP, 'utf8') : null;
}

/** The built console is missing or older than its sources. */
export async function consoleIsStale(): Promise<boolean> {
  return (await builtHash()) !== (await sourceHash());
}

/**
 * Builds the console; with `ifStale`, only when its sources changed since the last build. Vite sets
 * NODE_ENV=production in the process it builds in: run it in a process of its own, never in the
 * gateway's (`npm start` spawns this script).
 */
export async function buildConsole(ifStale: boolean): Promise<void> {
  const hash = await sourceHash();
  if (ifStale && (await builtHash()) === hash) return;
  const started = performance.now();
  // Only when building: Vite is a development dependency and takes a while to load.
  const { build } = await import('vite');
  await build({ configFile: join(CONSOLE, 'vite.config.ts') });
  await writeFile(STAMP, hash);
  console.log(`compliance console built in ${((performance.now() - started) / 1000).toFixed(1)} s: ${relative(ROOT, DIST)}/`);
}

// A command when run; imported, it only offers its functions.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildConsole(process.argv.includes('--if-stale')).catch((error: unknown) => {
    console.error(`building the compliance console failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
