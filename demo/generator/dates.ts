/**
 * Calendar arithmetic on UTC day numbers, so no time zone or wall clock leaks into the data.
 */

const MS_PER_DAY = 86_400_000;

/** The fixed "today" of day 0. Day N is this date plus N days. */
export const BASE_DATE = '2024-06-30';

/** Days since 1970-01-01 for an ISO date. */
export function dayNumber(iso: string): number {
  return Math.floor(Date.parse(`${iso}T00:00:00Z`) / MS_PER_DAY);
}

/** ISO date (YYYY-MM-DD) of a day number. */
export function isoDate(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** ISO timestamp without zone (YYYY-MM-DD HH:MM:SS) of a day number plus seconds. */
export function isoTimestamp(day: number, seconds: number): string {
  return new Date(day * MS_PER_DAY + seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
