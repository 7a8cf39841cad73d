import type { GraphQLSchema } from 'graphql';
import { legalBasisFor } from '../../audit/index.js';
import { governedFieldsOf, type PolicyPack } from '../../governance/index.js';
import { isoDays } from '../../governance/packs/index.js';
import { categoryRecord, purposeRecord } from '../../governance/taxonomy/index.js';
import type { PackFacts } from '../../governance/packs/pack-facts.js';

export interface RecordOfProcessing {
  article: '30(1)' | '30(2)';
  generatedAt: Date;
  tenant: string;
  pack: string;
  packVersion: string;
  packSource: string;
  categoriesOfData: { category: string; name: string; description: string; fields: string[]; purposes: string[]; retention: string | null; retentionSource: string | null; retentionFloor: string | null; retentionFloorSource: string | null }[];
  categoriesOfSubjects: string[];
  purposes: { purpose: string; name: string; description: string; legalBasis: string; categories: string[]; consentRequired: boolean; consentSource: string | null }[];
  recipients: { role: string; scope: string; categories: string[]; purposes: string[]; source: string }[];
  /** The pack's document: controller, DPO, role, law, sub-processors, transfers, breach notice (null where not stated). */
  facts: PackFacts;
  transfers: string[];
  securityMeasures: string[];
}

/** Who the record is about, from the pack's age rules (the same the registration and the minors rule apply). */
function subjectsOf(pack: PolicyPack): string[] {
  const { minimumAge, minors, guardian, admittedBand } = pack.file;
  const subjects = [
    'registered users of the tenant (account holders)',
    `minors aged ${minimumAge.age}–${minors.age - 1} (${minors.source})`,
    `no one under ${minimumAge.age} (${minimumAge.source})`,
  ];
  if (guardian.mode === 'confirmed') subjects.push(`users under ${guardian.belowAge} only with their guardian's confirmed consent (${guardian.source})`);
  if (admittedBand) subjects.push(`users aged ${admittedBand.fromAge}–${admittedBand.belowAge - 1} admitted on their own (${admittedBand.source})`);
  return subjects;
}

/** What the gateway itself enforces; only measures that exist in this code are listed. */
const SECURITY_MEASURES = [
  'Field-level access decisions per role, purpose, consent, restriction, objection, retention and age (govgate policy engine)',
  'Pseudonymisation of identifiers with per-tenant keyed HMAC; masking, generalisation and truncation of redacted values',
  'Tenant isolation in every query; another tenant\'s record is indistinguishable from a missing one',
  'Caller authentication with asymmetric JWT signatures (RS256, ES256, EdDSA) against configured keys',
  'Append-only, SHA-256 hash-chained audit log of every access, written before any personal value leaves (fail closed)',
  'Signed Merkle tree heads over the audit log (keys from configuration, never the database), witnessed outside the database; signed evidence bundles (JWS); public keys published at /.well-known/jwks.json',
];

/**
 * Art. 30 record generated from the schema's classification and the active pack: 30(2) is the
 * processor's record (govgate on behalf of the tenant), 30(1) the controller's view of one tenant.
 */
/** What the pack's document says of transfers abroad, in the record's words. */
function transfersOf(facts: PackFacts): string[] {
  const { residency, safeguards, source } = facts.transfers;
  return [
    residency ? `data is kept in ${residency} (${source})` : `no residency stated (${source})`,
    ...(safeguards.length ? safeguards.map((s) => `safeguard: ${s}`) : ['no transfer safeguards named']),
  ];
}

export function recordOfProcessing(schema: GraphQLSchema, pack: PolicyPack, tenant: string, article: '30(1)' | '30(2)'): RecordOfProcessing {
  // A seed's pack always states its facts (the loader refuses one without).
  const facts = pack.file.facts!;
  const personal = [...governedFieldsOf(schema).values()].filter((f) => f.personal);
  const byCategory = new Map<string, { fields: string[]; purposes: Set<string> }>();
  for (const field of personal) {
    const entry = byCategory.get(field.governance.category) ?? { fields: [], purposes: new Set<string>() };
    entry.fields.push(field.coordinate);
    for (const p of pack.fieldPurposes(field)) entry.purposes.add(p);
    byCategory.set(field.governance.category, entry);
  }
  const categoriesOfData = [...byCategory.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([category, e]) => {
    // The decisions' own lookup, so the record says what is enforced.
    const { max, floor } = pack.retentionFor(category);
    const { name, description } = categoryRecord(category);
    return { category, name, description, fields: e.fields.sort(), purposes: [...e.purposes].sort(), retention: isoDays(max), retentionSource: max?.source ?? null, retentionFloor: isoDays(floor), retentionFloorSource: floor?.source ?? null };
  });
  const allPurposes = [...new Set(pack.file.grants.flatMap((g) => g.purposes))].sort();
  const purposes = allPurposes.map((purpose) => ({
    purpose,
    name: purposeRecord(purpose).name,
    description: purposeRecord(purpose).description,
    legalBasis: legalBasisFor(purpose, pack) ?? 'unspecified',
    categories: [...new Set(pack.file.grants.filter((g) => g.purposes.includes(purpose)).flatMap((g) => g.categories))].sort(),
    consentRequired: pack.needsConsent(purpose),
    consentSource: pack.file.consent.find((c) => c.purpose === pack.consentPurposeFor(purpose))?.source ?? null,
  }));
  return {
    article,
    generatedAt: new Date(),
    tenant,
    pack: pack.name,
    packVersion: pack.version,
    packSource: pack.file.source,
    categoriesOfData,
    categoriesOfSubjects: subjectsOf(pack),
    purposes,
    recipients: [
      ...pack.file.grants.map((g) => ({ role: g.role, scope: g.scope, categories: g.categories, purposes: g.purposes, source: g.source })),
      // The end-of-contract grant: every record of the tenant, through its one export field only.
      ...pack.scopedGrants.map((g) => ({ role: g.role, scope: g.scope, categories: g.categories, purposes: g.purposes, source: `${g.source} — only through ${g.coordinates.join(', ')}` })),
    ],
    facts,
    transfers: transfersOf(facts),
    securityMeasures: SECURITY_MEASURES,
  };
}

const retentionText = (c: RecordOfProcessing['categoriesOfData'][number]): string => {
  const parts = [c.retention ? `at most ${c.retention}` : null, c.retentionFloor ? `at least ${c.retentionFloor} (legal hold)` : null].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'while the account lives';
};

/** The same record as a Markdown document for download. */
export function recordAsMarkdown(record: RecordOfProcessing): string {
  const lines = [
    `# Record of processing activities — GDPR Art. ${record.article}`,
    '',
    `Tenant: \`${record.tenant}\` · policy pack \`${record.pack}\` ${record.packVersion} (${record.packSource}) · generated ${record.generatedAt.toISOString()}`,
    '',
    '## Categories of personal data',
    '| category | description | fields | purposes | retention | source |',
    '|---|---|---|---|---|---|',
    ...record.categoriesOfData.map((c) => `| ${c.name} (\`${c.category}\`) | ${c.description} | ${c.fields.join(', ')} | ${c.purposes.join(', ')} | ${retentionText(c)} | ${[c.retentionSource, c.retentionFloorSource].filter(Boolean).join('; ') || '—'} |`),
    '',
    '## Categories of data subjects',
    ...record.categoriesOfSubjects.map((s) => `- ${s}`),
    '',
    '## Purposes and legal bases',
    '| purpose | description | legal basis | categories | consent | source |',
    '|---|---|---|---|---|---|',
    ...record.purposes.map((p) => `| ${p.name} (\`${p.purpose}\`) | ${p.description} | ${p.legalBasis} | ${p.categories.join(', ')} | ${p.consentRequired ? 'required' : 'no'} | ${p.consentSource ?? '—'} |`),
    '',
    '## Recipients (roles with access)',
    '| role | scope | categories | purposes | source |',
    '|---|---|---|---|---|',
    ...record.recipients.map((r) => `| ${r.role} | ${r.scope} | ${r.categories.join(', ')} | ${r.purposes.join(', ')} | ${r.source} |`),
    '',
    '## Controller, processor and contacts',
    `- ${record.facts.role.role === 'processor' ? 'Processor' : 'Controller'}: ${record.facts.controller.name ?? 'not stated'}${record.facts.controller.address ? `, ${record.facts.controller.address}` : ''}; contact: ${record.facts.controller.contact ?? 'not stated'} (${record.facts.controller.source})`,
    `- Data protection officer: ${record.facts.dpo ? `${record.facts.dpo.contact} (${record.facts.dpo.source})` : 'not stated'}`,
    `- Law: ${record.facts.jurisdiction.law} (${record.facts.jurisdiction.framework}; ${record.facts.jurisdiction.source})`,
    '',
    '## Sub-processors',
    ...(record.facts.subProcessors.length ? record.facts.subProcessors.map((s) => `- ${s.name} (country: ${s.country ?? 'not stated'}): ${s.purpose} (${s.source})`) : ['- none named by the pack\'s document']),
    '',
    '## Transfers to third countries',
    ...record.transfers.map((t) => `- ${t}`),
    '',
    '## Technical and organisational security measures (Art. 32)',
    ...record.securityMeasures.map((m) => `- ${m}`),
    '',
    '## Breach notification',
    `- ${record.facts.breachNotice ? `${record.facts.breachNotice.statement} (${record.facts.breachNotice.source})` : 'not stated by the pack\'s document'}`,
    '',
  ];
  return lines.join('\n');
}
