import { requireAuthenticated, requireRole } from '../../auth/index.js';
import { refOfSubject } from '../../audit/index.js';
import { subjectIdSchema } from '../../auth/subject-arg.js';
import { builder } from '../../builder.js';
import { GovgateError } from '../../errors.js';
import { governedFieldsOf } from '../../governance/registry.js';
import { subjectKeysOf } from '../../keys/index.js';
import { requireComplianceOfficer } from '../compliance/compliance-guard.js';
import { MessageRoleEnum } from '../conversations/index.js';
import { decodeCursor, encodeCursor } from '../rights/export-records.js';
import { deliveriesOfSubject, recordDelivery } from './deliveries.js';
import { eligibleSamples, type EligibleSample } from './eligible-samples.js';
import { deliveryEntry, SAMPLE_CONTENT, trainingManifest, type ManifestDelivery, type TrainingManifest } from './manifest.js';

const OPERATIONAL = { category: 'system.operations', purposes: ['essential', 'train_ai_system', 'functional.service.improve'], strategy: 'null' } as const;
const TRAINING = ['train_ai_system', 'functional.service.improve'];
// Deliveries and manifests hold ids and pseudonyms, never values; an ml_engineer reads their own for
// training purposes, a compliance officer the tenant's under a legal obligation.
const LINEAGE_PURPOSES = ['essential.legal_obligation', ...TRAINING];
const LINEAGE = { category: 'system.operations', purposes: LINEAGE_PURPOSES, strategy: 'null' } as const;
const PSEUDONYM = { category: 'user.unique_id', purposes: LINEAGE_PURPOSES, strategy: 'null' } as const;
/** Deliveries name subjects by pseudonym only: no value of them is any one subject's record. */
const NO_SUBJECT = (): null => null;
const OF_TENANT = { subjectOf: NO_SUBJECT, tenantOf: (x: { tenant: string }) => x.tenant };
const MAX_SAMPLES = 500;

const TrainingSampleRef = builder.objectRef<EligibleSample>('TrainingSample').implement({
  description: 'One message released for model training, with the consent record that made it eligible (lineage).',
  governance: { subjectOf: (s) => s.message.owner, tenantOf: (s) => s.message.tenant, timestampOf: (s) => s.message.createdAt, optedOutOf: (s) => s.message.mipOptOut },
  fields: (t) => ({
    id: t.id({ nullable: true, governance: OPERATIONAL, resolve: (s) => s.message._id }),
    role: t.field({ type: MessageRoleEnum, nullable: true, governance: OPERATIONAL, resolve: (s) => s.message.role }),
    content: t.string({
      nullable: true,
      governance: { category: 'user.content.private', purposes: TRAINING, strategy: 'null' },
      resolve: (s) => s.content,
    }),
    consentId: t.id({ nullable: true, governance: { category: 'user.unique_id', purposes: TRAINING, strategy: 'null' }, resolve: (s) => s.consentId }),
    createdAt: t.field({ type: 'DateTime', nullable: true, governance: OPERATIONAL, resolve: (s) => s.message.createdAt }),
  }),
});

interface SamplePage {
  tenant: string;
  samples: EligibleSample[];
  next: string | null;
  deliveryId: string | null;
}

const TrainingSamplePageRef = builder.objectRef<SamplePage>('TrainingSamplePage').implement({
  description: 'A page of eligible samples; `next` continues after the last message looked at (a page may be short, or empty, and still have a next).',
  governance: OF_TENANT,
  fields: (t) => ({
    // Each sample is decided on its own; the list is the tenant's, released on the grant.
    samples: t.field({ type: [TrainingSampleRef], governance: { category: 'user.content.private', purposes: TRAINING, strategy: 'drop' }, resolve: (p) => p.samples }),
    next: t.string({ nullable: true, governance: OPERATIONAL, resolve: (p) => p.next }),
    deliveryId: t.id({ nullable: true, governance: OPERATIONAL, description: 'The delivery record of this page (trainingManifest lists it); null for an empty page.', resolve: (p) => p.deliveryId }),
  }),
});

const DeliveredSampleRef = builder.objectRef<ManifestDelivery['samples'][number]>('DeliveredSample').implement({
  governance: OF_TENANT,
  fields: (t) => ({
    sampleId: t.exposeID('sampleId', { nullable: true, governance: LINEAGE }),
    consentId: t.exposeID('consentId', { nullable: true, governance: LINEAGE }),
    subjectRef: t.exposeString('subjectRef', { nullable: true, governance: PSEUDONYM, description: "The subject's audit pseudonym (unlinkable once they are erased)." }),
  }),
});

const DeliveryStatusEnum = builder.enumType('TrainingDeliveryStatus', { values: ['VERIFIED', 'ALTERED'] as const });

const TrainingDeliveryRef = builder.objectRef<ManifestDelivery>('TrainingDelivery').implement({
  description: 'One page of samples as delivered: when, to whom, for which purpose, which samples under which consents.',
  governance: OF_TENANT,
  fields: (t) => ({
    id: t.exposeID('id', { nullable: true, governance: LINEAGE }),
    requestId: t.exposeString('requestId', { nullable: true, governance: LINEAGE }),
    at: t.expose('at', { type: 'DateTime', nullable: true, governance: LINEAGE }),
    purpose: t.exposeString('purpose', { nullable: true, governance: LINEAGE }),
    recipientRef: t.exposeString('recipientRef', { nullable: true, governance: PSEUDONYM, description: "The recipient's audit pseudonym." }),
    status: t.field({ type: DeliveryStatusEnum, nullable: true, governance: LINEAGE, resolve: (d) => d.status }),
    samples: t.field({ type: [DeliveredSampleRef], governance: { ...LINEAGE, strategy: 'drop' }, resolve: (d) => d.samples }),
  }),
});

const MissingDeliveryRef = builder.objectRef<TrainingManifest['missing'][number]>('MissingTrainingDelivery').implement({
  governance: OF_TENANT,
  fields: (t) => ({
    requestId: t.exposeString('requestId', { nullable: true, governance: LINEAGE }),
    auditId: t.exposeID('auditId', { nullable: true, governance: LINEAGE }),
    at: t.expose('at', { type: 'DateTime', nullable: true, governance: LINEAGE }),
  }),
});

const TrainingManifestRef = builder.objectRef<TrainingManifest>('TrainingManifest').implement({
  description: 'The samples and consents delivered for training in a period, signed with the audit key (JWS typ govgate-training-manifest+jws).',
  governance: OF_TENANT,
  fields: (t) => ({
    from: t.expose('from', { type: 'DateTime', nullable: true, governance: LINEAGE }),
    to: t.expose('to', { type: 'DateTime', nullable: true, governance: LINEAGE }),
    generatedAt: t.expose('generatedAt', { type: 'DateTime', nullable: true, governance: LINEAGE }),
    sampleCount: t.exposeInt('sampleCount', { nullable: true, governance: LINEAGE }),
    deliveries: t.field({ type: [TrainingDeliveryRef], governance: { ...LINEAGE, strategy: 'drop' }, resolve: (m) => m.deliveries }),
    missing: t.field({ type: [MissingDeliveryRef], governance: { ...LINEAGE, strategy: 'drop' }, resolve: (m) => m.missing }),
    // The signed list names subjects by pseudonym, like the deliveries it signs.
    manifest: t.exposeString('manifest', { nullable: true, governance: PSEUDONYM }),
  }),
});

function pageSize(first: number | null | undefined): number {
  const size = first ?? 100;
  if (!Number.isInteger(size) || size < 1 || size > MAX_SAMPLES) throw new GovgateError('BAD_USER_INPUT', `first must be between 1 and ${MAX_SAMPLES}`);
  return size;
}

function period(from: Date, to: Date): void {
  if (!(from instanceof Date) || !(to instanceof Date) || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) {
    throw new GovgateError('BAD_USER_INPUT', 'from must be before to');
  }
}

builder.queryFields((t) => ({
  trainingSamples: t.field({
    type: TrainingSamplePageRef,
    description:
      'Messages of the tenant eligible for the caller\'s training purpose (ml_engineer, train_ai_system or another training-like purpose), each with its consentId. The page is recorded as a delivery before it leaves.',
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, args, ctx, info) => {
      const caller = requireAuthenticated(ctx.caller);
      const first = pageSize(args.first);
      const after = args.after ? decodeCursor(args.after) : null;
      const field = governedFieldsOf(info.schema).get(SAMPLE_CONTENT)!;
      const { samples, next } = await eligibleSamples(ctx, field, after, first);
      const delivery = await recordDelivery(ctx, caller, samples);
      return { tenant: caller.tenant, samples, next: next ? encodeCursor(next) : null, deliveryId: delivery?._id ?? null };
    },
  }),
  trainingManifest: t.field({
    type: TrainingManifestRef,
    description: 'The signed manifest of training deliveries in [from, to): an ml_engineer\'s own, or (compliance officer) the tenant\'s, checked against the audit chain.',
    args: { from: t.arg({ type: 'DateTime', required: true }), to: t.arg({ type: 'DateTime', required: true }) },
    resolve: (_root, { from, to }, ctx) => {
      ctx.governance.noteAccess('Query.trainingManifest');
      const caller = requireRole(ctx.caller, ['ml_engineer', 'compliance_officer'], 'trainingManifest');
      period(from, to);
      return trainingManifest(ctx, caller, from, to);
    },
  }),
  trainingLineage: t.field({
    type: [TrainingDeliveryRef],
    description: 'Every training delivery that included the subject (compliance officers): to trace a withdrawal or an objection to the datasets that used their data.',
    args: { subject: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const { tenant } = requireComplianceOfficer(ctx, 'Query.trainingLineage');
      const parsed = subjectIdSchema.safeParse(String(args.subject));
      if (!parsed.success) throw new GovgateError('BAD_USER_INPUT', 'subject: not a user id');
      const ref = await refOfSubject(subjectKeysOf(ctx.connection), tenant, parsed.data);
      if (!ref) return [];
      const docs = await deliveriesOfSubject(ctx.connection, tenant, ref);
      // Only this subject's samples: the rest of each page is other people's.
      return docs.map((d) => deliveryEntry(ctx.connection, d)).map((d) => ({ ...d, samples: d.samples.filter((s) => s.subjectRef === ref) }));
    },
  }),
}));
