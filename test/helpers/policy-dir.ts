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
  /** Changes the shipped deepailab.json before it is written (e.g. analysts with row-level grants, to test a mechanism on them). */
  deepailab?: (pack: PackJson) => void;
  /** Pack files by name; the seeds' packs not given here are written as base under their name (with their document's facts). */
  packs?: Record<string, PackJson>;
}

/** The seeds' packs other than deepailab: written as base under their name unless a test gives its own. */
const STAND_INS = ['ihuman', 'interhuman', 'aiwellflow', 'hartsy'];

/**
 * A seed's pack must state its document's facts and coverage to load; a test pack borrows them from
 * the shipped pack of its name, since what it tests is the rules.
 */
async function withDocument(name: string, pack: PackJson): Promise<PackJson> {
  if (pack.facts && pack.coverage) return pack;
  const shipped = await shippedPack(name).catch(() => null);
  return shipped ? { facts: shipped.facts, coverage: shipped.coverage, ...pack } : pack;
}

export async function policyDir<B extends PackJson = PackJson>(options: PolicyDirOptions<B> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'govgate-policies-'));
  const base = (await shippedPack('base')) as B;
  options.base?.(base);
  await writeFile(join(dir, 'base.json'), JSON.stringify(base));
  const deepailab = await shippedPack('deepailab');
  options.deepailab?.(deepailab);
  await writeFile(join(dir, 'deepailab.json'), JSON.stringify(deepailab));
  const packs: Record<string, PackJson> = Object.fromEntries(STAND_INS.map((name) => [name, packOver(name, {})]));
  Object.assign(packs, options.packs ?? {});
  for (const [name, pack] of Object.entries(packs)) await writeFile(join(dir, `${name}.json`), JSON.stringify(await withDocument(name, pack)));
  return dir;
}

/** A pack file for `name` that extends base with `rules` (whole top-level keys override base's). */
export const packOver = (name: string, rules: PackJson): PackJson => ({ name, extends: 'base', version: `${name}-test-1`, source: `test pack ${name}`, ...rules });

/** deepailab with row-level analyst grants: for tests of mechanisms (objection, pseudonyms, properties) on the analyst role. */
export const rowLevelAnalysts = (): Promise<string> => policyDir({ deepailab: (pack) => void delete pack.aggregateOnly });
