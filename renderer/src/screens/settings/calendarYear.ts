// The working calendar of a year as the form has it (CONTRACT §2.2): which dates are holidays, make-up
// working days (the shifts of weekday `as`), days on which no shift runs, and ordinary working days.
import { WEEKDAYS, isRealDate, type Weekday } from '../../../../shared/dates.ts';
import type { FormModel } from './formModel.ts';

export type DayKind = 'work' | 'holiday' | 'makeup' | 'noshift';

export interface YearDay {
  date: string;
  weekday: Weekday;
  kind: DayKind;
  /** The shifts that run that day, configured order. */
  shifts: string[];
  /** A make-up working day: the weekday whose shifts run. */
  as: Weekday | null;
}

export interface YearMonth {
  month: number;
  /** Empty cells before the 1st in a week that starts on Monday. */
  lead: number;
  days: YearDay[];
}

export function weekdayOfDate(date: string): Weekday {
  const [y, m, d] = date.split('-').map(Number);
  // getUTCDay: 0 = Sunday; WEEKDAYS start on Monday.
  return WEEKDAYS[(new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7];
}

const isWeekday = (s: string): s is Weekday => (WEEKDAYS as readonly string[]).includes(s);

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** What runs on one date under the form's shifts and calendar. */
export function dayOf(form: Pick<FormModel, 'shifts' | 'calendar'>, date: string): YearDay {
  const weekday = weekdayOfDate(date);
  const makeup = form.calendar.workdays.find((w) => w.date === date);
  const runsOn = (day: string) => form.shifts.filter((s) => s.days.includes(day)).map((s) => s.name);
  if (makeup && isWeekday(makeup.as)) return { date, weekday, kind: 'makeup', shifts: runsOn(makeup.as), as: makeup.as };
  if (form.calendar.holidays.includes(date)) return { date, weekday, kind: 'holiday', shifts: [], as: null };
  const shifts = runsOn(weekday);
  return { date, weekday, kind: shifts.length ? 'work' : 'noshift', shifts, as: null };
}

export function yearView(form: Pick<FormModel, 'shifts' | 'calendar'>, year: number): YearMonth[] {
  const months: YearMonth[] = [];
  for (let m = 1; m <= 12; m++) {
    const days: YearDay[] = [];
    for (let d = 1; d <= 31; d++) {
      const date = `${year}-${pad(m)}-${pad(d)}`;
      if (!isRealDate(date)) break;
      days.push(dayOf(form, date));
    }
    months.push({ month: m, lead: WEEKDAYS.indexOf(days[0].weekday), days });
  }
  return months;
}

/** The weekday a new make-up day works as: Monday's shifts, or else the first weekday that has any. */
export function makeupWeekday(form: Pick<FormModel, 'shifts'>): Weekday {
  return WEEKDAYS.find((d) => form.shifts.some((s) => s.days.includes(d))) ?? 'mon';
}

/**
 * One click on a day of the year view: a working day becomes a holiday, a holiday a working day again, a day
 * without shifts a make-up working day, and a make-up day an ordinary day again.
 */
export function toggleDay(form: FormModel, date: string): FormModel {
  const day = dayOf(form, date);
  const cal = form.calendar;
  switch (day.kind) {
    case 'work':
      return { ...form, calendar: { ...cal, holidays: [...cal.holidays, date].sort() } };
    case 'holiday':
      return { ...form, calendar: { ...cal, holidays: cal.holidays.filter((d) => d !== date) } };
    case 'noshift':
      return { ...form, calendar: { ...cal, workdays: [...cal.workdays, { date, as: makeupWeekday(form) }].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)) } };
    case 'makeup':
      return { ...form, calendar: { ...cal, workdays: cal.workdays.filter((w) => w.date !== date) } };
  }
}

/** Counts for the year's legend. */
export function yearCounts(months: readonly YearMonth[]): Record<DayKind, number> {
  const out: Record<DayKind, number> = { work: 0, holiday: 0, makeup: 0, noshift: 0 };
  for (const m of months) for (const d of m.days) out[d.kind]++;
  return out;
}
