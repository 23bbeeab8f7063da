// The shift calendar (CONTRACT §2): configured local HH:MM shifts turned into absolute UTC windows, DST-safe.
import { DateTime } from 'luxon';
import type { Config, ShiftConfig } from './config.ts';
import { minutesOf, WEEKDAYS, type Weekday } from './dates.ts';

/** Epoch milliseconds, half-open: [start, end). */
export interface TimeWindow {
  start: number;
  end: number;
}

export interface ShiftInstance {
  name: string;
  /** Local date (YYYY-MM-DD) on which the shift starts. */
  productionDate: string;
  start: number;
  end: number;
  /** Sorted, disjoint and inside [start, end). */
  breaks: TimeWindow[];
}

/** A shift as the calendar reads it: breaks and weekdays may be left out (none, and every day). */
export type CalendarShift = Omit<ShiftConfig, 'breaks' | 'days'> & { breaks?: ShiftConfig['breaks']; days?: readonly Weekday[] };

/** What the shift calendar of a configuration needs: its timezone, shifts and working calendar. */
export type Calendar = Pick<Config, 'timezone'> & { shifts: readonly CalendarShift[]; calendar?: Config['calendar'] };

const MINUTES_PER_DAY = 1440;

/** The local calendar date of an instant in the plant's timezone. */
export function localDate(timezone: string, ts: number): string {
  return DateTime.fromMillis(ts, { zone: timezone }).toISODate() as string;
}

/** Calendar arithmetic on a YYYY-MM-DD date; done in UTC so no DST day can make it skip or repeat a date. */
export function addDays(date: string, n: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days: n }).toISODate() as string;
}

/**
 * The instant of a local wall-clock time. On DST days this is luxon's reading: a time inside the
 * spring-forward gap is read with the offset from before the change (02:30 in Europe/Berlin on
 * 2026-03-29 becomes 03:30 summer time), so from any earlier time that night the real minutes elapsed
 * equal the configured minutes; a time that happens twice (02:30 on 2026-10-25) is its second
 * occurrence, in winter time. A 22:00–06:00 shift is therefore 7 h on the spring night and 9 h on the
 * autumn night, as the plant's clocks say; a break inside the gap keeps its length, an hour later.
 */
function localInstant(timezone: string, date: string, dayOffset: number, minuteOfDay: number): number {
  const d = DateTime.fromISO(dayOffset === 0 ? date : addDays(date, dayOffset), { zone: 'utc' });
  return DateTime.fromObject(
    { year: d.year, month: d.month, day: d.day, hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60 },
    { zone: timezone },
  ).toMillis();
}

/**
 * Clamps breaks into the window, drops empty ones, sorts them and merges the ones that overlap, so
 * every later sum can subtract breaks one by one without counting a second twice. Touching breaks are
 * kept apart: merging them would change which zero-length takt intervals count as overlapping a break.
 */
export function normalizeBreaks(window: TimeWindow, breaks: readonly TimeWindow[]): TimeWindow[] {
  const clamped = breaks
    .map((b) => ({ start: Math.max(b.start, window.start), end: Math.min(b.end, window.end) }))
    .filter((b) => b.end > b.start)
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const out: TimeWindow[] = [];
  for (const b of clamped) {
    const last = out[out.length - 1];
    if (last && b.start < last.end) last.end = Math.max(last.end, b.end);
    else out.push(b);
  }
  return out;
}

/** One configured shift on one production date. */
export function shiftInstance(timezone: string, shift: CalendarShift, date: string): ShiftInstance {
  const startMin = minutesOf(shift.start);
  // end ≤ start crosses midnight; end = start is a full 24 h shift, as config.ts reads it.
  const lengthMin = (minutesOf(shift.end) - startMin + MINUTES_PER_DAY) % MINUTES_PER_DAY || MINUTES_PER_DAY;
  const at = (offsetMin: number): number => {
    const m = startMin + offsetMin;
    return localInstant(timezone, date, Math.floor(m / MINUTES_PER_DAY), m % MINUTES_PER_DAY);
  };
  const window = { start: at(0), end: at(lengthMin) };
  const breaks = (shift.breaks ?? []).map((b) => {
    const offset = (minutesOf(b.start) - startMin + MINUTES_PER_DAY) % MINUTES_PER_DAY;
    const length = (minutesOf(b.end) - minutesOf(b.start) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
    return { start: at(offset), end: at(offset + length) };
  });
  return { name: shift.name, productionDate: date, ...window, breaks: normalizeBreaks(window, breaks) };
}

/** The weekday of a production date. */
export function weekdayOf(date: string): Weekday {
  return WEEKDAYS[DateTime.fromISO(date, { zone: 'utc' }).weekday - 1];
}

/**
 * CONTRACT §2.2: a shift runs on D when D's weekday is in its `days` and D is not a holiday; on a make-up
 * working day (`calendar.workdays`) the shifts of the weekday `as` run, holidays notwithstanding.
 */
export function shiftRunsOn(cal: Calendar, shift: CalendarShift, date: string): boolean {
  const days: readonly Weekday[] = shift.days ?? WEEKDAYS;
  const makeUp = cal.calendar?.workdays.find((w) => w.date === date);
  if (makeUp) return days.includes(makeUp.as);
  if (cal.calendar?.holidays.includes(date)) return false;
  return days.includes(weekdayOf(date));
}

/** The shift instances whose production date is `date` (only the shifts that run that day), in configured order. */
export function shiftInstancesOfDate(cal: Calendar, date: string): ShiftInstance[] {
  return cal.shifts.filter((s) => shiftRunsOn(cal, s, date)).map((s) => shiftInstance(cal.timezone, s, date));
}

/**
 * The shift instance containing `ts`, or null between shifts. No shift is longer than 24 h (25 on an
 * autumn DST night), so it started on the local date of `ts` or the day before. If shifts overlap in
 * the configuration, the one that started first wins.
 */
export function shiftAt(cal: Calendar, ts: number): ShiftInstance | null {
  const today = localDate(cal.timezone, ts);
  for (const date of [addDays(today, -1), today]) {
    for (const inst of shiftInstancesOfDate(cal, date)) {
      if (inst.start <= ts && ts < inst.end) return inst;
    }
  }
  return null;
}

/**
 * The shift instance that ended most recently at or before `ts`. Two days back covers a plant with a
 * single night shift seen in the early morning, before the last one has finished.
 */
export function lastFinishedShift(cal: Calendar, ts: number): ShiftInstance | null {
  const today = localDate(cal.timezone, ts);
  let best: ShiftInstance | null = null;
  for (const date of [addDays(today, -2), addDays(today, -1), today]) {
    for (const inst of shiftInstancesOfDate(cal, date)) {
      if (inst.end <= ts && (best === null || inst.end > best.end || (inst.end === best.end && inst.start > best.start))) best = inst;
    }
  }
  return best;
}

/**
 * Milliseconds of [from, to) that fall inside the window and outside its breaks. Breaks must be
 * disjoint (see normalizeBreaks) or shared seconds would be subtracted twice.
 */
export function workingMs(window: TimeWindow & { breaks: readonly TimeWindow[] }, from: number, to: number): number {
  const a = Math.max(from, window.start);
  const b = Math.min(to, window.end);
  if (b <= a) return 0;
  let ms = b - a;
  for (const br of window.breaks) {
    const s = Math.max(a, br.start);
    const e = Math.min(b, br.end);
    if (e > s) ms -= e - s;
  }
  return ms;
}

/**
 * Planned seconds: the window's length minus its breaks, or only the part before `upTo` (the live
 * "target so far"). Breaks are normalized here so overlapping or outlying breaks are not double-counted.
 */
export function plannedSeconds(window: TimeWindow & { breaks: TimeWindow[] }, upTo?: number): number {
  const normalized = { start: window.start, end: window.end, breaks: normalizeBreaks(window, window.breaks) };
  return workingMs(normalized, window.start, upTo === undefined ? window.end : upTo) / 1000;
}
