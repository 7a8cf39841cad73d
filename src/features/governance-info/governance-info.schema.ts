import { requireAuthenticated } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { governedFieldsOf, type GovernedField } from '../../governance/index.js';
import { isoDays } from '../../governance/packs/index.js';
import { categoryRecord, purposeRecord, type TaxonomyRecord } from '../../governance/taxonomy/index.js';
import { TaxonomyEntryRef } from './taxonomy.schema.js';
import type { PackFacts } from '../../governance/packs/pack-facts.js';
import { PackFactsRef } from './pack-facts.schema.js';

interface DataMapEntryShape {
  type: string;
  field: string;
  category: string;
  purposes: readonly string[];
  declaredPurposes: readonly string[];
  purposesSource: string | null;
  retention: string | null;
  retentionSource: string | null;
  retentionFloor: string | null;
  retentionFloorSource: string | null;
  strategy: string;
  categoryEntry: TaxonomyRecord;
  purposeEntries: TaxonomyRecord[];
}

const DataMapEntry = builder.objectRef<DataMapEntryShape>('DataMapEntry').implement({
  description: 'One field of the schema with its classification, the purposes it serves under the active pack and the pack\'s retention for its category.',
  fields: (t) => ({
    type: t.exposeString('type'),
    field: t.exposeString('field'),
    category: t.exposeString('category'),
    purposes: t.exposeStringList('purposes', { description: 'The purposes the field serves under the active pack (what decisions enforce).' }),
    declaredPurposes: t.exposeStringList('declaredPurposes', { description: 'The purposes the schema declares (`@governed`), before the pack\'s fieldPurposes.' }),
    purposesSource: t.exposeString('purposesSource', { nullable: true, description: 'The clause of the pack rule that changed this field\'s purposes, if any.' }),
    retention: t.exposeString('retention', { nullable: true, description: 'Maximum retention, ISO 8601 duration (e.g. P90D): older values are redacted. Null: no maximum (kept while the account lives).' }),
    retentionSource: t.exposeString('retentionSource', { nullable: true, description: 'The clause the maximum cites.' }),
    retentionFloor: t.exposeString('retentionFloor', { nullable: true, description: 'Legal-hold minimum, ISO 8601 duration (e.g. P2557D): never redacted or deleted for age before then; not a maximum.' }),
    retentionFloorSource: t.exposeString('retentionFloorSource', { nullable: true, description: 'The clause the floor cites.' }),
    strategy: t.exposeString('strategy'),
    categoryEntry: t.field({ type: TaxonomyEntryRef, description: 'The category\'s name and description.', resolve: (e) => e.categoryEntry }),
    purposeEntries: t.field({ type: [TaxonomyEntryRef], description: 'Each purpose\'s name and description, in the order of `purposes`.', resolve: (e) => e.purposeEntries }),
  }),
});

interface ConsentPurposeShape {
  purpose: string;
  version: string;
  source: string;
  entry: TaxonomyRecord;
}

const ConsentPurpose = builder.objectRef<ConsentPurposeShape>('PolicyConsentPurpose').implement({
  description: 'A purpose that needs consent, with the version of its terms: a consent counts only when recorded under this version.',
  fields: (t) => ({
    purpose: t.exposeString('purpose'),
    version: t.exposeString('version', { description: 'The current version of this purpose\'s terms (`grantConsent`\'s default).' }),
    source: t.exposeString('source', { description: 'The clause the consent rule cites.' }),
    name: t.string({ resolve: (c) => c.entry.name }),
    description: t.string({ resolve: (c) => c.entry.description }),
  }),
});

interface ObjectableShape {
  purpose: string;
  source: string;
  entry: TaxonomyRecord;
}

const Objectable = builder.objectRef<ObjectableShape>('PolicyObjectablePurpose').implement({
  description: 'A purpose a data subject may object to (Art. 21), with the clause that opens it; its children are objectable with it.',
  fields: (t) => ({
    purpose: t.exposeString('purpose'),
    source: t.exposeString('source'),
    name: t.string({ resolve: (o) => o.entry.name }),
    description: t.string({ resolve: (o) => o.entry.description }),
  }),
});

interface GuardianShape {
  mode: 'none' | 'confirmed';
  belowAge: number | null;
  source: string;
}

const GuardianRoute = builder.objectRef<GuardianShape>('PolicyGuardian').implement({
  description: 'The guardian route: `none` (under minimumAge nobody registers, whatever a guardian says) or `confirmed` (users under belowAge need their guardian\'s consent, confirmed by the guardian).',
  fields: (t) => ({
    mode: t.exposeString('mode'),
    belowAge: t.exposeInt('belowAge', { nullable: true }),
    source: t.exposeString('source'),
  }),
});

interface BandShape {
  fromAge: number;
  belowAge: number;
  source: string;
}

const AgeBand = builder.objectRef<BandShape>('PolicyAgeBand').implement({
  description: 'Ages admitted on their own although a guardian route would apply.',
  fields: (t) => ({ fromAge: t.exposeInt('fromAge'), belowAge: t.exposeInt('belowAge'), source: t.exposeString('source') }),
});

interface PolicyShape {
  pack: string;
  facts: PackFacts;
  version: string;
  purposesRequiringConsent: string[];
  consentPurposes: ConsentPurposeShape[];
  objectablePurposes: ObjectableShape[];
  guardian: GuardianShape;
  admittedBand: BandShape | null;
  minimumAge: number;
  source: string;
}

const Policy = builder.objectRef<PolicyShape>('Policy').implement({
  description: 'The active policy pack.',
  fields: (t) => ({
    pack: t.exposeString('pack'),
    version: t.exposeString('version'),
    facts: t.expose('facts', { type: PackFactsRef, description: "What the pack's document says: law, role, controller, DPO, sub-processors, transfers, breach notice." }),
    purposesRequiringConsent: t.exposeStringList('purposesRequiringConsent'),
    consentPurposes: t.expose('consentPurposes', { type: [ConsentPurpose] }),
    objectablePurposes: t.expose('objectablePurposes', { type: [Objectable], description: 'What `objectToProcessing` accepts.' }),
    guardian: t.expose('guardian', { type: GuardianRoute }),
    admittedBand: t.expose('admittedBand', { type: AgeBand, nullable: true }),
    minimumAge: t.exposeInt('minimumAge'),
    source: t.exposeString('source'),
  }),
});

builder.queryFields((t) => ({
  dataMap: t.field({
    type: [DataMapEntry],
    description: 'Every classified field: category, purposes, retention and redaction strategy.',
    resolve: (_root, _args, ctx, info) => {
      requireAuthenticated(ctx.caller);
      return [...governedFieldsOf(info.schema).values()].map((f: GovernedField) => {
        const { max, floor } = ctx.pack.retentionFor(f.governance.category);
        return {
          type: f.typeName,
          field: f.fieldName,
          category: f.governance.category,
          purposes: ctx.pack.fieldPurposes(f),
          declaredPurposes: f.governance.purposes,
          purposesSource: ctx.pack.file.fieldPurposes?.find((r) => r.coordinate === f.coordinate)?.source ?? null,
          retention: isoDays(max),
          retentionSource: max?.source ?? null,
          retentionFloor: isoDays(floor),
          retentionFloorSource: floor?.source ?? null,
          strategy: f.governance.strategy,
          categoryEntry: categoryRecord(f.governance.category),
          purposeEntries: ctx.pack.fieldPurposes(f).map(purposeRecord),
        };
      });
    },
  }),
  policy: t.field({
    type: Policy,
    resolve: (_root, _args, ctx) => {
      requireAuthenticated(ctx.caller);
      const { pack } = ctx;
      return {
        pack: pack.name,
        version: pack.version,
        // A seed's pack always states them (the loader refuses one without).
        facts: pack.file.facts!,
        purposesRequiringConsent: pack.file.consent.map((c) => c.purpose),
        consentPurposes: pack.file.consent.map((c) => ({ ...c, entry: purposeRecord(c.purpose) })),
        objectablePurposes: pack.file.objectable.map((o) => ({ ...o, entry: purposeRecord(o.purpose) })),
        guardian: { mode: pack.file.guardian.mode, belowAge: pack.file.guardian.mode === 'confirmed' ? pack.file.guardian.belowAge : null, source: pack.file.guardian.source },
        admittedBand: pack.file.admittedBand ?? null,
        minimumAge: pack.file.minimumAge.age,
        source: pack.file.source,
      };
    },
  }),
}));
