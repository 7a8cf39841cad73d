import { z } from 'zod';
import { STATISTICS_AGE_BANDS, ageOn, bandOf } from '../../governance/age.js';

/** What a usage statistic may be grouped by: nothing else, and never an identifier. */
export const DIMENSIONS = ['country', 'ageBand', 'month', 'model'] as const;
export type DimensionName = (typeof DIMENSIONS)[number];

export interface SubjectFacts {
  readonly country: string | null;
  readonly birthDate: Date | null;
}

export interface RecordFacts {
  readonly createdAt: Date;
  readonly model: string | null;
}

export interface Dimension {
  readonly name: DimensionName;
  /**
   * The governed field whose value the dimension reads: each counted subject must be allowed that
   * field for the caller's purpose. Null: the usage record itself, which every statistic reads.
   */
  readonly coordinate: string | null;
  /** A property of the subject (same for all their calls) or of each call. */
  readonly of: 'subject' | 'record';
  readonly subject?: (facts: SubjectFacts, now: Date) => string;
  readonly record?: (facts: RecordFacts) => string;
}

const UNKNOWN = 'unknown';
export function ageBand(birthDate: Date | null, now: Date): string {
  if (birthDate === null) return UNKNOWN;
  return bandOf(ageOn(birthDate, now), STATISTICS_AGE_BANDS, `under ${STATISTICS_AGE_BANDS[0]}`);
}

export const DIMENSION_TABLE: Readonly<Record<DimensionName, Dimension>> = {
  country: { name: 'country', coordinate: 'User.country', of: 'subject', subject: (s) => s.country ?? UNKNOWN },
  ageBand: { name: 'ageBand', coordinate: 'User.birthDate', of: 'subject', subject: (s, now) => ageBand(s.birthDate, now) },
  month: { name: 'month', coordinate: null, of: 'record', record: (r) => r.createdAt.toISOString().slice(0, 7) },
  model: { name: 'model', coordinate: 'ApiUsageRecord.model', of: 'record', record: (r) => r.model ?? 'none' },
};

/** The usage record's own field every statistic reads (that a call happened, and when). */
export const USAGE_COORDINATE = 'ApiUsageRecord.operation';

const dimension = z.enum(DIMENSIONS, { error: `unknown dimension; allowed: ${DIMENSIONS.join(', ')}` });
export const groupBySchema = z.object({
  groupBy: z
    .array(dimension)
    .max(DIMENSIONS.length)
    .refine((names) => new Set(names).size === names.length, { message: 'a dimension is named twice' }),
});
