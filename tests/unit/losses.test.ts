// CONTRACT §2.4 loss classes, down periods and first-out reasons on hand-computed fixtures: the worked
// example of /work/shared/EXAMPLES.md §1 (its CSV row and its stops), then one case per rule.
import { describe, expect, it } from 'vitest';
import { computeFigures, type CycleSample, type FigureWindow, type LineParams, type StateSample } from '../../shared/figures.ts';
import { dailyCsv } from '../../shared/csv.ts';
import {
  attributeWindow,
  classifyWindow,
  downPeriodsOf,
  emptyAttribution,
  emptyLosses,
  lossClassOf,
  stationDownPeriods,
  stopsOfWindow,
  topReason,
  type ClassifiedInterval,
  type CodeLookup,
  type StopCode,
} from '../../shared/losses.ts';
import { statesByStation, unionWindows } from '../../shared/figures.ts';
import { stopsCsv } from '../../shared/stops-csv.ts';

// EXAMPLES §1: timezone UTC, line demo-x, T = 2 s (S = 4 s, L = 120 s), stations press, pack (output pack),
// shift S 08:00–09:00 with a break 08:30–08:40, production date 2026-03-02.
const T0 = Date.parse('2026-03-02T08:00:00Z');
const at = (s: number) => T0 + Math.round(s * 1000);
const window: FigureWindow = { start: T0, end: at(3600), breaks: [{ start: at(1800), end: at(2400) }] };
const line: LineParams = { targetTaktS: 2, outputStation: 'pack', stations: ['press', 'pack'] };
const units = [0, 2, 3.5, 6.5, 16.5, 316.5, 318.5, 320.5, 482, 484, 486, 1799, 2401, 2403, 3120];
const cycles: CycleSample[] = units.map((s) => ({ station: 'pack', ts: at(s), ok: true }));
const states: StateSample[] = [
  { station: 'press', ts: at(360), state: 'down', reason: 'JAM' },
  { station: 'press', ts: at(420), state: 'running' },
  { station: 'press', ts: at(3000), state: 'down', reason: 'JAM' },
  { station: 'press', ts: at(3030), state: 'down', reason: 'JAM' },
  { station: 'press', ts: at(3060), state: 'running' },
  { station: 'pack', ts: at(390), state: 'down', reason: 'SENSOR' },
  { station: 'pack', ts: at(480), state: 'running' },
];

describe('EXAMPLES.md §1, worked by hand', () => {
  const figures = computeFigures(line, [window], cycles, states);

  it('gives the loss classes, downtime and first-out reason of the example', () => {
    expect(figures).toMatchObject({
      plannedS: 3000,
      units: 15,
      targetUnits: 1500,
      downtimeS: 180,
      slowCycles: 1,
      slowCycleLossS: 1,
      smallStops: 1,
      smallStopLossS: 8,
      unreportedStops: 2,
      unreportedStopLossS: 1609,
      topDownReason: 'JAM',
      topDownReasonS: 120,
    });
  });

  it('writes the example CSV row byte for byte', () => {
    const csv = dailyCsv([{ date: '2026-03-02', shift: 'S', line: 'demo-x', lineName: 'Example line', targetTaktS: 2, status: 'complete', figures }]);
    expect(csv.split('\r\n')[1]).toBe(
      '2026-03-02,S,demo-x,Example line,2.000,3000.0,15,15,0,1500,1.0,193.692,2.000,1313.000,53.8,180.0,94.0,1.1,100.0,1.0,,complete,1,1.0,1,8.0,2,1609.0,JAM,120.0',
    );
  });

  it('lists the example stops in order, as the stops CSV rows', () => {
    const periods = downPeriodsOf(statesByStation(states), line.stations);
    const classified: ClassifiedInterval[] = [];
    classifyWindow(cycles.map((c) => c.ts), window, unionWindows(periods), { T: 2, S: 4, L: 120 }, emptyLosses(), (i) => classified.push(i));
    const stops = stopsOfWindow(periods, classified, window, line.stations);
    const csv = stopsCsv(
      [{ date: '2026-03-02', shift: 'S', line: 'demo-x', stops }],
      'UTC',
    );
    expect(csv.split('\r\n').slice(1, -1)).toEqual([
      '2026-03-02,S,demo-x,,unreported_stop,2026-03-02T08:00:16.500+00:00,2026-03-02T08:05:16.500+00:00,300.0,unspecified,none,',
      '2026-03-02,S,demo-x,press,down,2026-03-02T08:06:00.000+00:00,2026-03-02T08:07:00.000+00:00,60.0,JAM,machine,',
      '2026-03-02,S,demo-x,pack,down,2026-03-02T08:06:30.000+00:00,2026-03-02T08:08:00.000+00:00,90.0,SENSOR,machine,',
      '2026-03-02,S,demo-x,,unreported_stop,2026-03-02T08:08:06.000+00:00,2026-03-02T08:29:59.000+00:00,1313.0,unspecified,none,',
      '2026-03-02,S,demo-x,press,down,2026-03-02T08:50:00.000+00:00,2026-03-02T08:51:00.000+00:00,60.0,JAM,machine,',
    ]);
  });
});

describe('down periods (CONTRACT §2.4)', () => {
  const st = (ts: number, state: StateSample['state'], reason?: string): StateSample => ({ station: 'a', ts, state, reason });

  it('continues a period through a repeated down with the same reason, and splits it on another reason', () => {
    expect(stationDownPeriods([st(0, 'down', 'JAM'), st(10, 'down', 'JAM'), st(20, 'down', 'HEAT'), st(30, 'running')]).map(({ start, end, reason }) => [start, end, reason])).toEqual([
      [0, 20, 'JAM'],
      [20, 30, 'HEAT'],
    ]);
  });

  it('takes a missing or empty reason as unspecified (source none), and keeps a period open while down', () => {
    const [p, q] = stationDownPeriods([st(0, 'down'), st(5, 'down', ''), st(9, 'idle'), st(12, 'down', 'E-STOP')]);
    expect(p).toMatchObject({ start: 0, end: 9, reason: 'unspecified', source: 'none' });
    expect(q).toMatchObject({ start: 12, end: Infinity, reason: 'E-STOP', source: 'machine' });
  });

  it('lets an operator code replace the reason, never the bounds', () => {
    const code: CodeLookup = (station, start) => (station === 'a' && start === 0 ? ({ reason: 'Material', comment: 'coil empty', by: 'op1' } as StopCode) : undefined);
    expect(stationDownPeriods([st(0, 'down', 'JAM'), st(30, 'running')], code)).toEqual([
      { station: 'a', start: 0, end: 30, reason: 'Material', source: 'operator', comment: 'coil empty', codedBy: 'op1' },
    ]);
  });
});

describe('loss classes at the thresholds', () => {
  const th = { T: 1, S: 2, L: 120 };
  it('is on target at T, slow up to S, a small stop up to L, an unreported stop above', () => {
    expect([1000, 1001, 2000, 2001, 120_000, 120_001].map((ms) => lossClassOf(ms, th))).toEqual([
      'on_target',
      'slow_cycle',
      'slow_cycle',
      'small_stop',
      'small_stop',
      'unreported_stop',
    ]);
    // A 0.3 s target is met by a 300 ms interval, though 0.3 * 1000 is not 300 in binary.
    expect(lossClassOf(300, { T: 0.3, S: 0.6, L: 120 })).toBe('on_target');
  });

  it('defaults S to 2 T and L to max(120, 5 T): a 1 s and a 60 s line', () => {
    const f = (targetTaktS: number, gapsS: number[]) => {
      const ts = [0];
      for (const g of gapsS) ts.push(ts[ts.length - 1] + g * 1000);
      return computeFigures({ targetTaktS, outputStation: 'o', stations: ['o'] }, [{ start: 0, end: ts[ts.length - 1] + 1, breaks: [] }], ts.map((t) => ({ station: 'o', ts: t, ok: true })), []);
    };
    // 1 s line: S = 2, L = 120.
    expect(f(1, [1, 2, 3, 120, 121])).toMatchObject({ slowCycles: 1, slowCycleLossS: 1, smallStops: 2, smallStopLossS: 2 + 119, unreportedStops: 1, unreportedStopLossS: 120 });
    // 60 s line: S = 120, L = 300.
    expect(f(60, [60, 120, 121, 300, 301])).toMatchObject({ slowCycles: 1, slowCycleLossS: 60, smallStops: 2, smallStopLossS: 61 + 240, unreportedStops: 1, unreportedStopLossS: 241 });
  });
});

describe('first-out attribution', () => {
  it('gives overlapping downs of two stations to the one that went down first, ties in configured order', () => {
    const states: StateSample[] = [
      { station: 'b', ts: 0, state: 'down', reason: 'B' },
      { station: 'a', ts: 0, state: 'down', reason: 'A' },
      { station: 'b', ts: 10_000, state: 'running' },
      { station: 'a', ts: 30_000, state: 'running' },
    ];
    const periods = downPeriodsOf(statesByStation(states), ['a', 'b']);
    const attr = emptyAttribution();
    attributeWindow(periods, { start: 0, end: 60_000, breaks: [] }, attr);
    // Both went down at 0: a comes first in the configured order and takes every second.
    expect([...attr.ms]).toEqual([['A', 30_000]]);
  });

  it('leaves breaks out, cuts at the window, and breaks a tie between reasons by who came first', () => {
    const states: StateSample[] = [
      { station: 'a', ts: 0, state: 'down', reason: 'X' },
      { station: 'a', ts: 20_000, state: 'running' },
      { station: 'a', ts: 40_000, state: 'down', reason: 'Y' },
    ];
    const periods = downPeriodsOf(statesByStation(states), ['a']);
    // Window 5 s … 60 s with a break 10 s … 15 s: X has 5 … 20 less the break = 10 s, Y 40 … 60 = 20 s.
    const attr = emptyAttribution();
    attributeWindow(periods, { start: 5_000, end: 60_000, breaks: [{ start: 10_000, end: 15_000 }] }, attr);
    expect(Object.fromEntries(attr.ms)).toEqual({ X: 10_000, Y: 20_000 });
    expect(topReason(attr)).toEqual({ reason: 'Y', ms: 20_000 });
    const tie = emptyAttribution();
    attributeWindow(periods, { start: 10_000, end: 50_000, breaks: [] }, tie);
    expect(Object.fromEntries(tie.ms)).toEqual({ X: 10_000, Y: 10_000 });
    expect(topReason(tie)?.reason).toBe('X');
  });

  it('splits a down across a shift edge into a row per shift, and leaves one wholly inside a break out of the stops', () => {
    const states: StateSample[] = [
      { station: 'a', ts: 50_000, state: 'down', reason: 'X' },
      { station: 'a', ts: 70_000, state: 'running' },
      { station: 'a', ts: 80_000, state: 'down', reason: 'LUNCH' },
      { station: 'a', ts: 85_000, state: 'running' },
    ];
    const periods = downPeriodsOf(statesByStation(states), ['a']);
    const first = { start: 0, end: 60_000, breaks: [] };
    const second = { start: 60_000, end: 120_000, breaks: [{ start: 75_000, end: 90_000 }] };
    expect(stopsOfWindow(periods, [], first, ['a']).map((s) => [s.start, s.end, s.durationMs])).toEqual([[50_000, 60_000, 10_000]]);
    expect(stopsOfWindow(periods, [], second, ['a']).map((s) => [s.start, s.end, s.durationMs, s.stopStart])).toEqual([[60_000, 70_000, 10_000, 50_000]]);
    const f = computeFigures({ targetTaktS: 1, outputStation: 'o', stations: ['a', 'o'] }, [first, second], [], states);
    expect(f).toMatchObject({ downtimeS: 20, topDownReason: 'X', topDownReasonS: 20 });
  });
});
