/**
 * The schema of the last release: `schema/releases/<version>.graphql`, one file per released
 * version (a copy of schema/schema.graphql made when the version was cut), the highest version wins.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RELEASES_DIR = fileURLToPath(new URL('../../schema/releases/', import.meta.url));

const VERSION_FILE = /^(\d+)\.(\d+)\.(\d+)\.graphql$/;

/** Numeric major.minor.patch order (`0.10.0` after `0.9.0`). */
function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** The newest release snapshot in `dir`, or null when there is none. */
export function lastRelease(dir: string = RELEASES_DIR): { version: string; file: string } | null {
  const releases = readdirSync(dir)
    .map((name) => VERSION_FILE.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[0], parts: [Number(m[1]), Number(m[2]), Number(m[3])] }))
    .sort((a, b) => compareVersions(b.parts, a.parts));
  const newest = releases[0];
  return newest ? { version: newest.parts.join('.'), file: join(dir, newest.name) } : null;
}
