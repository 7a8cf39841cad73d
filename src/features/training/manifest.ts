import type { Connection } from 'mongoose';
import type { GatewayContext } from '../../context.js';
import type { AuthenticatedCaller } from '../../auth/index.js';
import { authenticatedEvents, refOfSubject } from '../../audit/index.js';
import { subjectKeysOf } from '../../keys/index.js';
import { deliveriesBetween, deliveryVerifies } from './deliveries.js';
import type { TrainingDeliveryDoc } from './training-delivery.model.js';

export const TRAINING_MANIFEST_TYP = 'govgate-training-manifest+jws';
/** The coordinate whose release the audit chain records for every served page of samples. */
export const SAMPLE_CONTENT = 'TrainingSample.content';

export interface ManifestDelivery {
  tenant: string;
  id: string;
  requestId: string;
  at: Date;
  purpose: string;
  /** The recipient's audit pseudonym. */
  recipientRef: string;
  /** VERIFIED: as the gateway wrote it; ALTERED: its seal does not verify (its samples are not to be trusted). */
  status: 'VERIFIED' | 'ALTERED';
  samples: { tenant: string; sampleId: string; consentId: string; subjectRef: string }[];
}

export interface TrainingManifest {
  tenant: string;
  from: Date;
  to: Date;
  generatedAt: Date;
  deliveries: ManifestDelivery[];
  /** Requests the audit chain shows released samples for whose delivery record is gone (compliance officers only). */
  missing: { tenant: string; requestId: string; auditId: string; at: Date }[];
  sampleCount: number;
  /** The manifest as a JWS signed with the audit key. */
  manifest: string;
}

/** A stored delivery as listed, with whether its seal verifies. */
export const deliveryEntry = (connection: Connection, d: TrainingDeliveryDoc): ManifestDelivery => ({
  tenant: d.tenant,
  id: d._id,
  requestId: d.requestId,
  at: d.at,
  purpose: d.purpose,
  recipientRef: d.recipientRef,
  status: deliveryVerifies(connection, d) ? 'VERIFIED' : 'ALTERED',
  samples: d.samples.map((s) => ({ tenant: d.tenant, sampleId: s.sampleId, consentId: s.consentId, subjectRef: s.subjectRef })),
});

/**
 * The signed list of every sample and consent id delivered in [from, to): for an ml_engineer
 * their own deliveries, for a compliance officer the tenant's, checked against the audit chain
 * (a served page of samples whose delivery record was deleted is listed as missing).
 */
export async function trainingManifest(ctx: GatewayContext, caller: AuthenticatedCaller, from: Date, to: Date): Promise<TrainingManifest> {
  const officer = caller.roles.includes('compliance_officer');
  const own = officer ? null : await refOfSubject(subjectKeysOf(ctx.connection), caller.tenant, caller.subject);
  const docs = !officer && own === null ? [] : await deliveriesBetween(ctx.connection, caller.tenant, from, to, own);
  const deliveries = docs.map((d) => deliveryEntry(ctx.connection, d));
  const missing: TrainingManifest['missing'] = [];
  if (officer) {
    const known = new Set(docs.map((d) => d.requestId));
    const served = await ctx.audit.store.events
      .find({ tenant: caller.tenant, at: { $gte: from, $lt: to }, outcome: 'SERVED', decisions: { $elemMatch: { coordinate: SAMPLE_CONTENT, decision: 'ALLOW' } } })
      .sort({ at: 1 })
      .toArray();
    // Only events a signed chain head vouches for: a planted event must not make a delivery look missing.
    const genuine = await authenticatedEvents(ctx.audit.store, ctx.audit.keySet, served);
    for (const e of served) if (genuine.has(e._id) && !known.has(e.requestId)) missing.push({ tenant: caller.tenant, requestId: e.requestId, auditId: e._id, at: e.at });
  }
  const generatedAt = new Date();
  const sampleCount = deliveries.reduce((n, d) => n + d.samples.length, 0);
  const payload = {
    tenant: caller.tenant,
    pack: { name: ctx.pack.name, version: ctx.pack.version },
    from: from.toISOString(),
    to: to.toISOString(),
    generatedAt: generatedAt.toISOString(),
    deliveries: deliveries.map(({ tenant: _t, samples, ...d }) => ({ ...d, at: d.at.toISOString(), samples: samples.map(({ tenant: _s, ...s }) => s) })),
    missing: missing.map(({ tenant: _t, ...m }) => ({ ...m, at: m.at.toISOString() })),
    sampleCount,
  };
  return { tenant: caller.tenant, from, to, generatedAt, deliveries, missing, sampleCount, manifest: await ctx.audit.signer.sign(payload, TRAINING_MANIFEST_TYP) };
}
