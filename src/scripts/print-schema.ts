// `npm run schema:print` writes schema/schema.graphql; `npm run schema:check` fails when it is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printGovernedSchema } from '../schema.js';

const target = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));
const printed = printGovernedSchema();

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== printed) {
    console.error('schema/schema.graphql is stale: run `npm run schema:print` and commit it.');
    process.exit(1);
  }
  console.log('schema/schema.graphql is up to date');
} else {
  await writeFile(target, printed);
  console.log(`wrote ${target}`);
}
