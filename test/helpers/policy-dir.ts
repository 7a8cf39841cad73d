/**
 * Throwaway pack files in a temporary POLICY_DIR: the shipped base.json (optionally edited), the
 * shipped deepailab.json, and any pack files a test writes — loaded by `loadPolicyPack` or by a
 * gateway started with `POLICY_DIR`.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type PackJson = Record<string, unknown>;

export const shippedPack = async (name: string): Promise<PackJson> =>
  JSON.parse(await readFile(new URL(`../../schema/policies/${name}.json`, import.meta.url), 'utf8')) as PackJson;

export interface PolicyDirOptions<B extends PackJson = PackJson> {
  /** Changes the shipped base.json before it is written. */
  base?: (base: B) => void;
  /** More pack files, by name (e.g. `ihuman`, which has no shipped file and otherwise runs on base). */
  packs?: Record<string, PackJson>;
}

export async function policyDir<B extends PackJson = PackJson>(options: PolicyDirOptions<B> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'govgate-policies-'));
  const base = (await shippedPack('base')) as B;
  options.base?.(base);
  await writeFile(join(dir, 'base.json'), JSON.stringify(base));
  await writeFile(join(dir, 'deepailab.json'), JSON.stringify(await shippedPack('deepailab')));
  for (const [name, pack] of Object.entries(options.packs ?? {})) await writeFile(join(dir, `${name}.json`), JSON.stringify(pack));
  return dir;
}

/** A pack file for `name` that extends base with `rules` (whole top-level keys override base's). */
export const packOver = (name: string, rules: PackJson): PackJson => ({ name, extends: 'base', version: `${name}-test-1`, source: `test pack ${name}`, ...rules });
