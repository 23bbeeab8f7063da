import { describe, expect, it } from 'vitest';
import { demoConfig } from '../../shared/config.ts';
import {
  addDays,
  lastFinishedShift,
  localDate,
  normalizeBreaks,
  plannedSeconds,
  shiftAt,
  shiftInstancesOfDate,
  type Calendar,
} from '../../shared/shifts.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (isoText: string) => Date.parse(isoText);
const H = 3_600_000;

// Demo plant: Asia/Shanghai (UTC+8 all year), A 06–14 (break 10:00–10:30), B 14–22 (18:00–18:30), C 22–06 (02:00–02:30).
const shanghai: Calendar = { timezone: 'Asia/Shanghai', shifts: demoConfig().shifts };
const berlin: Calendar = { timezone: 'Europe/Berlin', shifts: demoConfig().shifts };

describe('shiftInstancesOfDate', () => {
  it('resolves the three demo shifts of a date in configured order, the night shift ending the next day', () => {
    const [a, b, c] = shiftInstancesOfDate(shanghai, '2026-03-10');
    expect([a.name, b.name, c.name]).toEqual(['A', 'B', 'C']);
    expect([iso(a.start), iso(a.end)]).toEqual(['2026-03-09T22:00:00.000Z', '2026-03-10T06:00:00.000Z']);
    expect(a.breaks.map((w) => [iso(w.start), iso(w.end)])).toEqual([['2026-03-10T02:00:00.000Z', '2026-03-10T02:30:00.000Z']]);
    expect([iso(b.start), iso(b.end)]).toEqual(['2026-03-10T06:00:00.000Z', '2026-03-10T14:00:00.000Z']);
    expect([iso(c.start), iso(c.end)]).toEqual(['2026-03-10T14:00:00.000Z', '2026-03-10T22:00:00.000Z']);
    expect(c.productionDate).toBe('2026-03-10');
  });

  it('puts a night-shift break after midnight on the next local day', () => {
    const c = shiftInstancesOfDate(shanghai, '2026-03-10')[2];
    // 02:00 local on 2026-03-11 = 18:00Z on 2026-03-10.
    expect(c.breaks.map((w) => [iso(w.start), iso(w.end)])).toEqual([['2026-03-10T18:00:00.000Z', '2026-03-10T18:30:00.000Z']]);
    expect(plannedSeconds(c)).toBe(7.5 * 3600);
  });

  it('keeps a break before midnight in a night shift on the production date', () => {
    const cal: Calendar = { timezone: 'Asia/Shanghai', shifts: [{ name: 'N', start: '20:00', end: '04:00', breaks: [{ start: '23:30', end: '00:30' }] }] };
    const [n] = shiftInstancesOfDate(cal, '2026-03-10');
    expect([iso(n.start), iso(n.end)]).toEqual(['2026-03-10T12:00:00.000Z', '2026-03-10T20:00:00.000Z']);
    expect(n.breaks.map((w) => [iso(w.start), iso(w.end)])).toEqual([['2026-03-10T15:30:00.000Z', '2026-03-10T16:30:00.000Z']]);
    expect(plannedSeconds(n)).toBe(7 * 3600);
  });

  it('reads end = start as a 24 h shift', () => {
    const cal: Calendar = { timezone: 'Asia/Shanghai', shifts: [{ name: 'D', start: '06:00', end: '06:00', breaks: [] }] };
    const [d] = shiftInstancesOfDate(cal, '2026-03-10');
    expect(d.end - d.start).toBe(24 * H);
  });

  it('follows the clocks on the spring DST night in Europe/Berlin (2026-03-29, 02:00 → 03:00)', () => {
    const [a, , c] = shiftInstancesOfDate(berlin, '2026-03-28');
    // 22:00 CET (UTC+1) on the 28th to 06:00 CEST (UTC+2) on the 29th: 7 real hours.
    expect([iso(c.start), iso(c.end)]).toEqual(['2026-03-28T21:00:00.000Z', '2026-03-29T04:00:00.000Z']);
    expect(c.end - c.start).toBe(7 * H);
    // 02:00–02:30 does not exist that night; luxon reads it as 03:00–03:30 CEST, still 30 minutes.
    expect(c.breaks.map((w) => [iso(w.start), iso(w.end)])).toEqual([['2026-03-29T01:00:00.000Z', '2026-03-29T01:30:00.000Z']]);
    expect(plannedSeconds(c)).toBe(6.5 * 3600);
    expect(a.end - a.start).toBe(8 * H);
    const a29 = shiftInstancesOfDate(berlin, '2026-03-29')[0];
    expect([iso(a29.start), iso(a29.end)]).toEqual(['2026-03-29T04:00:00.000Z', '2026-03-29T12:00:00.000Z']);
  });

  it('follows the clocks on the autumn DST night in Europe/Berlin (2026-10-25, 03:00 → 02:00)', () => {
    const c = shiftInstancesOfDate(berlin, '2026-10-24')[2];
    // 22:00 CEST (UTC+2) on the 24th to 06:00 CET (UTC+1) on the 25th: 9 real hours.
    expect([iso(c.start), iso(c.end)]).toEqual(['2026-10-24T20:00:00.000Z', '2026-10-25T05:00:00.000Z']);
    expect(c.end - c.start).toBe(9 * H);
    // 02:00 happens twice; luxon takes the second one, in CET.
    expect(c.breaks.map((w) => [iso(w.start), iso(w.end)])).toEqual([['2026-10-25T01:00:00.000Z', '2026-10-25T01:30:00.000Z']]);
    expect(plannedSeconds(c)).toBe(8.5 * 3600);
  });

  it('moves a shift that starts inside the spring gap an hour later but keeps its end', () => {
    const cal: Calendar = { timezone: 'Europe/Berlin', shifts: [{ name: 'E', start: '02:30', end: '10:00', breaks: [] }] };
    const [e] = shiftInstancesOfDate(cal, '2026-03-29');
    expect([iso(e.start), iso(e.end)]).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-29T08:00:00.000Z']);
  });
});

describe('shiftAt', () => {
  it('finds yesterday’s night shift after midnight', () => {
    // 01:00 local on 2026-03-11.
    const s = shiftAt(shanghai, ms('2026-03-11T01:00:00+08:00'));
    expect(s && [s.name, s.productionDate]).toEqual(['C', '2026-03-10']);
  });

  it('treats windows as [start, end)', () => {
    const atSix = shiftAt(shanghai, ms('2026-03-11T06:00:00+08:00'));
    expect(atSix && [atSix.name, atSix.productionDate]).toEqual(['A', '2026-03-11']);
    const justBefore = shiftAt(shanghai, ms('2026-03-11T06:00:00+08:00') - 1);
    expect(justBefore && [justBefore.name, justBefore.productionDate]).toEqual(['C', '2026-03-10']);
  });

  it('is null between shifts', () => {
    const cal: Calendar = { timezone: 'Asia/Shanghai', shifts: [{ name: 'Day', start: '08:00', end: '16:00', breaks: [] }] };
    expect(shiftAt(cal, ms('2026-03-11T20:00:00+08:00'))).toBeNull();
    expect(shiftAt(cal, ms('2026-03-11T16:00:00+08:00'))).toBeNull();
    expect(shiftAt(cal, ms('2026-03-11T15:59:59+08:00'))?.name).toBe('Day');
  });
});

describe('lastFinishedShift', () => {
  it('is the most recently ended instance, an end equal to ts counting as finished', () => {
    const morning = lastFinishedShift(shanghai, ms('2026-03-10T07:00:00+08:00'));
    expect(morning && [morning.name, morning.productionDate]).toEqual(['C', '2026-03-09']);
    const atTwo = lastFinishedShift(shanghai, ms('2026-03-10T14:00:00+08:00'));
    expect(atTwo && [atTwo.name, atTwo.productionDate]).toEqual(['A', '2026-03-10']);
  });

  it('looks two days back for a lone night shift still running', () => {
    const cal: Calendar = { timezone: 'Asia/Shanghai', shifts: [{ name: 'N', start: '22:00', end: '06:00', breaks: [] }] };
    // At 05:00 on the 10th the night shift of the 9th is still running; the last finished one began on the 8th.
    const s = lastFinishedShift(cal, ms('2026-03-10T05:00:00+08:00'));
    expect(s && [s.name, s.productionDate, iso(s.end)]).toEqual(['N', '2026-03-08', '2026-03-08T22:00:00.000Z']);
  });
});

describe('dates', () => {
  it('localDate uses the plant timezone', () => {
    expect(localDate('Asia/Shanghai', ms('2026-03-10T20:00:00Z'))).toBe('2026-03-11');
    expect(localDate('Europe/Berlin', ms('2026-03-10T20:00:00Z'))).toBe('2026-03-10');
  });

  it('addDays crosses months, years and leap days', () => {
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-10-25', 0)).toBe('2026-10-25');
  });
});

describe('plannedSeconds', () => {
  const a = shiftInstancesOfDate(shanghai, '2026-03-10')[0];

  it('is the window length minus breaks', () => {
    expect(plannedSeconds(a)).toBe(27_000);
  });

  it('counts only up to upTo, leaving out the part of a break already passed', () => {
    // 06:00 → 10:15 is 4 h 15 min, of which 15 min are break.
    expect(plannedSeconds(a, ms('2026-03-10T10:15:00+08:00'))).toBe(4 * 3600);
    expect(plannedSeconds(a, ms('2026-03-10T05:00:00+08:00'))).toBe(0);
    expect(plannedSeconds(a, ms('2026-03-10T23:00:00+08:00'))).toBe(27_000);
  });

  it('does not subtract overlapping breaks twice, nor break time outside the window', () => {
    const w = { start: 0, end: 10_000, breaks: [{ start: 1_000, end: 3_000 }, { start: 2_000, end: 4_000 }, { start: 9_000, end: 12_000 }] };
    // 10 s minus the union [1 s, 4 s) and the in-window part [9 s, 10 s).
    expect(plannedSeconds(w)).toBe(6);
    expect(normalizeBreaks(w, w.breaks)).toEqual([{ start: 1_000, end: 4_000 }, { start: 9_000, end: 10_000 }]);
  });
});
