// When the plant is not scheduled to produce: planned breaks and any time of day no shift covers.
// Works in the plant's timezone, day by day, so the simulator can run forward without an end date.
import { DateTime } from 'luxon';
import { minutesOf, type ShiftConfig } from '../../../shared/config.ts';

const DAY_MIN = 1440;

/** A planned stop [start, end) in epoch ms. */
export interface StopWindow {
  start: number;
  end: number;
}

/** Minute-of-day runs (start inclusive, end exclusive, 0…1440) where no shift is producing. */
export function idleMinuteRuns(shifts: readonly ShiftConfig[]): Array<[number, number]> {
  const productive = new Uint8Array(DAY_MIN);
  for (const s of shifts) {
    const start = minutesOf(s.start);
    // Same rule as the config check: end ≤ start crosses midnight, equal means a 24 h shift.
    const len = (minutesOf(s.end) - start + DAY_MIN) % DAY_MIN || DAY_MIN;
    for (let m = 0; m < len; m++) productive[(start + m) % DAY_MIN] = 1;
  }
  // Breaks are cleared after all shifts are laid down, so an overlapping shift can't re-open a break.
  for (const s of shifts) {
    for (const b of s.breaks) {
      const start = minutesOf(b.start);
      const len = (minutesOf(b.end) - start + DAY_MIN) % DAY_MIN;
      for (let m = 0; m < len; m++) productive[(start + m) % DAY_MIN] = 0;
    }
  }
  const runs: Array<[number, number]> = [];
  let m = 0;
  while (m < DAY_MIN) {
    if (productive[m]) {
      m++;
      continue;
    }
    const from = m;
    while (m < DAY_MIN && !productive[m]) m++;
    runs.push([from, m]);
  }
  return runs;
}

export interface Calendar {
  /**
   * The first planned stop that ends after `ts` (it may already have started); null if the plant never stops.
   * Calls must not go back in time: a cursor keeps each lookup O(1).
   */
  stopAfter(ts: number): StopWindow | null;
}

export function createCalendar(shifts: readonly ShiftConfig[], timezone: string, fromTs: number): Calendar {
  const runs = idleMinuteRuns(shifts);
  if (runs.length === 0) return { stopAfter: () => null };
  if (runs.length === 1 && runs[0][0] === 0 && runs[0][1] === DAY_MIN) {
    const forever: StopWindow = { start: -Infinity, end: Infinity };
    return { stopAfter: () => forever };
  }

  const windows: StopWindow[] = [];
  // Start a day early so a stop that began the evening before `fromTs` is seen whole.
  let nextDay = DateTime.fromMillis(fromTs, { zone: timezone }).startOf('day').minus({ days: 1 });
  let generatedUntil = nextDay.toMillis();
  let cursor = 0;

  const addDay = () => {
    for (const [from, to] of runs) {
      // Wall-clock hours and minutes, so a DST day keeps the configured local times.
      const s = nextDay.set({ hour: Math.floor(from / 60), minute: from % 60 }).toMillis();
      const end = (to === DAY_MIN ? nextDay.plus({ days: 1 }) : nextDay.set({ hour: Math.floor(to / 60), minute: to % 60 })).toMillis();
      const last = windows[windows.length - 1];
      // A stop that runs over midnight arrives as two runs (…–24:00 and 00:00–…): join them.
      if (last && last.end >= s) last.end = Math.max(last.end, end);
      else if (end > s) windows.push({ start: s, end });
    }
    nextDay = nextDay.plus({ days: 1 });
    generatedUntil = nextDay.toMillis();
  };

  return {
    stopAfter(ts) {
      for (;;) {
        // The last window may still grow when the next day is added (a stop over midnight), so the cursor
        // never moves past it, and it is only handed out once a later day exists.
        while (cursor < windows.length - 1 && windows[cursor].end <= ts) cursor++;
        const w = windows[cursor];
        if (w && w.end > ts && (cursor < windows.length - 1 || w.end < generatedUntil)) return w;
        addDay();
      }
    },
  };
}
