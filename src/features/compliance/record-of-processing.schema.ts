import { builder } from '../../builder.js';
import { PackFactsRef } from '../governance-info/index.js';
import { requireComplianceOfficer } from './compliance-guard.js';
import { recordAsMarkdown, recordOfProcessing, type RecordOfProcessing } from './record-of-processing.js';

type Row<K extends keyof RecordOfProcessing> = RecordOfProcessing[K] extends (infer R)[] ? R : never;

const DataCategory = builder.objectRef<Row<'categoriesOfData'>>('ProcessingDataCategory').implement({
  fields: (t) => ({
    category: t.exposeString('category'),
    name: t.exposeString('name', { description: 'The category\'s name (fideslang\'s, or govgate\'s for an extension).' }),
    description: t.exposeString('description'),
    fields: t.exposeStringList('fields'),
    purposes: t.exposeStringList('purposes'),
    retention: t.exposeString('retention', { nullable: true, description: 'Maximum retention (ISO 8601 duration); null: no maximum.' }),
    retentionSource: t.exposeString('retentionSource', { nullable: true }),
    retentionFloor: t.exposeString('retentionFloor', { nullable: true, description: 'Legal-hold minimum (ISO 8601 duration); null: none.' }),
    retentionFloorSource: t.exposeString('retentionFloorSource', { nullable: true }),
  }),
});

const Purpose = builder.objectRef<Row<'purposes'>>('ProcessingPurpose').implement({
  fields: (t) => ({
    purpose: t.exposeString('purpose'),
    name: t.exposeString('name', { description: 'The purpose\'s name (fideslang data use).' }),
    description: t.exposeString('description'),
    legalBasis: t.exposeString('legalBasis'),
    categories: t.exposeStringList('categories'),
    consentRequired: t.exposeBoolean('consentRequired'),
    consentSource: t.exposeString('consentSource', { nullable: true }),
  }),
});

const Recipient = builder.objectRef<Row<'recipients'>>('ProcessingRecipient').implement({
  fields: (t) => ({
    role: t.exposeString('role'),
    scope: t.exposeString('scope'),
    categories: t.exposeStringList('categories'),
    purposes: t.exposeStringList('purposes'),
    source: t.exposeString('source'),
  }),
});

const RecordRef = builder.objectRef<RecordOfProcessing>('RecordOfProcessing').implement({
  description: 'GDPR Art. 30 record generated from the schema\'s classification and the active policy pack.',
  fields: (t) => ({
    article: t.exposeString('article'),
    generatedAt: t.expose('generatedAt', { type: 'DateTime' }),
    tenant: t.exposeString('tenant'),
    pack: t.exposeString('pack'),
    packVersion: t.exposeString('packVersion'),
    categoriesOfData: t.expose('categoriesOfData', { type: [DataCategory] }),
    categoriesOfSubjects: t.exposeStringList('categoriesOfSubjects'),
    purposes: t.expose('purposes', { type: [Purpose] }),
    recipients: t.expose('recipients', { type: [Recipient] }),
    facts: t.expose('facts', { type: PackFactsRef, description: "The pack's document: controller, DPO, role, law, sub-processors, transfers, breach notice." }),
    transfers: t.exposeStringList('transfers'),
    securityMeasures: t.exposeStringList('securityMeasures'),
    markdown: t.string({ description: 'The record as a Markdown document.', resolve: (r) => recordAsMarkdown(r) }),
  }),
});

const Article = builder.enumType('ProcessingRecordArticle', {
  values: { PROCESSOR: { value: '30(2)', description: 'Art. 30(2): the processor\'s record' }, CONTROLLER: { value: '30(1)', description: 'Art. 30(1): the controller\'s view of this tenant' } } as const,
});

builder.queryFields((t) => ({
  recordOfProcessing: t.field({
    type: RecordRef,
    args: { article: t.arg({ type: Article, defaultValue: '30(2)' }) },
    resolve: (_root, { article }, ctx, info) => {
      const { tenant } = requireComplianceOfficer(ctx, 'Query.recordOfProcessing');
      return recordOfProcessing(info.schema, ctx.pack, tenant, article ?? '30(2)');
    },
  }),
}));
