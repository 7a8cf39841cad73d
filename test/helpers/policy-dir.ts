/** A temporary POLICY_DIR: the shipped base.json and pack files a test writes itself. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type PackJson = Record<string, unknown> & { grants: Record<string, unknown>[] };

export const shippedPack = async (name: string): Promise<PackJson> =>
  JSON.parse(await readFile(new URL(`../../schema/policies/${name}.json`, import.meta.url), 'utf8')) as PackJson;

/** Writes base.json as shipped and each given pack as `<name>.json`; resolves to the directory. */
export async function policyDir(packs: Record<string, Record<string, unknown>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'govgate-policies-'));
  await writeFile(join(dir, 'base.json'), JSON.stringify(await shippedPack('base')));
  for (const [name, pack] of Object.entries(packs)) await writeFile(join(dir, `${name}.json`), JSON.stringify(pack));
  return dir;
}
