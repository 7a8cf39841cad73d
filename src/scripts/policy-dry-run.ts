// `npm run policy:dry-run -- --pack schema/policies/<draft>.json --tenant T --from ISO --to ISO [--json]`:
// replays the tenant's recorded decisions of [from, to) under a draft pack, against the database the
// gateway's configuration names (MONGODB_URI, AUDIT_MONGODB_URI, keys). Reads only; exit 0.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAuditKeys, openAuditStore } from '../audit/index.js';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabases } from '../db/open-databases.js';
import { installStateSeal } from '../db/connection-seal.js';
import { policyDryRun, type DryRunReport } from '../features/compliance/policy-dry-run.js';
import { DEFAULT_POLICY_DIR, loadPolicyPack, PackError } from '../governance/packs/index.js';
import { draftPack } from '../governance/packs/draft-pack.js';
import { governedFieldsOf } from '../governance/registry.js';
import { stateSealKeyFor } from '../governance/state-seal-key.js';
import { createStateSeal } from '../governance/state-seal.js';
import { createLogger } from '../logger.js';
import { installSubjectKeys, localKeyService, masterKeyFor, SubjectKeyStore } from '../keys/index.js';
import { buildSchema } from '../schema.js';

const USAGE = 'usage: npm run policy:dry-run -- --pack <draft.json> --tenant <tenant> --from <ISO date> --to <ISO date> [--json]';

function dateOf(text: string | undefined, name: string): Date {
  const date = new Date(text ?? '');
  if (Number.isNaN(date.getTime())) throw new Error(`--${name}: not a date (${USAGE})`);
  return date;
}

function printText(report: DryRunReport & { draft: string; violations: readonly string[] }): void {
  console.log(`dry-run of ${report.draft} over ${report.from.toISOString()} .. ${report.to.toISOString()}`);
  console.log(`${report.events} events (${report.unauthenticated} not vouched for by a signed head, skipped${report.truncated ? '; stopped at the event limit' : ''}), ${report.decisions} subject decisions: ${report.unchanged} unchanged, ${report.unknown} not replayable`);
  for (const v of report.violations) console.log(`INVARIANT ${v}`);
  for (const c of report.changes) {
    const reasons = c.reasons.map((r) => `${r.reason} ${r.count}`).join(', ');
    console.log(`${c.forbidden ? 'FORBIDDEN ' : ''}${c.coordinate} [${c.roles.join(',')}] ${c.purpose}: +${c.newlyReleased} released, -${c.newlyWithheld} withheld${reasons ? ` (${reasons})` : ''}; e.g. ${c.examples.join(' ')}`);
  }
}

async function run(): Promise<void> {
  const { values } = parseArgs({ options: { pack: { type: 'string' }, tenant: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true });
  if (!values.pack || !values.tenant) throw new Error(USAGE);
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(values.tenant)) throw new Error(`--tenant: not a tenant id (${USAGE})`);
  const from = dateOf(values.from, 'from');
  const to = dateOf(values.to, 'to');
  if (!(from < to)) throw new Error('--from must be before --to');
  const path = resolve(values.pack);
  let content: unknown;
  try {
    content = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new Error(`${values.pack}: not a readable JSON file`);
  }
  const config = loadConfig();
  const schema = buildSchema();
  const fields = governedFieldsOf(schema);
  const current = loadPolicyPack(config.policyPack, config.policyDir, { fields });
  // `extends` names a pack of the gateway's policy directory, as the policyDryRun query reads it.
  const draft = draftPack(content, config.policyDir ?? DEFAULT_POLICY_DIR);
  // The recorded traffic lives in the gateway's database: an embedded one would be empty.
  if (!config.mongo.uri) throw new Error('MONGODB_URI: set it to the database whose audit log is replayed');
  const databases = await openDatabases(config, config.mongo.uri);
  const connection = databases.data;
  const auditConnection = databases.audit ?? connection;
  try {
    installStateSeal(connection, createStateSeal(await stateSealKeyFor(config)));
    const keys = installSubjectKeys(connection, new SubjectKeyStore(connection, localKeyService(await masterKeyFor(config)), { logger: createLogger('silent') }));
    const { keySet } = await loadAuditKeys(config);
    const report = await policyDryRun({ connection, store: await openAuditStore(auditConnection), auditKeys: keySet, keys, fields, current, draft: draft.pack, tenant: values.tenant, from, to });
    const full = { ...report, draft: `${draft.pack.name}@${draft.pack.version}`, violations: draft.violations };
    if (values.json) console.log(JSON.stringify(full, null, 2));
    else printText(full);
  } finally {
    await databases.close();
  }
}

run().catch((error: unknown) => {
  // One line, no stack: the messages name options, files and pack rules, never values of the data.
  const message = error instanceof PackError || error instanceof ConfigError || error instanceof Error ? error.message.split('\n').join(' ') : String(error);
  console.error(`policy:dry-run: ${message}`);
  process.exit(2);
});
