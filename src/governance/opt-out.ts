/**
 * A model-improvement opt-out (001 §7.4–7.6): from `from` until `until` (null: still opted out).
 * Kept as a list of periods, never overwritten, so opting back in never makes what was created
 * while opted out usable again, and the history stays for explanations.
 */
export interface OptOutPeriod {
  readonly from: Date;
  readonly until: Date | null;
}

export const NO_OPT_OUT: readonly OptOutPeriod[] = Object.freeze([]);

/**
 * Whether a value created at `createdAt` falls under an opt-out. Effective from the time of opt-out
 * and not retroactive (001 §7.5): a value created before `from` stays usable. A value of unknown
 * creation time under any opt-out counts as opted out (fails closed). A loop: this runs per value.
 */
export function createdWhileOptedOut(periods: readonly OptOutPeriod[], createdAt: Date | null): boolean {
  if (periods.length === 0) return false;
  if (createdAt === null) return true;
  const t = createdAt.getTime();
  for (const p of periods) {
    if (t >= p.from.getTime() && (p.until === null || t < p.until.getTime())) return true;
  }
  return false;
}

/** True while the last period is open. */
export const optedOutNow = (periods: readonly OptOutPeriod[]): boolean => periods.length > 0 && periods[periods.length - 1]!.until === null;

/**
 * The periods after opting out (`optOut`) or back in at `now`; null when nothing changes (already
 * in that state).
 */
export function changeOptOut(periods: readonly OptOutPeriod[], optOut: boolean, now: Date): OptOutPeriod[] | null {
  if (optOut === optedOutNow(periods)) return null;
  if (optOut) return [...periods, { from: now, until: null }];
  return [...periods.slice(0, -1), { from: periods[periods.length - 1]!.from, until: now }];
}

/** The periods as sealed: ISO strings, in order. Throws on a malformed list (then it does not verify). */
export function sealableOptOut(periods: readonly OptOutPeriod[] | null | undefined): { from: string; until: string | null }[] {
  if (periods === null || periods === undefined) return [];
  if (!Array.isArray(periods)) throw new TypeError('opt-out periods are not a list');
  return periods.map((p) => {
    if (!(p.from instanceof Date) || !(p.until === null || p.until === undefined || p.until instanceof Date)) throw new TypeError('malformed opt-out period');
    return { from: p.from.toISOString(), until: p.until ? p.until.toISOString() : null };
  });
}
