import { acquireLease, releaseLease } from '../../db/lease.js';
import { appendSystemEvent, systemEvent } from '../../jobs/system-event.js';
import { completeErasure, dueErasures, ERASURE_LEASE_MS, erasureLease, type ErasureDeps } from './erasure.js';

/** The client name of the erasure sweeper's audit events. */
export const ERASURE_SWEEPER_CLIENT = 'govgate-erasure-sweeper';

/** Erasures carried out per sweep at most; the rest wait for the next one. */
const BATCH = 100;

/** What the sweeper needs besides erasure's own deps: who holds its leases. */
export interface SweeperDeps extends ErasureDeps {
  /** This instance's id: the holder of the per-subject erasure leases. */
  readonly holder: string;
}

/**
 * Completes every erasure whose sealed due date has passed (`dueErasures`: decided by the
 * account's sealed state, never by a request record), each under a per-subject lease (so two
 * replicas never erase one subject at once) and audited before its effect: an INTENT event of the
 * gateway itself (no caller; client `govgate-erasure-sweeper`) naming the subject by pseudonym,
 * then its outcome naming nobody (the key is gone by then). Resolves to how many were completed;
 * one that fails is logged and left for the next sweep.
 */
export async function sweepErasures(deps: SweeperDeps, now: Date = new Date()): Promise<number> {
  let completed = 0;
  for (const target of await dueErasures(deps.connection, deps.logger, now, BATCH)) {
    const lease = erasureLease(target);
    if (!(await acquireLease(deps.connection, lease, deps.holder, ERASURE_LEASE_MS, now))) continue;
    try {
      const intent = await appendSystemEvent(deps, systemEvent(deps.pack, target.tenant, { client: ERASURE_SWEEPER_CLIENT, operationName: 'eraseAccount', accesses: ['Mutation.eraseMyAccount'], outcome: 'INTENT', code: null, intent: null, subjects: [target.subject] }));
      await completeErasure(deps, target, now);
      await appendSystemEvent(deps, systemEvent(deps.pack, target.tenant, { client: ERASURE_SWEEPER_CLIENT, operationName: 'eraseAccount', accesses: ['Mutation.eraseMyAccount'], outcome: 'SERVED', code: null, intent, subjects: [] }));
      completed += 1;
    } catch (error) {
      deps.logger.error({ tenant: target.tenant, err: { message: (error as Error).message } }, 'erasure sweep: one erasure failed, retried later');
    } finally {
      await releaseLease(deps.connection, lease, deps.holder).catch(() => undefined);
    }
  }
  return completed;
}
