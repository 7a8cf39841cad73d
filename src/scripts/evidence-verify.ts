// `npm run evidence:verify -- bundle.jws --jwks FILE|URL`: checks an evidence bundle offline (no
// database): its signature, its checkpoints' signatures and the links between its events.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { verifyEvidenceBundle } from '../audit/verify-bundle.js';

async function keysFrom(source: string): Promise<JWTVerifyGetKey> {
  if (/^https?:\/\//.test(source)) return createRemoteJWKSet(new URL(source));
  return createLocalJWKSet(JSON.parse(await readFile(source, 'utf8')) as JSONWebKeySet);
}

async function run(): Promise<number> {
  const { values, positionals } = parseArgs({ options: { jwks: { type: 'string' } }, allowPositionals: true });
  const [file] = positionals;
  if (!file || !values.jwks) {
    console.error('usage: npm run evidence:verify -- bundle.jws --jwks FILE|URL');
    return 2;
  }
  const result = await verifyEvidenceBundle(await readFile(file, 'utf8'), await keysFrom(values.jwks));
  if (result.payload) {
    console.log(`bundle: pack ${result.payload.pack} ${result.payload.packVersion}, ${result.payload.from} → ${result.payload.to}`);
  }
  console.log(`events: ${result.events}, checkpoints: ${result.checkpoints}`);
  for (const problem of result.problems) console.log(`problem: ${problem}`);
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
