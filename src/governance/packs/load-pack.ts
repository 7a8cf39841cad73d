import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PolicyPackName } from '../../config.js';
import type { GovernedField } from '../types.js';
import { fieldPurposeViolations } from './field-purposes.js';
import { packViolations } from './invariants.js';
import { packFileSchema, partialPackFileSchema, type PackFile } from './pack-schema.js';
import { createPolicyPack, type PolicyPack } from './policy-pack.js';
import { sweepTargetSchemaViolations } from './sweep-targets.js';

export const DEFAULT_POLICY_DIR = fileURLToPath(new URL('../../../schema/policies/', import.meta.url));

/** A pack file that fails validation or an invariant stops start-up with the file and every issue. */
export class PackError extends Error {
  constructor(
    readonly file: string,
    readonly issues: readonly string[],
  ) {
    super(`Invalid policy pack ${file}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'PackError';
  }
}

/**
 * Reads one pack file and, before it, the packs it extends (from the same directory). A missing
 * parent or a file that is not JSON is a PackError naming the file, never the parser's message
 * (which may quote the file's contents).
 */
export function readPartial(file: string, seen: Set<string>): Record<string, unknown> {
  const name = basename(file, '.json');
  if (seen.has(name)) throw new PackError(`${name}.json`, [`extends cycle through ${[...seen].join(' → ')}`]);
  seen.add(name);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new PackError(file, [missing ? 'no such file' : 'not valid JSON']);
  }
  const parsed = partialPackFileSchema.safeParse(json);
  if (!parsed.success) throw new PackError(file, issuesOf(parsed.error));
  const { extends: parent, ...own } = parsed.data;
  if (!parent) return own;
  const parentFile = join(dirname(file), `${parent}.json`);
  if (!existsSync(parentFile)) throw new PackError(file, [`extends ${parent}, but there is no ${parent}.json in ${dirname(file)}`]);
  return { ...readPartial(parentFile, seen), ...own };
}

/**
 * Issues by where they are and what is wrong; no message carries a value of the file. An unknown
 * key is named in the operator's own pack files (a misspelt key must be findable); `quoteKeys:
 * false` only counts them, for a draft a client sent (policyDryRun), which is never echoed.
 */
export const issuesOf = (error: { issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[] }, quoteKeys = true): string[] =>
  error.issues.map((i) => {
    const where = i.path.map(String).join('.') || '(top level)';
    if (i.code !== 'unrecognized_keys') return `${where}: ${i.message}`;
    return quoteKeys ? `${where}: unknown key(s) ${(i.keys ?? []).map((k) => k.slice(0, 40)).join(', ')}` : `${where}: ${i.keys?.length ?? 1} unknown key(s)`;
  });

/** The file merged over what it extends, validated by the file schema (no invariants yet). */
function mergedPackFile(path: string): PackFile {
  const parsed = packFileSchema.safeParse(readPartial(path, new Set()));
  if (!parsed.success) throw new PackError(path, issuesOf(parsed.error));
  return parsed.data;
}

/**
 * Reads a pack file by path (merged over what it extends, from its own directory), validates it and
 * checks the pack invariants, without starting anything: for tools that compare or inspect packs
 * (`npm run policy:diff`). Unlike `loadPolicyPack` it does not require a seed's `facts` and
 * `coverage` (so `base.json` reads) and checks no schema's fields. Refuses with a PackError.
 */
export function readPackFile(path: string): PackFile {
  if (!existsSync(path)) throw new PackError(path, ['no such file']);
  const file = mergedPackFile(path);
  const violations = packViolations(file);
  if (violations.length > 0) throw new PackError(path, violations);
  return file;
}

export interface LoadPackOptions {
  /**
   * The governed fields of the schema the pack will govern: its `fieldPurposes` are checked against
   * them (an unknown coordinate or purpose stops the load), and so are the retention sweep's target
   * categories (sweep-targets.ts). createGateway always passes its schema's;
   * without them those rules are checked only for shape.
   */
  fields?: ReadonlyMap<string, GovernedField>;
}

/**
 * Loads `<dir>/<name>.json` (merged over what it extends), validates it and checks the pack
 * invariants (invariants.ts). There is no fallback: a pack whose file is missing does not start, and
 * a seed's pack states its document's facts and its clause-by-clause coverage (an unwritten pack
 * must never run under a seed's name citing rules the document does not contain).
 * `dir` default: `schema/policies/`.
 */
export function loadPolicyPack(name: PolicyPackName, dir: string = DEFAULT_POLICY_DIR, options: LoadPackOptions = {}): PolicyPack {
  const path = join(dir, `${name}.json`);
  if (!existsSync(path)) throw new PackError(path, [`the pack ${name} is not written (no ${name}.json in ${dir})`]);
  const shown = path;
  const file = mergedPackFile(path);
  const missing = [...(file.facts ? [] : ['facts: a seed\'s pack states its document\'s facts']), ...(file.coverage?.length ? [] : ['coverage: a seed\'s pack lists every clause of its document'])];
  if (missing.length > 0) throw new PackError(shown, missing);
  const violations = [...packViolations(file), ...(options.fields ? [...fieldPurposeViolations(file.fieldPurposes ?? [], options.fields), ...sweepTargetSchemaViolations(options.fields)] : [])];
  if (violations.length > 0) throw new PackError(shown, violations);
  return createPolicyPack(file);
}
