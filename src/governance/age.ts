/**
 * Completed years of age on a day, in UTC (birth dates are stored as UTC midnights). The one age
 * rule: registration's minimum age, the minors rule of decisions and age bands all use it.
 */
export function ageOn(birthDate: Date, day: Date): number {
  const years = day.getUTCFullYear() - birthDate.getUTCFullYear();
  const month = day.getUTCMonth() - birthDate.getUTCMonth();
  const beforeBirthday = month < 0 || (month === 0 && day.getUTCDate() < birthDate.getUTCDate());
  return beforeBirthday ? years - 1 : years;
}

/**
 * The band an age falls in, given the bands' exclusive upper bounds (ascending): `lo-hi`, or the
 * open last band `N+`. Below the first bound the band starts at 0 unless `below` names it.
 */
export function bandOf(age: number, bounds: readonly number[], below?: string): string {
  if (age < bounds[0]! && below !== undefined) return below;
  let lower = 0;
  for (const bound of bounds) {
    if (age < bound) return `${lower}-${bound - 1}`;
    lower = bound;
  }
  return `${lower}+`;
}

/** Bands of the `age_band` redaction: fine enough to keep the minors' thresholds (13, 16, 18). */
export const REDACTION_AGE_BANDS = [13, 16, 18, 25, 35, 45, 55, 65] as const;
/** Bands of usage statistics: coarser, minors in one group, so small groups stay rare. */
export const STATISTICS_AGE_BANDS = [18, 25, 35, 45, 55, 65] as const;
