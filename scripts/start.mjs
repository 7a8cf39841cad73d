// `npm start`: compile what changed, build the console (in a child process) if its sources changed,
// then run the gateway in this process. Plain JavaScript so it needs no build itself. Whether dist/ is
// current is decided from modification times (src/, the tsconfigs, the lockfile against
// dist/.tsbuildinfo): loading TypeScript only to learn that nothing changed costs half a second of every start.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.tsbuildinfo');

const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
};
const newest = (dir) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((latest, entry) => Math.max(latest, mtime(join(entry.parentPath, entry.name))), 0);

const built = mtime(stamp);
const changed = Math.max(newest(join(root, 'src')), ...['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) => mtime(join(root, f))));
if (built === 0 || changed > built) {
  // Type errors are `npm run typecheck`'s to report; starting needs JavaScript.
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.build.json', '--noCheck'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // tsc -b leaves its build info alone when no output changed: mark this check done.
  const now = new Date();
  utimesSync(stamp, now, now);
}

const consoleScript = join(root, 'dist', 'scripts', 'build-console.js');
const { consoleIsStale } = await import(pathToFileURL(consoleScript).href);
if (await consoleIsStale()) {
  // In a process of its own: Vite sets NODE_ENV=production where it builds.
  const built = spawnSync(process.execPath, [consoleScript], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
await import(pathToFileURL(join(root, 'dist', 'main.js')).href);
