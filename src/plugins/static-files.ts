import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

/** The types a built console is made of; a file of any other kind is not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly type: string;
}

/**
 * Every regular file under `root` with a known type, by its path relative to root with `/`
 * separators (`assets/index-x1.js`), read once. Serving from this map is what keeps a request
 * inside the directory: a path that is not a key (`..`, an encoded separator, a symbolic link, a
 * dot file) is not found. A missing directory is an empty map.
 */
export function loadStaticFiles(root: string): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  let entries: string[];
  try {
    entries = readdirSync(root, { recursive: true, encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return files;
    throw error;
  }
  for (const entry of entries) {
    const path = join(root, entry);
    const key = relative(root, path).split(sep).join('/');
    if (key.split('/').some((part) => part.startsWith('.'))) continue;
    const type = CONTENT_TYPES[extname(key).toLowerCase()];
    // lstat: a symbolic link is skipped, so nothing outside root can be linked in.
    if (!type || !lstatSync(path).isFile()) continue;
    files.set(key, { body: new Uint8Array(readFileSync(path)), type });
  }
  return files;
}
