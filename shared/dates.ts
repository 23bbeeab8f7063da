// Calendar basics with no dependency: weekdays, local HH:MM, and which YYYY-MM-DD dates exist. The
// schema (config.ts) and the shift calendar (shifts.ts) both use them; the renderer may too, without
// bundling the schema library.

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Whether YYYY-MM-DD names a day of the Gregorian calendar (no 2026-02-30, no 2026-13-01). */
export function isRealDate(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Minutes since local midnight of an HH:MM string already checked by the schema. */
export function minutesOf(hhmmText: string): number {
  const [h, m] = hhmmText.split(':').map(Number);
  return h * 60 + m;
}

