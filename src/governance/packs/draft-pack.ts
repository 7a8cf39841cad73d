import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packViolations } from './invariants.js';
import { issuesOf, readPartial, PackError } from './load-pack.js';
import { packFileSchema, partialPackFileSchema } from './pack-schema.js';
import { createPolicyPack, type PolicyPack } from './policy-pack.js';

/** A draft pack for a dry-run: built even when it breaks an invariant, which is then reported, never served. */
export interface DraftPack {
  readonly pack: PolicyPack;
  /** The invariants it breaks (invariants.ts): what a real start would refuse. */
  readonly violations: readonly string[];
}

/**
 * A pack file's content (not yet on disk), merged over the pack it `extends` in `dir`, validated
 * like any pack. A draft needs no facts or coverage; breaking an invariant is reported, not thrown,
 * so a dry-run can show what it would release. Malformed content throws PackError.
 */
export function draftPack(content: unknown, dir: string): DraftPack {
  const own = partialPackFileSchema.safeParse(content);
  if (!own.success) throw new PackError('draft', issuesOf(own.error, false));
  const { extends: parent, ...rest } = own.data;
  // A draft names its parent by pack name only: never a path out of the policy directory.
  if (parent !== undefined && (!/^[a-z][a-z0-9_-]*$/.test(parent) || !existsSync(join(dir, `${parent}.json`)))) throw new PackError('draft', ['extends: not a pack of the policy directory']);
  const merged = parent ? { ...readPartial(join(dir, `${parent}.json`), new Set()), ...rest } : rest;
  const parsed = packFileSchema.safeParse(merged);
  if (!parsed.success) throw new PackError('draft', issuesOf(parsed.error, false));
  return { pack: createPolicyPack(parsed.data), violations: packViolations(parsed.data) };
}
