// `npm run evidence:verify -- bundle.jws --jwks pinned-jwks.json [--head saved-head.jws] [--save-head next-head.jws]`:
// checks an evidence bundle offline (no database) against keys pinned in a file: its signature, its
// tree heads, the proofs tying its events to them, and — given a tenant head saved earlier — that
// the log it shows extends that head.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { verifyEvidenceBundle } from '../audit/verify-bundle.js';

const USAGE = 'usage: npm run evidence:verify -- bundle.jws --jwks pinned-jwks.json [--head saved-head.jws] [--save-head next-head.jws]';

async function run(): Promise<number> {
  const { values, positionals } = parseArgs({ options: { jwks: { type: 'string' }, head: { type: 'string' }, 'save-head': { type: 'string' } }, allowPositionals: true });
  const [file] = positionals;
  if (!file || !values.jwks) {
    console.error(USAGE);
    return 2;
  }
  // Keys are pinned: a file the auditor keeps, never fetched from the party being audited.
  if (/^https?:\/\//.test(values.jwks)) {
    console.error('--jwks must be a file you keep (pinned keys), not a URL');
    return 2;
  }
  const keys = createLocalJWKSet(JSON.parse(await readFile(values.jwks, 'utf8')) as JSONWebKeySet);
  const saved = values.head ? await readFile(values.head, 'utf8') : undefined;
  const result = await verifyEvidenceBundle(await readFile(file, 'utf8'), keys, saved);
  if (result.payload) {
    console.log(`bundle: tenant ${result.payload.tenant}, pack ${result.payload.pack} ${result.payload.packVersion}, ${result.payload.from} → ${result.payload.to}`);
  }
  console.log(`events: ${result.events}, tree heads: ${result.checkpoints}${saved ? ', consistency with the saved head checked' : ''}`);
  for (const problem of result.problems) console.log(`problem: ${problem}`);
  if (result.ok && values['save-head'] && result.payload?.head) {
    await writeFile(values['save-head'], result.payload.head);
    console.log(`saved this bundle's tenant head to ${values['save-head']}`);
  }
  console.log(result.ok ? 'OK: the bundle verifies' : 'FAILED: the bundle does not verify');
  return result.ok ? 0 : 1;
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  },
);
