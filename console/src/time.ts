// Every time in the console is UTC: the audit log's times are, and a compliance record must not
// depend on the reader's time zone.

/** `2024-03-01 10:00:00 UTC`. */
export function utc(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The value of a `datetime-local` input read as UTC, or null when empty or invalid. */
export function fromInput(value: string): Date | null {
  if (!value) return null;
  const date = new Date(`${value}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A date as a `datetime-local` input value, in UTC, to the minute. */
export function toInput(date: Date): string {
  return date.toISOString().slice(0, 16);
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
