// Which production date and shift History shows, and how the shortcuts and the day buttons move it.
// Pure, so the skipping of days without a shift (CONTRACT §2.2) is unit-tested without a browser.
import type { ShiftCalendar, ShiftRef } from '../../../../shared/api.ts';
import { addDays } from '../../display.ts';

export const ALL_SHIFTS = 'ALL';

export interface Selection {
  date: string;
  shift: string;
}

export type Shortcut = 'this' | 'last' | 'yesterday';

/**
 * `calendar` is today's (asked without a date), from the server, which knows the plant's timezone and
 * working calendar. "Yesterday" is the last working day before today: after a weekend or a holiday it is
 * the last date that had a shift, never an empty day.
 */
export function shortcutSelection(kind: Shortcut, calendar: ShiftCalendar): Selection | null {
  if (kind === 'yesterday') return calendar.previousWorkday ? { date: calendar.previousWorkday, shift: ALL_SHIFTS } : null;
  const ref: ShiftRef | null = kind === 'this' ? calendar.current : calendar.last;
  return ref ? { date: ref.productionDate, shift: ref.name } : null;
}

/** Whether "yesterday" (the last working day) is the calendar's yesterday, or an earlier date the button must name. */
export function yesterdayIsLastWorkday(calendar: ShiftCalendar): boolean {
  return calendar.previousWorkday === addDays(calendar.today, -1);
}

/** History opens on the running shift; on a day off, on the last shift that ran; else on today. */
export function initialSelection(calendar: ShiftCalendar): Selection {
  return shortcutSelection('this', calendar) ?? shortcutSelection('last', calendar) ?? { date: calendar.today, shift: ALL_SHIFTS };
}

/**
 * The shift to ask for on the selected date: a shift that does not run that date (picked by hand on
 * another date, or a holiday) becomes the whole day, so the screen never asks for a shift with no instance.
 */
export function shiftOnDate(shift: string, shifts: readonly Pick<ShiftRef, 'name'>[]): string {
  return shift === ALL_SHIFTS || shifts.some((s) => s.name === shift) ? shift : ALL_SHIFTS;
}

/**
 * Where the previous/next day buttons lead from `dateCalendar` (the selected date's): the nearest date with
 * a shift, never past today (History shows what happened, not a plan). Null when there is none.
 */
export function stepDate(direction: 'previous' | 'next', dateCalendar: Pick<ShiftCalendar, 'previousWorkday' | 'nextWorkday'>, today: string | null): string | null {
  const target = direction === 'previous' ? dateCalendar.previousWorkday : dateCalendar.nextWorkday;
  if (target === null) return null;
  if (direction === 'next' && today !== null && target > today) return null;
  return target;
}
