import { describe, expect, it } from 'vitest';
import { demoConfig } from '../../shared/config.ts';
import type { CycleSample, FigureWindow, LineParams, StateSample } from '../../shared/figures.ts';
import { hourlyBuckets, stateTimeline, stationStats, taktHistogram } from '../../shared/history.ts';
import { shiftInstancesOfDate } from '../../shared/shifts.ts';

const local = (t: string) => Date.parse(`2026-03-10T${t}+08:00`);
const T0 = local('06:00:00');
const at = (s: number) => T0 + s * 1000;
const line: LineParams = { targetTaktS: 60, outputStation: 'eol', stations: ['body', 'paint', 'eol'] };

describe('hourlyBuckets', () => {
  it('gives a shift 8 hourly buckets with the break taken off its hour’s target', () => {
    const a = shiftInstancesOfDate({ timezone: 'Asia/Shanghai', shifts: demoConfig().shifts }, '2026-03-10')[0];
    const buckets = hourlyBuckets(line, a, []);
    expect(buckets).toHaveLength(8);
    expect(buckets.map((b) => b.targetUnits)).toEqual([60, 60, 60, 60, 30, 60, 60, 60]);
    expect([buckets[4].start, buckets[4].end]).toEqual([local('10:00:00'), local('11:00:00')]);
    expect(buckets.every((b) => b.units === 0)).toBe(true);
  });

  it('starts buckets at the window start and cuts the last one at its end', () => {
    const w: FigureWindow = { start: local('06:30:00'), end: local('09:00:00'), breaks: [] };
    const cycles: CycleSample[] = [
      { station: 'eol', ts: local('06:30:00'), ok: true },
      { station: 'eol', ts: local('07:29:59'), ok: false },
      { station: 'eol', ts: local('07:30:00'), ok: true },
      { station: 'eol', ts: local('08:59:59'), ok: true },
      { station: 'eol', ts: local('09:00:00'), ok: true }, // at the end: outside
      { station: 'body', ts: local('07:00:00'), ok: true }, // not the output station
    ];
    expect(hourlyBuckets(line, w, cycles)).toEqual([
      { start: local('06:30:00'), end: local('07:30:00'), units: 2, targetUnits: 60, inProgress: false },
      { start: local('07:30:00'), end: local('08:30:00'), units: 1, targetUnits: 60, inProgress: false },
      { start: local('08:30:00'), end: local('09:00:00'), units: 1, targetUnits: 30, inProgress: false },
    ]);
  });

  it('lists only the hours begun so far, the current one cut at now and marked in progress (CONTRACT §2.3)', () => {
    const w: FigureWindow = { start: local('06:30:00'), end: local('09:00:00'), breaks: [{ start: local('07:40:00'), end: local('07:50:00') }] };
    const cycles: CycleSample[] = [
      { station: 'eol', ts: local('07:31:00'), ok: true },
      { station: 'eol', ts: local('07:59:59'), ok: true },
      { station: 'eol', ts: local('08:00:00'), ok: true }, // after now: not counted yet
    ];
    const buckets = hourlyBuckets(line, w, cycles, local('08:00:00'));
    expect(buckets).toEqual([
      { start: local('06:30:00'), end: local('07:30:00'), units: 0, targetUnits: 60, inProgress: false },
      // 30 minutes so far, 10 of them a break: the target so far is 20, not 60 — the hour is not "missed".
      { start: local('07:30:00'), end: local('08:00:00'), units: 2, targetUnits: 20, inProgress: true },
    ]);
    expect(hourlyBuckets(line, w, cycles, local('06:30:00'))).toEqual([]);
    expect(hourlyBuckets(line, w, cycles, local('10:00:00'))).toHaveLength(3);
  });

  it('has no target for an unconfigured line and no buckets for an empty window', () => {
    const w: FigureWindow = { start: at(0), end: at(5400), breaks: [] };
    expect(hourlyBuckets({ ...line, targetTaktS: null }, w, []).map((b) => b.targetUnits)).toEqual([null, null]);
    expect(hourlyBuckets(line, { start: at(10), end: at(10), breaks: [] }, [])).toEqual([]);
  });
});

describe('taktHistogram', () => {
  it('bins 0 … 3 × target in 30 bins, with an overflow bin up to the largest interval', () => {
    const bins = taktHistogram([0.05, 0.1, 0.3, 0.7, 0.95, 1, 1, 2.99, 3, 4.5], 1);
    expect(bins).toHaveLength(31);
    expect(bins[0]).toEqual({ fromS: 0, toS: 0.1, count: 1 });
    expect(bins[1]).toEqual({ fromS: 0.1, toS: 0.2, count: 1 });
    expect(bins[3]).toEqual({ fromS: 0.3, toS: 0.4, count: 1 }); // 0.3 sits on its lower edge
    expect(bins[7].count).toBe(1);
    expect(bins[9].count).toBe(1);
    expect(bins[10]).toEqual({ fromS: 1, toS: 1.1, count: 2 });
    expect(bins[29]).toEqual({ fromS: 2.9, toS: 3, count: 1 });
    expect(bins[30]).toEqual({ fromS: 3, toS: 4.5, count: 2 });
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(10);
  });

  it('leaves out the overflow bin when nothing reaches 3 × target', () => {
    const bins = taktHistogram([50, 60, 61, 179.9], 60);
    expect(bins).toHaveLength(30);
    expect([bins[8].count, bins[10].count, bins[29].count]).toEqual([1, 2, 1]);
    expect(bins[29]).toEqual({ fromS: 174, toS: 180, count: 1 });
  });

  it('without a target spans 0 … largest interval, the last bin including it', () => {
    const bins = taktHistogram([0, 3, 6, 30], null);
    expect(bins).toHaveLength(30);
    expect([bins[0].count, bins[3].count, bins[6].count, bins[29].count]).toEqual([1, 1, 1, 1]);
    expect(bins[29]).toEqual({ fromS: 29, toS: 30, count: 1 });
  });

  it('handles no intervals and all-zero intervals', () => {
    expect(taktHistogram([], 1)).toEqual([]);
    expect(taktHistogram([0, 0], null)).toEqual([{ fromS: 0, toS: 0, count: 2 }]);
  });
});

describe('stateTimeline', () => {
  const w = { start: at(0), end: at(100) };
  const st = (station: string, s: number, state: StateSample['state']): StateSample => ({ station, ts: at(s), state });
  const states = [st('a', 50, 'idle'), st('a', 30, 'down'), st('b', 40, 'running'), st('a', -10, 'running'), st('a', 20, 'down'), st('z', 90, 'down'), st('a', 100, 'down')];

  it('covers the window per station, carrying in the earlier state and merging repeats', () => {
    expect(stateTimeline(['a', 'b', 'c'], w, states)).toEqual([
      {
        station: 'a',
        segments: [
          { start: at(0), end: at(20), state: 'running' },
          { start: at(20), end: at(50), state: 'down' },
          { start: at(50), end: at(100), state: 'idle' },
        ],
      },
      {
        station: 'b',
        segments: [
          { start: at(0), end: at(40), state: 'unknown' },
          { start: at(40), end: at(100), state: 'running' },
        ],
      },
      { station: 'c', segments: [{ start: at(0), end: at(100), state: 'unknown' }] },
      {
        station: 'z',
        segments: [
          { start: at(0), end: at(90), state: 'unknown' },
          { start: at(90), end: at(100), state: 'down' },
        ],
      },
    ]);
  });

  it('starts with an event at the window start itself', () => {
    expect(stateTimeline(['a'], w, [st('a', 0, 'changeover')])[0].segments).toEqual([{ start: at(0), end: at(100), state: 'changeover' }]);
  });
});

describe('stationStats', () => {
  it('gives each station its mean cycle time, cycle count and own down time outside breaks', () => {
    const w: FigureWindow = { start: at(0), end: at(600), breaks: [{ start: at(300), end: at(360) }] };
    const cycles: CycleSample[] = [
      { station: 'body', ts: at(10), ok: true, cycleMs: 1000 },
      { station: 'body', ts: at(20), ok: true, cycleMs: 2000 },
      { station: 'body', ts: at(30), ok: true },
      { station: 'eol', ts: at(40), ok: false, cycleMs: 500.25 },
      { station: 'oven', ts: at(700), ok: true, cycleMs: 9000 }, // outside the window
    ];
    const states: StateSample[] = [
      { station: 'body', ts: at(100), state: 'down' },
      { station: 'body', ts: at(130), state: 'running' },
      { station: 'paint', ts: at(320), state: 'down' }, // in the break
      { station: 'paint', ts: at(340), state: 'running' },
      { station: 'fan', ts: at(590), state: 'down' }, // unconfigured, still down at the end
    ];
    expect(stationStats(line, [w], cycles, states)).toEqual([
      { id: 'body', meanCycleMs: 1500, cycles: 3, downtimeS: 30 },
      { id: 'paint', meanCycleMs: null, cycles: 0, downtimeS: 0 },
      { id: 'eol', meanCycleMs: 500.25, cycles: 1, downtimeS: 0 },
      { id: 'fan', meanCycleMs: null, cycles: 0, downtimeS: 10 },
    ]);
  });
});
