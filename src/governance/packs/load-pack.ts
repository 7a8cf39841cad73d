import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  constructor(file: string, issues: string[]) {
    super(`Invalid policy pack ${file}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'PackError';
  }
}

/** `<dir>/<name>.json` merged over what it extends, each file checked for shape. */
export function readPartial(dir: string, name: string, seen: Set<string>): Record<string, unknown> {
  if (seen.has(name)) throw new PackError(`${name}.json`, [`extends cycle through ${[...seen].join(' → ')}`]);
  seen.add(name);
  const file = join(dir, `${name}.json`);
  const parsed = partialPackFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new PackError(file, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const { extends: parent, ...own } = parsed.data;
  return parent ? { ...readPartial(dir, parent, seen), ...own } : own;
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
  const merged = readPartial(dir, name, new Set());
  const shown = path;
  const parsed = packFileSchema.safeParse(merged);
  if (!parsed.success) throw new PackError(shown, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const file: PackFile = parsed.data;
  const missing = [...(file.facts ? [] : ['facts: a seed\'s pack states its document\'s facts']), ...(file.coverage?.length ? [] : ['coverage: a seed\'s pack lists every clause of its document'])];
  if (missing.length > 0) throw new PackError(shown, missing);
  const violations = [...packViolations(file), ...(options.fields ? [...fieldPurposeViolations(file.fieldPurposes ?? [], options.fields), ...sweepTargetSchemaViolations(options.fields)] : [])];
  if (violations.length > 0) throw new PackError(shown, violations);
  return createPolicyPack(file);
}
