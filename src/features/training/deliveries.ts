import { canonicalJson } from '../../canonical-json.js';
import type { Connection } from 'mongoose';
import type { AuthenticatedCaller } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { stateSealOf } from '../../db/connection-seal.js';
import { newId } from '../../db/ids.js';
import { GovgateError } from '../../errors.js';
import { subjectKeysOf } from '../../keys/index.js';
import type { EligibleSample } from './eligible-samples.js';
import { trainingDeliveryModel, type DeliveredSample, type TrainingDeliveryDoc } from './training-delivery.model.js';

const KIND = 'training_delivery';
const DUPLICATE_KEY = 11000;

type Unsealed = Omit<TrainingDeliveryDoc, 'seal'>;
const sealedFields = (d: Unsealed) => ({
  id: d._id,
  tenant: d.tenant,
  requestId: d.requestId,
  recipientRef: d.recipientRef,
  purpose: d.purpose,
  at: d.at,
  samples: canonicalJson(d.samples.map((s) => ({ sampleId: s.sampleId, consentId: s.consentId, subjectRef: s.subjectRef }))),
});

/**
 * Records the delivery of these samples to the caller, sealed, before they leave: a page that
 * cannot be recorded is not served (the write's error fails the request). Subjects are named by
 * their audit pseudonym. An empty page records nothing.
 */
export async function recordDelivery(ctx: GatewayContext, caller: AuthenticatedCaller, samples: readonly EligibleSample[]): Promise<TrainingDeliveryDoc | null> {
  if (samples.length === 0) return null;
  const keys = await subjectKeysOf(ctx.connection).ensure(caller.tenant, [caller.subject, ...samples.map((s) => s.message.owner)]);
  const delivered: DeliveredSample[] = samples.map((s) => ({ sampleId: s.message._id, consentId: s.consentId, subjectRef: keys.get(s.message.owner)!.ref }));
  const doc: Unsealed = { _id: newId(), tenant: caller.tenant, requestId: ctx.requestId, recipientRef: keys.get(caller.subject)!.ref, purpose: ctx.purpose, at: ctx.governance.now, samples: delivered };
  const sealed: TrainingDeliveryDoc = { ...doc, seal: stateSealOf(ctx.connection).record(KIND, sealedFields(doc)) };
  try {
    await trainingDeliveryModel(ctx.connection).create(sealed);
  } catch (error) {
    if ((error as { code?: number }).code === DUPLICATE_KEY) {
      throw new GovgateError('BAD_USER_INPUT', 'one page of training samples per request: ask for each page in a request of its own, under its own X-Request-Id');
    }
    throw error;
  }
  return sealed;
}

/** Whether a stored delivery is exactly what the gateway wrote. */
export function deliveryVerifies(connection: Connection, doc: TrainingDeliveryDoc): boolean {
  try {
    return stateSealOf(connection).verifyRecord(KIND, sealedFields(doc), doc.seal);
  } catch {
    return false;
  }
}

/** Deliveries of the tenant in [from, to), oldest first; only those to `recipientRef` when given. */
export async function deliveriesBetween(connection: Connection, tenant: string, from: Date, to: Date, recipientRef: string | null): Promise<TrainingDeliveryDoc[]> {
  return trainingDeliveryModel(connection)
    .find({ tenant, at: { $gte: from, $lt: to }, ...(recipientRef ? { recipientRef } : {}) })
    .sort({ at: 1, _id: 1 })
    .lean<TrainingDeliveryDoc[]>()
    .exec();
}

/** Deliveries that included the subject (by their audit pseudonym), oldest first. */
export async function deliveriesOfSubject(connection: Connection, tenant: string, subjectRef: string): Promise<TrainingDeliveryDoc[]> {
  return trainingDeliveryModel(connection).find({ tenant, 'samples.subjectRef': subjectRef }).sort({ at: 1, _id: 1 }).lean<TrainingDeliveryDoc[]>().exec();
}
