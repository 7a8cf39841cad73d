import { dsrRequestModel, type DsrRequestDoc } from './dsr-request.model.js';
import { appendSystemEvent, claimErasure, completeErasure, erasureBackedByAccount, rejectErasure, systemEvent, type ErasureDeps } from './erasure.js';

/** Erasures carried out per sweep at most; the rest wait for the next one. */
const BATCH = 100;

/**
 * Completes every pending erasure whose grace period has ended (`executeAt <= now`), each claimed by
 * this instance first (so two replicas never erase twice) and audited before its effect: an INTENT
 * event of the gateway itself (no caller; client `govgate-erasure-sweeper`) naming the subject by
 * pseudonym, then its outcome naming nobody (the key is gone by then). Resolves to how many were
 * completed; one that fails is logged and left for the next sweep. A request the account's sealed
 * state does not back (not ERASURE_PENDING, or the record does not verify or is gone) is REJECTED
 * and erases nothing.
 */
export async function sweepErasures(deps: ErasureDeps, now: Date = new Date()): Promise<number> {
  const due = await dsrRequestModel(deps.connection)
    .find({ kind: 'ERASURE', status: 'PENDING', executeAt: { $lte: now } }, { _id: 1 })
    .sort({ executeAt: 1 })
    .limit(BATCH)
    .lean<Pick<DsrRequestDoc, '_id'>[]>()
    .exec();
  let completed = 0;
  for (const { _id } of due) {
    const dsr = await claimErasure(deps.connection, _id, now);
    if (!dsr?.subject) continue;
    try {
      if (!(await erasureBackedByAccount(deps.connection, dsr.tenant, dsr.subject))) {
        deps.logger.warn({ tenant: dsr.tenant, dsr: dsr._id }, 'erasure request not backed by a sealed ERASURE_PENDING account: rejected, nothing erased');
        await rejectErasure(deps.connection, dsr._id);
        continue;
      }
      const intent = await appendSystemEvent(deps, systemEvent(deps.pack, dsr.tenant, { operationName: 'eraseAccount', accesses: ['Mutation.eraseMyAccount'], outcome: 'INTENT', code: null, intent: null, subjects: [dsr.subject] }));
      await completeErasure(deps, dsr, now);
      await appendSystemEvent(deps, systemEvent(deps.pack, dsr.tenant, { operationName: 'eraseAccount', accesses: ['Mutation.eraseMyAccount'], outcome: 'SERVED', code: null, intent, subjects: [] }));
      completed += 1;
    } catch (error) {
      deps.logger.error({ tenant: dsr.tenant, dsr: dsr._id, err: { message: (error as Error).message } }, 'erasure sweep: one erasure failed, retried later');
    }
  }
  return completed;
}

export interface ErasureSweeper {
  /** Resolves once a sweep in progress has ended. */
  stop(): Promise<void>;
}

/** Sweeps every `intervalMs` (timer unref'd: it never keeps the process alive). 0: never. */
export function startErasureSweeper(deps: ErasureDeps, intervalMs: number): ErasureSweeper {
  if (intervalMs <= 0) return { stop: () => Promise.resolve() };
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    // A tick while a sweep still runs is skipped: slow sweeps never queue up.
    if (stopped || running) return;
    running = sweepErasures(deps)
      .catch((error: unknown) => {
        deps.logger.error({ err: { message: (error as Error).message } }, 'erasure sweep failed');
      })
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
