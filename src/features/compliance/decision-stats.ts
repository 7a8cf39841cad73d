import type { mongo } from 'mongoose';
import type { AuditEventDoc } from '../../audit/index.js';
import { GovgateError } from '../../errors.js';
import type { Decision, Reason } from '../../governance/index.js';

export const STATS_BUCKETS = { HOUR: 3_600_000, DAY: 86_400_000 } as const;
export type StatsBucket = keyof typeof STATS_BUCKETS;

/** Most buckets one query may ask for: a week of hours, a year (leap or not) of days. */
export const MAX_BUCKETS: Readonly<Record<StatsBucket, number>> = { HOUR: 7 * 24, DAY: 366 };

export interface DecisionStatRow {
  /** Start of the UTC hour or day. */
  readonly bucketStart: Date;
  readonly decision: Decision;
  readonly reason: Reason | null;
  /** (subject, field coordinate) decisions, counted as `auditEvents` lists them. */
  readonly count: number;
}

interface Grouped {
  _id: { bucket: number; decision: Decision; reason: Reason | null };
  count: number;
}

/** Refuses a range that is empty, reversed or longer than MAX_BUCKETS buckets. */
export function checkStatsRange(from: Date, to: Date, bucket: StatsBucket): void {
  const span = to.getTime() - from.getTime();
  if (!(span > 0)) throw new GovgateError('BAD_USER_INPUT', 'from must be before to');
  if (span > MAX_BUCKETS[bucket] * STATS_BUCKETS[bucket]) {
    throw new GovgateError('BAD_USER_INPUT', `the range is too long for its bucket (at most ${MAX_BUCKETS.HOUR} hours or ${MAX_BUCKETS.DAY} days)`);
  }
}

/**
 * The tenant's recorded decisions in [from, to) counted per UTC bucket, decision and reason,
 * computed by the database. Only operators mongo-java-server has too: the bucket is the event's
 * epoch milliseconds (`$subtract` of two dates) minus its remainder, not `$dateTrunc`.
 */
export async function decisionStats(events: mongo.Collection<AuditEventDoc>, tenant: string, from: Date, to: Date, bucket: StatsBucket): Promise<DecisionStatRow[]> {
  checkStatsRange(from, to, bucket);
  const epochMs = { $subtract: ['$at', new Date(0)] };
  // A decision's subjects as the hash covers them (decision-sets.ts hasSubjectSets): the set it names
  // when the event keeps subject sets, else its inline list; anything else counts nothing.
  const subjects = { $cond: [{ $isArray: ['$subjectSets'] }, { $arrayElemAt: ['$subjectSets', '$decisions.set'] }, '$decisions.subjects'] };
  const rows = await events
    .aggregate<Grouped>([
      { $match: { tenant, at: { $gte: from, $lt: to } } },
      { $unwind: '$decisions' },
      {
        $group: {
          _id: { bucket: { $subtract: [epochMs, { $mod: [epochMs, STATS_BUCKETS[bucket]] }] }, decision: '$decisions.decision', reason: '$decisions.reason' },
          // One stored decision groups the subjects it was taken for alike.
          count: { $sum: { $cond: [{ $isArray: [subjects] }, { $size: subjects }, 0] } },
        },
      },
      { $sort: { '_id.bucket': 1, '_id.decision': 1, '_id.reason': 1 } },
    ])
    .toArray();
  return rows.map(({ _id, count }) => ({ bucketStart: new Date(_id.bucket), decision: _id.decision, reason: _id.reason ?? null, count }));
}
