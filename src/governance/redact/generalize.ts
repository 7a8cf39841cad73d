import { REDACTION_AGE_BANDS, ageOn, bandOf } from '../age.js';

/** A date keeps its year only (as 1 January, so it stays a valid Date). */
export function generalizeToYear(value: Date): Date {
  return new Date(Date.UTC(value.getUTCFullYear(), 0, 1));
}

/** A birth date becomes an age band such as `25-34` or `65+`. */
export function ageBand(birthDate: Date, now: Date): string {
  return bandOf(ageOn(birthDate, now), REDACTION_AGE_BANDS);
}

/** A location string keeps only its country: the last comma-separated part, or the ISO code. */
export function generalizeToCountry(value: string): string {
  const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
  return parts.at(-1) ?? '';
}
