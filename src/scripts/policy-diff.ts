// `npm run -s policy:diff -- old.json new.json [--json]`: the rule changes between two policy packs,
// with their clauses, what loosens protection and which purposes need re-consent. Exit 0: no
// difference; 1: differences (CI gates on it); 2: bad input, one line naming the file and problem.
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_POLICY_DIR, PackError, readPackFile } from '../governance/packs/index.js';
import { diffPacks } from '../governance/packs/pack-diff.js';
import { packDiffText } from '../governance/packs/pack-diff-text.js';

const USAGE = 'usage: npm run -s policy:diff -- <old pack> <new pack> [--json]  (a path, or a pack name in schema/policies/)';

/** A bare name (no directory, no `.json`) is a pack in schema/policies/; anything else a path from the cwd. */
function packPath(arg: string): string {
  if (!arg.includes('/') && !arg.endsWith('.json')) return join(DEFAULT_POLICY_DIR, `${arg}.json`);
  return isAbsolute(arg) ? arg : resolve(process.cwd(), arg);
}

class UsageError extends Error {}

function run(argv: readonly string[]): number {
  const json = argv.includes('--json');
  const flags = argv.filter((a) => a.startsWith('--') && a !== '--json');
  if (flags.length) throw new UsageError(`unknown option ${flags[0]}`);
  const files = argv.filter((a) => !a.startsWith('--'));
  if (files.length !== 2) throw new UsageError(`expected two packs, got ${files.length}`);
  const diff = diffPacks(readPackFile(packPath(files[0]!)), readPackFile(packPath(files[1]!)));
  process.stdout.write(json ? `${JSON.stringify(diff, null, 2)}\n` : packDiffText(diff));
  return diff.changes.length ? 1 : 0;
}

try {
  process.exitCode = run(process.argv.slice(2));
} catch (error) {
  // One line, no stack: CI logs show what to fix (paths, kinds, misspelt key names), never a value from the file.
  if (error instanceof PackError) console.error(`policy:diff: ${error.file}: ${error.issues.join('; ')}`);
  else if (error instanceof UsageError) console.error(`policy:diff: ${error.message}\n${USAGE}`);
  else console.error(`policy:diff: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  process.exitCode = 2;
}
