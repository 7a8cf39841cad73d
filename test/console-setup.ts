/**
 * vitest globalSetup: the compliance console is built (console/dist) before any test file runs,
 * once, so the gateways the tests start serve it and no two files build it at the same time.
 * Takes a few milliseconds when nothing changed (`build-console.ts --if-stale`).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  execFileSync(process.execPath, ['--import', 'tsx', 'src/scripts/build-console.ts', '--if-stale'], { cwd: fileURLToPath(new URL('../', import.meta.url)), stdio: 'inherit' });
}
