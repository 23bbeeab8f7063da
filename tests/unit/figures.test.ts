import { describe, expect, it } from 'vitest';
import { demoConfig } from '../../shared/config.ts';
import {
  computeFigures,
  nearestRank,
  percentOf,
  stationOrder,
  taktIntervals,
  targetUnitsFor,
  type CycleSample,
  type FigureWindow,
  type Figures,
  type LineParams,
  type StateSample,
} from '../../shared/figures.ts';
import { formatFigure } from '../../shared/format.ts';
import { NO_FIGURES } from '../fixtures/figures.ts';
import { shiftInstancesOfDate, type Calendar } from '../../shared/shifts.ts';

const T0 = Date.parse('2026-03-10T06:00:00+08:00');
const at = (s: number) => T0 + s * 1000;
const cyc = (station: string, s: number, ok = true, cycleMs?: number): CycleSample => (cycleMs === undefined ? { station, ts: at(s), ok } : { station, ts: at(s), ok, cycleMs });
const st = (station: string, s: number, state: StateSample['state']): StateSample => ({ station, ts: at(s), state });

const vehicleLine: LineParams = { targetTaktS: 60, outputStation: 'eol', stations: ['body', 'paint', 'eol'] };

/** 10 minutes, break 05:00–06:00: planned 540 s. */
const tenMinutes: FigureWindow = { start: at(0), end: at(600), breaks: [{ start: at(300), end: at(360) }] };

const handWorkedCycles: CycleSample[] = [
  cyc('eol', -5), // before the window
  cyc('eol', 30, true, 40_000),
  cyc('eol', 90),
  cyc('eol', 150, false),
  cyc('eol', 200),
  cyc('eol', 290),
  cyc('eol', 370), // 290 → 370 overlaps the break: left out
  cyc('eol', 430),
  cyc('eol', 500),
  cyc('eol', 599),
  cyc('eol', 600), // window is [start, end): not counted
  cyc('body', 10, true, 50_000),
  cyc('body', 70, true, 52_000),
  cyc('body', 700, true, 999_999), // after the window: not in the bottleneck mean
  cyc('paint', 20, true, 55_000),
  cyc('paint', 80, true, 53_000),
];

const handWorkedStates: StateSample[] = [
  st('paint', -1000, 'running'),
  st('paint', 100, 'down'),
  st('paint', 130, 'running'),
  st('body', -50, 'running'),
  st('body', 120, 'down'), // overlaps paint's 100–130: union 100–150 = 50 s
  st('body', 150, 'running'),
  st('body', 320, 'down'), // inside the break: not downtime
  st('body', 340, 'running'),
  st('paint', 580, 'down'), // still down at the end: 20 s
];

describe('computeFigures on a hand-worked 10-minute window', () => {
  const f = computeFigures(vehicleLine, [tenMinutes], handWorkedCycles, handWorkedStates);

  it('counts units, good and rejects inside [start, end)', () => {
    expect([f.units, f.good, f.rejects]).toEqual([9, 8, 1]);
  });

  it('takes planned time and target from the window minus the break', () => {
    expect(f.plannedS).toBe(540);
    expect(f.targetUnits).toBe(9); // floor(540 / 60)
    expect(f.attainmentPct).toBe(100);
  });

  it('computes takt from the intervals that do not overlap the break', () => {
    // Intervals 60, 60, 50, 90, 60, 70, 99 → sorted 50 60 60 60 70 90 99.
    expect(f.meanTaktS).toBeCloseTo(489 / 7, 12);
    expect(formatFigure('meanTaktS', f.meanTaktS)).toBe('69.857');
    expect(f.p50TaktS).toBe(60); // rank ceil(3.5) = 4
    expect(f.p95TaktS).toBe(99); // rank ceil(6.65) = 7
    expect(f.onTargetPct).toBeCloseTo((100 * 4) / 7, 12);
  });

  it('counts overlapping downs once and down time in a break not at all', () => {
    expect(f.downtimeS).toBe(70);
  });

  it('derives availability, performance, quality and OEE', () => {
    expect(f.availabilityPct).toBeCloseTo((100 * 470) / 540, 12);
    expect(f.performancePct).toBeCloseTo((100 * 9 * 60) / 470, 12);
    expect(f.qualityPct).toBeCloseTo((100 * 8) / 9, 12);
    // A·P/100 is 100 here, so OEE = quality = 100 · good · ideal / planned.
    expect(f.oeePct).toBeCloseTo((100 * 8) / 9, 10);
    expect(['availabilityPct', 'performancePct', 'qualityPct', 'oeePct'].map((k) => formatFigure(k as keyof Figures, f[k as keyof Figures] as number))).toEqual([
      '87.0',
      '114.9',
      '88.9',
      '88.9',
    ]);
  });

  it('names the station with the highest mean cycle time in the window', () => {
    // body 51 000, paint 54 000, eol 40 000.
    expect(f.bottleneckStation).toBe('paint');
  });

  it('does not depend on the order events arrive in', () => {
    const reversed = computeFigures(vehicleLine, [tenMinutes], [...handWorkedCycles].reverse(), [...handWorkedStates].reverse());
    const interleaved = computeFigures(
      vehicleLine,
      [tenMinutes],
      handWorkedCycles.filter((_, i) => i % 2 === 1).concat(handWorkedCycles.filter((_, i) => i % 2 === 0)),
      handWorkedStates.filter((_, i) => i % 3 === 2).concat(handWorkedStates.filter((_, i) => i % 3 !== 2)),
    );
    expect(reversed).toEqual(f);
    expect(interleaved).toEqual(f);
  });
});

describe('computeFigures edge cases', () => {
  const cellLine: LineParams = { targetTaktS: 1, outputStation: 'grading', stations: ['winding', 'grading'] };
  const shiftA = shiftInstancesOfDate({ timezone: 'Asia/Shanghai', shifts: demoConfig().shifts }, '2026-03-10')[0];

  it('an empty shift has planned time and a target, but no rates', () => {
    const f = computeFigures(cellLine, [shiftA], [], []);
    expect(f).toEqual({ ...NO_FIGURES, plannedS: 27_000, targetUnits: 27_000, attainmentPct: 0, availabilityPct: 100, performancePct: 0 } satisfies Figures);
  });

  it('one unit gives quality but no takt interval', () => {
    const f = computeFigures(vehicleLine, [tenMinutes], [cyc('eol', 42)], []);
    expect([f.units, f.good, f.qualityPct, f.meanTaktS, f.p50TaktS, f.onTargetPct]).toEqual([1, 1, 100, null, null, null]);
    expect(f.performancePct).toBeCloseTo((100 * 60) / 540, 12);
    expect(f.attainmentPct).toBeCloseTo(100 / 9, 12);
    expect(f.bottleneckStation).toBeNull(); // no cycle_ms reported
  });

  it('all rejects make quality and OEE 0, not empty', () => {
    const f = computeFigures(vehicleLine, [tenMinutes], [cyc('eol', 10, false), cyc('eol', 70, false), cyc('eol', 130, false)], []);
    expect([f.units, f.good, f.rejects, f.qualityPct, f.oeePct]).toEqual([3, 0, 3, 0, 0]);
    expect([f.meanTaktS, f.p50TaktS, f.p95TaktS, f.onTargetPct]).toEqual([60, 60, 60, 100]);
  });

  it('a down period from before the window to after it takes all planned time', () => {
    const states = [st('paint', -3600, 'down'), st('paint', 4000, 'running')];
    const f = computeFigures(vehicleLine, [tenMinutes], [cyc('eol', 10)], states);
    expect(f.downtimeS).toBe(540);
    expect(f.availabilityPct).toBe(0);
    expect(f.performancePct).toBeNull(); // no up time to divide by
    expect(f.oeePct).toBeNull();
  });

  it('counts the state carried in from before the window, and any reporting station of the line', () => {
    // 'oven' is not configured but reports under the line; its down from 590 s counts 10 s.
    const states = [st('paint', -10, 'down'), st('paint', 15, 'idle'), st('oven', 590, 'down')];
    const f = computeFigures(vehicleLine, [tenMinutes], [], states);
    expect(f.downtimeS).toBe(25);
  });

  it('a window that is all break has no planned time and empty ratios', () => {
    const w: FigureWindow = { start: at(0), end: at(60), breaks: [{ start: at(0), end: at(60) }] };
    const f = computeFigures(vehicleLine, [w], [cyc('eol', 10), cyc('eol', 20)], [st('eol', 0, 'down')]);
    expect([f.plannedS, f.targetUnits, f.attainmentPct, f.availabilityPct, f.performancePct, f.downtimeS, f.units]).toEqual([0, 0, null, null, null, 0, 2]);
    expect(f.meanTaktS).toBeNull(); // the only interval lies in the break
  });

  it('an unconfigured line (no target) has no target figures and no OEE', () => {
    const line: LineParams = { targetTaktS: null, outputStation: 'eol', stations: [] };
    const f = computeFigures(line, [tenMinutes], [cyc('eol', 0), cyc('eol', 50), cyc('eol', 80)], []);
    expect([f.targetUnits, f.attainmentPct, f.onTargetPct, f.performancePct, f.oeePct]).toEqual([null, null, null, null, null]);
    expect([f.meanTaktS, f.p50TaktS, f.p95TaktS, f.qualityPct, f.availabilityPct]).toEqual([40, 30, 50, 100, 100]);
  });

  it('uses idealCycleS for performance when configured', () => {
    const f = computeFigures({ ...vehicleLine, idealCycleS: 54 }, [tenMinutes], [cyc('eol', 0), cyc('eol', 100)], []);
    expect(f.performancePct).toBe(20); // 100 · 2 · 54 / 540
    expect(f.targetUnits).toBe(9); // the target still comes from targetTaktS
  });

  it('leaves out takt intervals that overlap a break, keeps those that only meet its edges', () => {
    // Break [300, 360). (250, 300] ends where it starts: kept (50). (300, 360] overlaps: out. (360, 420] starts at its end: kept (60).
    const f = computeFigures(vehicleLine, [tenMinutes], [250, 300, 360, 420].map((s) => cyc('eol', s)), []);
    expect([f.meanTaktS, f.p50TaktS, f.p95TaktS, f.onTargetPct]).toEqual([55, 50, 60, 100]);
    expect(taktIntervals([250, 300, 360, 420].map(at), tenMinutes)).toEqual([50, 60]);
  });

  it('gives a zero interval for two units at the same millisecond', () => {
    expect(taktIntervals([at(10), at(10), at(12.5)], tenMinutes)).toEqual([0, 2.5]);
  });
});

describe('night shift and DST', () => {
  const cal: Calendar = { timezone: 'Asia/Shanghai', shifts: demoConfig().shifts };
  const c = shiftInstancesOfDate(cal, '2026-03-10')[2]; // 22:00 → 06:00, break 02:00–02:30 on the 11th
  const local = (text: string) => Date.parse(`${text}+08:00`);

  it('skips the interval across a break after midnight and its down time', () => {
    const cycles = ['2026-03-11T01:59:00', '2026-03-11T02:00:00', '2026-03-11T02:31:00', '2026-03-11T02:32:00'].map((t) => ({ station: 'eol', ts: local(t), ok: true }));
    // Down 01:50–02:40: 10 min before the break, 10 min after it.
    const states: StateSample[] = [
      { station: 'body', ts: local('2026-03-11T01:50:00'), state: 'down' },
      { station: 'body', ts: local('2026-03-11T02:40:00'), state: 'running' },
    ];
    const f = computeFigures(vehicleLine, [c], cycles, states);
    // (01:59, 02:00] meets the break's start: 60 s. (02:00, 02:31] overlaps it. (02:31, 02:32]: 60 s.
    expect([f.units, f.meanTaktS, f.p95TaktS]).toEqual([4, 60, 60]);
    expect(f.plannedS).toBe(27_000);
    expect(f.downtimeS).toBe(1200);
  });

  it('handles a break that itself spans midnight', () => {
    const n = shiftInstancesOfDate({ timezone: 'Asia/Shanghai', shifts: [{ name: 'N', start: '20:00', end: '04:00', breaks: [{ start: '23:30', end: '00:30' }] }] }, '2026-03-10')[0];
    const cycles = ['2026-03-10T23:29:00', '2026-03-10T23:30:00', '2026-03-10T23:45:00', '2026-03-11T00:30:00', '2026-03-11T00:31:00'].map((t) => ({ station: 'eol', ts: local(t), ok: true }));
    const states: StateSample[] = [
      { station: 'body', ts: local('2026-03-10T23:00:00'), state: 'down' },
      { station: 'body', ts: local('2026-03-11T01:00:00'), state: 'running' },
    ];
    const f = computeFigures(vehicleLine, [n], cycles, states);
    // A unit made during the break still counts; only (23:29, 23:30] and (00:30, 00:31] are takt intervals.
    expect([f.plannedS, f.targetUnits, f.units, f.meanTaktS, f.p95TaktS]).toEqual([25_200, 420, 5, 60, 60]);
    // Down 23:00–01:00 less the hour of break.
    expect(f.downtimeS).toBe(3600);
  });

  it('plans 7 h and 9 h shifts on the Europe/Berlin DST nights', () => {
    const berlin: Calendar = { timezone: 'Europe/Berlin', shifts: demoConfig().shifts };
    const spring = shiftInstancesOfDate(berlin, '2026-03-28')[2];
    const autumn = shiftInstancesOfDate(berlin, '2026-10-24')[2];
    // Down from 01:50 CET (00:50Z) to 03:40 CEST (01:40Z): 50 real minutes, 30 of them the break (03:00–03:30 CEST).
    const states: StateSample[] = [
      { station: 'body', ts: Date.parse('2026-03-29T00:50:00Z'), state: 'down' },
      { station: 'body', ts: Date.parse('2026-03-29T01:40:00Z'), state: 'running' },
    ];
    const fs = computeFigures(vehicleLine, [spring], [], states);
    expect([fs.plannedS, fs.targetUnits, fs.downtimeS]).toEqual([23_400, 390, 1200]);
    const fa = computeFigures(vehicleLine, [autumn], [], []);
    expect([fa.plannedS, fa.targetUnits]).toEqual([30_600, 510]);
  });
});

describe('the ALL row over several windows', () => {
  const line: LineParams = { targetTaktS: 3, outputStation: 'out', stations: ['a', 'out'] };
  const w1: FigureWindow = { start: at(0), end: at(10.5), breaks: [] };
  const w2: FigureWindow = { start: at(100), end: at(110.5), breaks: [] };
  const cycles = [0, 3, 6, 9, 100, 101, 105].map((s, i) => cyc('out', s, i !== 5));
  const states = [st('a', 9.5, 'down'), st('a', 101, 'running')];

  it('sums counts, planned and down time, and target units as a sum of floors', () => {
    const all = computeFigures(line, [w1, w2], cycles, states);
    const rows = [w1, w2].map((w) => computeFigures(line, [w], cycles, states));
    expect(all.plannedS).toBe(21);
    // floor(10.5 / 3) + floor(10.5 / 3) = 6, where floor(21 / 3) would be 7.
    expect(all.targetUnits).toBe(6);
    expect([all.units, all.good, all.rejects, all.downtimeS]).toEqual([7, 6, 1, 2]);
    for (const k of ['plannedS', 'units', 'good', 'rejects', 'targetUnits', 'downtimeS'] as const) {
      expect(all[k]).toBe((rows[0][k] as number) + (rows[1][k] as number));
    }
    expect(all.attainmentPct).toBeCloseTo(700 / 6, 12);
  });

  it('pools takt intervals per window, never across the gap between them', () => {
    // w1: 3, 3, 3; w2: 1, 4. The 91 s from 9 to 100 is no interval.
    const all = computeFigures(line, [w1, w2], cycles, states);
    expect([all.meanTaktS, all.p50TaktS, all.p95TaktS, all.onTargetPct]).toEqual([2.8, 3, 4, 80]);
  });

  it('takes ratios from the sums, not as a mean of the rows', () => {
    const all = computeFigures(line, [w1, w2], cycles, states);
    expect(all.availabilityPct).toBeCloseTo((100 * 19) / 21, 12);
    expect(all.qualityPct).toBeCloseTo((100 * 6) / 7, 12);
    expect(all.performancePct).toBeCloseTo((100 * 7 * 3) / 19, 12);
  });
});

describe('bottleneck', () => {
  const line: LineParams = { targetTaktS: 1, outputStation: 'z', stations: ['y', 'x', 'z'] };
  const w: FigureWindow = { start: at(0), end: at(100), breaks: [] };

  it('breaks ties by configured order, not by name', () => {
    const f = computeFigures(line, [w], [cyc('x', 1, true, 900), cyc('y', 2, true, 900), cyc('z', 3, true, 800)], []);
    expect(f.bottleneckStation).toBe('y');
  });

  it('puts unconfigured stations after configured ones, alphabetically', () => {
    const cycles = [cyc('q', 1, true, 900), cyc('p', 2, true, 500), cyc('p', 3, true, 1300), cyc('x', 4, true, 900)];
    expect(computeFigures(line, [w], cycles, []).bottleneckStation).toBe('x');
    expect(computeFigures({ ...line, stations: ['z'] }, [w], cycles, []).bottleneckStation).toBe('p');
    expect(stationOrder(['y', 'x'], ['q', 'x', 'p', 'q'])).toEqual(['y', 'x', 'p', 'q']);
  });

  it('ignores cycles without cycle_ms in the mean', () => {
    const f = computeFigures(line, [w], [cyc('x', 1, true, 700), cyc('x', 2), cyc('y', 3, true, 600)], []);
    expect(f.bottleneckStation).toBe('x');
  });
});

describe('small pieces', () => {
  it('targetUnitsFor floors, but not below an integer lost to binary rounding', () => {
    expect(targetUnitsFor(1800, 0.1)).toBe(18_000);
    expect(targetUnitsFor(0.3, 0.1)).toBe(3);
    expect(targetUnitsFor(10.5, 3)).toBe(3);
    expect(targetUnitsFor(59.999, 60)).toBe(0);
    expect(targetUnitsFor(100, null)).toBeNull();
  });

  it('nearestRank takes the value at rank ceil(p/100 · n)', () => {
    const v = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(nearestRank(v, 95)).toBe(19);
    expect(nearestRank(v, 50)).toBe(10);
    expect(nearestRank([7], 95)).toBe(7);
    expect(nearestRank([1, 2, 3], 50)).toBe(2);
    expect(nearestRank([], 50)).toBeNull();
  });
});

describe('percentOf', () => {
  it('is empty for a zero denominator rather than Infinity or NaN', () => {
    expect(percentOf(3, 4)).toBe(75);
    expect(percentOf(0, 4)).toBe(0);
    expect(percentOf(3, 0)).toBeNull();
    expect(percentOf(0, 0)).toBeNull();
  });
});
