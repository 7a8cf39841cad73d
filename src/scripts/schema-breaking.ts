// `npm run schema:breaking [-- <old.graphql> <new.graphql>]`: the breaking changes of the schema
// against the last release (schema/releases/<version>.graphql, the newest), or between two files.
// Exit 0: none (dangerous changes are printed as warnings); 1: breaking changes, each with its
// kind and coordinate; 2: bad input, one line.
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastRelease, schemaChanges, SchemaFileError, type SchemaChange } from '../schema-compat/index.js';

const USAGE = 'usage: npm run -s schema:breaking [-- <old.graphql> <new.graphql>]  (default: the newest schema/releases/*.graphql against schema/schema.graphql)';
const CURRENT = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));

class UsageError extends Error {}

function read(file: string): { file: string; sdl: string } {
  // Inside the working directory a file is named from it; elsewhere by its absolute path.
  const inside = relative(process.cwd(), file);
  const shown = inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : file;
  try {
    return { file: shown, sdl: readFileSync(file, 'utf8') };
  } catch {
    throw new SchemaFileError(shown, 'cannot be read');
  }
}

function sides(argv: readonly string[]): { old: string; next: string; label: string } {
  const flag = argv.find((a) => a.startsWith('-'));
  if (flag) throw new UsageError(`unknown option ${flag}`);
  if (argv.length === 2) return { old: resolve(argv[0]!), next: resolve(argv[1]!), label: '' };
  if (argv.length !== 0) throw new UsageError(`expected no file or two files, got ${argv.length}`);
  const release = lastRelease();
  if (!release) throw new UsageError('no release snapshot in schema/releases/');
  return { old: release.file, next: CURRENT, label: ` (last release ${release.version})` };
}

const line = (c: SchemaChange): string => `  ${c.kind} ${c.coordinate}: ${c.message}`;

async function run(argv: readonly string[]): Promise<number> {
  const { old, next, label } = sides(argv);
  const before = read(old);
  const after = read(next);
  const changes = await schemaChanges(before, after);
  console.log(`schema:breaking: ${after.file} against ${before.file}${label}`);
  if (changes.dangerous.length) console.log([`warning: ${changes.dangerous.length} dangerous change(s):`, ...changes.dangerous.map(line)].join('\n'));
  if (changes.breaking.length) {
    console.log([`${changes.breaking.length} breaking change(s):`, ...changes.breaking.map(line)].join('\n'));
    return 1;
  }
  console.log(`no breaking changes (${changes.dangerous.length} dangerous, ${changes.safe} safe)`);
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    if (error instanceof SchemaFileError) console.error(`schema:breaking: ${error.message}`);
    else if (error instanceof UsageError) console.error(`schema:breaking: ${error.message}\n${USAGE}`);
    else console.error(`schema:breaking: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    process.exitCode = 2;
  },
);
