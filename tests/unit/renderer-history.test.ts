import { describe, expect, it } from 'vitest';
import type { ShiftCalendar } from '../../shared/api.ts';
import { ALL_SHIFTS, initialSelection, shiftOnDate, shortcutSelection, stepDate, yesterdayIsLastWorkday } from '../../renderer/src/screens/history/selection.ts';
import { hourBarKind, hourLegend, progressOf } from '../../renderer/src/screens/history/progress.ts';

const ref = (name: string, productionDate: string) => ({ name, productionDate, start: 0, end: 1 });

function calendar(over: Partial<ShiftCalendar> = {}): ShiftCalendar {
  return {
    timezone: 'Asia/Shanghai',
    today: '2026-12-07',
    date: '2026-12-07',
    current: ref('A', '2026-12-07'),
    last: ref('C', '2026-12-06'),
    shifts: [ref('A', '2026-12-07'), ref('B', '2026-12-07')],
    previousWorkday: '2026-12-06',
    nextWorkday: '2026-12-08',
    ...over,
  };
}

describe('History shortcuts', () => {
  it('this shift and last shift come from the server calendar', () => {
    expect(shortcutSelection('this', calendar())).toEqual({ date: '2026-12-07', shift: 'A' });
    expect(shortcutSelection('last', calendar())).toEqual({ date: '2026-12-06', shift: 'C' });
    expect(shortcutSelection('this', calendar({ current: null }))).toBeNull();
  });

  it('yesterday is the last working day before today, skipping a weekend or holiday', () => {
    // Monday 2026-12-07 after a weekend without shifts: "yesterday" is Friday.
    const monday = calendar({ previousWorkday: '2026-12-04' });
    expect(shortcutSelection('yesterday', monday)).toEqual({ date: '2026-12-04', shift: ALL_SHIFTS });
    expect(yesterdayIsLastWorkday(monday)).toBe(false);
    expect(yesterdayIsLastWorkday(calendar())).toBe(true);
    expect(shortcutSelection('yesterday', calendar({ previousWorkday: null }))).toBeNull();
  });

  it('opens on the running shift, on a day off on the last shift, else on today', () => {
    expect(initialSelection(calendar())).toEqual({ date: '2026-12-07', shift: 'A' });
    expect(initialSelection(calendar({ current: null }))).toEqual({ date: '2026-12-06', shift: 'C' });
    expect(initialSelection(calendar({ current: null, last: null }))).toEqual({ date: '2026-12-07', shift: ALL_SHIFTS });
  });
});

describe('History shift on a date', () => {
  it('keeps a shift that runs that date and the whole day, and turns any other into the whole day', () => {
    const shifts = [{ name: 'A' }, { name: 'B' }];
    expect(shiftOnDate('A', shifts)).toBe('A');
    expect(shiftOnDate(ALL_SHIFTS, shifts)).toBe(ALL_SHIFTS);
    expect(shiftOnDate('C', shifts)).toBe(ALL_SHIFTS);
    // A holiday: no shift runs.
    expect(shiftOnDate('A', [])).toBe(ALL_SHIFTS);
  });
});

describe('History day buttons', () => {
  it('jump to the nearest working days, never past today', () => {
    const holiday = { previousWorkday: '2026-09-30', nextWorkday: '2026-10-08' };
    expect(stepDate('previous', holiday, '2026-12-07')).toBe('2026-09-30');
    expect(stepDate('next', holiday, '2026-12-07')).toBe('2026-10-08');
    expect(stepDate('next', { previousWorkday: '2026-12-06', nextWorkday: '2026-12-08' }, '2026-12-07')).toBeNull();
    expect(stepDate('next', { previousWorkday: '2026-12-05', nextWorkday: '2026-12-07' }, '2026-12-07')).toBe('2026-12-07');
    expect(stepDate('previous', { previousWorkday: null, nextWorkday: null }, '2026-12-07')).toBeNull();
  });
});

describe('History progress', () => {
  const H = 3_600_000;
  it('an in-progress shift says how far its figures go', () => {
    expect(progressOf({ status: 'in_progress', windows: [{ start: 0, end: 8 * H, soFarEnd: 3 * H }] })).toEqual({ status: 'in_progress', upTo: 3 * H, startsAt: null });
  });

  it('a day in progress goes as far as its latest shift, a shift not begun says when it starts', () => {
    const windows = [
      { start: 0, end: 8 * H, soFarEnd: 8 * H },
      { start: 8 * H, end: 16 * H, soFarEnd: 9 * H },
      { start: 16 * H, end: 24 * H, soFarEnd: 16 * H },
    ];
    expect(progressOf({ status: 'in_progress', windows }).upTo).toBe(9 * H);
    expect(progressOf({ status: 'not_started', windows: [windows[2]] })).toEqual({ status: 'not_started', upTo: null, startsAt: 16 * H });
    expect(progressOf({ status: 'complete', windows: [windows[0]] })).toEqual({ status: 'complete', upTo: null, startsAt: null });
  });
});

describe('hourly bars', () => {
  it('the hour in progress is never a missed hour, whatever its count', () => {
    expect(hourBarKind({ units: 0, targetUnits: 1200, inProgress: true })).toBe('in_progress');
    expect(hourBarKind({ units: 10, targetUnits: 3600, inProgress: false })).toBe('missed');
    expect(hourBarKind({ units: 3600, targetUnits: 3600, inProgress: false })).toBe('met');
    expect(hourBarKind({ units: 5, targetUnits: null, inProgress: false })).toBe('no_target');
  });

  it('the legend names what is drawn', () => {
    expect(hourLegend([{ units: 1, targetUnits: 2, inProgress: false }, { units: 0, targetUnits: 1, inProgress: true }])).toEqual({ missed: true, inProgress: true, target: true });
    expect(hourLegend([{ units: 5, targetUnits: 2, inProgress: false }])).toEqual({ missed: false, inProgress: false, target: true });
    expect(hourLegend([{ units: 5, targetUnits: null, inProgress: false }])).toEqual({ missed: false, inProgress: false, target: false });
  });
});
