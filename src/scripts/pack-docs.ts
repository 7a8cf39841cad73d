// `npm run packs:docs` writes docs/packs/<pack>.md from each seed's pack file; `--check` (part of
// npm test) fails when a committed table no longer matches its pack.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { POLICY_PACKS } from '../config.js';
import { coverageMarkdown } from '../governance/packs/coverage-markdown.js';
import { loadPolicyPack } from '../governance/packs/index.js';

const docsDir = fileURLToPath(new URL('../../docs/packs/', import.meta.url));

async function run(): Promise<number> {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const name of POLICY_PACKS) {
    const { file } = loadPolicyPack(name);
    const text = coverageMarkdown({ name: file.name, version: file.version, source: file.source, facts: file.facts!, coverage: file.coverage! });
    const path = `${docsDir}${name}.md`;
    if (check) {
      const committed = await readFile(path, 'utf8').catch(() => null);
      if (committed !== text) stale.push(path);
    } else {
      await writeFile(path, text);
      console.log(`wrote ${path}`);
    }
  }
  for (const path of stale) console.error(`${path} is stale: run \`npm run packs:docs\` and commit it.`);
  return stale.length ? 1 : 0;
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  },
);
