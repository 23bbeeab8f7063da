// When the plant is not scheduled to produce: planned breaks, any time no shift covers, and days no
// shift runs on (CONTRACT §2.2: weekdays, holidays, make-up working days). Built from the same shift
// instances the figures use, one production date at a time, so the simulator can run forward without an
// end date and a DST night keeps the configured local times.
import { addDays, localDate, shiftInstancesOfDate, type Calendar as ShiftCalendar } from '../../../shared/shifts.ts';
import { unionWindows } from '../../../shared/figures.ts';

/** A planned stop [start, end) in epoch ms. */
export interface StopWindow {
  start: number;
  end: number;
}

export interface Calendar {
  /**
   * The first planned stop that ends after `ts` (it may already have started); null if the plant never stops.
   * Calls must not go back in time: a cursor keeps each lookup O(1).
   */
  stopAfter(ts: number): StopWindow | null;
}

/** Days looked ahead for the next productive minute: a plant closed longer than this counts as never producing. */
const MAX_CLOSED_DAYS = 60;

export function createCalendar(cal: ShiftCalendar, fromTs: number): Calendar {
  // Productive time: every shift instance minus its breaks, merged; a stop is the time between two of them.
  const productive: StopWindow[] = [];
  let nextDate = addDays(localDate(cal.timezone, fromTs), -2);
  let cursor = 0;

  const addDate = () => {
    for (const s of shiftInstancesOfDate(cal, nextDate)) {
      let at = s.start;
      for (const b of s.breaks) {
        if (b.start > at) productive.push({ start: at, end: b.start });
        at = Math.max(at, b.end);
      }
      if (s.end > at) productive.push({ start: at, end: s.end });
    }
    const merged = unionWindows(productive.splice(0));
    productive.push(...merged);
    nextDate = addDays(nextDate, 1);
  };

  for (let i = 0; i < MAX_CLOSED_DAYS + 2; i++) addDate();
  if (productive.length === 0) return { stopAfter: () => ({ start: -Infinity, end: Infinity }) };
  // A plant that never stops: one productive run that keeps joining the next day's.
  if (productive.length === 1 && shiftsCoverEveryMinute(cal)) return { stopAfter: () => null };

  return {
    stopAfter(ts) {
      // Keep MAX_CLOSED_DAYS of calendar ahead of `ts`, so a stop is only handed out once its end is known.
      while (productive[productive.length - 1].end < ts + MAX_CLOSED_DAYS * 86_400_000) {
        const before = productive.length;
        addDate();
        if (productive.length === before && nextDate > addDays(localDate(cal.timezone, ts), 10 * MAX_CLOSED_DAYS)) break;
      }
      while (cursor < productive.length - 1 && productive[cursor + 1].start <= ts) cursor++;
      const run = productive[cursor];
      // Before the first productive run (history that starts in a stop), the stop ends where it begins.
      if (ts < run.start) return { start: -Infinity, end: run.start };
      const next = productive[cursor + 1];
      return next ? { start: run.end, end: next.start } : { start: run.end, end: Infinity };
    },
  };
}

/** Whether the shifts leave no minute of any day unplanned (a round-the-clock plant with no breaks, every day). */
function shiftsCoverEveryMinute(cal: ShiftCalendar): boolean {
  if (cal.calendar?.holidays.length) return false;
  if (cal.shifts.some((s) => s.days && s.days.length < 7)) return false;
  const covered = new Uint8Array(1440);
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  for (const s of cal.shifts) {
    if (s.breaks?.length) continue;
    const start = minutes(s.start);
    const len = (minutes(s.end) - start + 1440) % 1440 || 1440;
    for (let m = 0; m < len; m++) covered[(start + m) % 1440] = 1;
  }
  return covered.every((c) => c === 1);
}
