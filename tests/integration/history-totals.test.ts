// History reads the output station row by row and every other station as totals (per-minute rollups, or one
// SQL aggregate when a window edge is not on a whole minute). These tests hold that form to the raw rows on a
// generated mixed day: the simulator's two demo lines plus a station with fractional cycle_ms, cycles without
// cycle_ms, a station the configuration does not list (it takes no part: CONTRACT §1.4), an unconfigured
// line, overlapping shifts, and raw events pruned under the rollups.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONFIG_INPUT, type Config, configOrThrow } from '../../shared/config.ts';
import { computeFigures, stationCycles, taktIntervals, type FigureWindow, type LineParams } from '../../shared/figures.ts';
import { hourlyBuckets, stateTimeline, stationStats, taktHistogram } from '../../shared/history.ts';
import { shiftInstancesOfDate } from '../../shared/shifts.ts';
import { dailyCsv, type CsvRow } from '../../shared/csv.ts';
import type { TelemetryEvent } from '../../shared/telemetry.ts';
import { createSimulator } from '../../main/core/simulator/simulator.ts';
import { Store } from '../../main/core/store/store.ts';
import { cycleTotals } from '../../main/core/store/reads.ts';
import { historyView, dailyCsvOf } from '../../main/core/history.ts';
import { singleVersion } from '../../shared/versions.ts';
import { useTempDirs } from '../helpers/tmp.ts';

const tempDir = useTempDirs();
const DATE = '2026-03-10';
const local = (t: string) => Date.parse(`${DATE}T${t}+08:00`);

/** Long after the day: every shift is complete. */
const NOW = Date.parse('2026-03-12T00:00:00Z');

function mixedConfig(): Config {
  const [cell, car] = DEMO_CONFIG_INPUT.lines;
  return configOrThrow({
    ...DEMO_CONFIG_INPUT,
    lines: [{ ...cell, stations: [...cell.stations, 'rework'] }, car],
    shifts: [
      { name: 'A', start: '06:00', end: '07:00', breaks: [{ start: '06:30', end: '06:40' }] },
      { name: 'B', start: '07:00', end: '08:30', breaks: [{ start: '07:45', end: '07:50' }] },
      { name: 'C', start: '08:15', end: '09:00', breaks: [] },
    ],
  });
}

/** The pre-totals History, from every raw row through the same shared functions: the oracle. */
function rawView(store: Store, config: Config, shift: string) {
  const all = shiftInstancesOfDate(config, DATE);
  const windows: FigureWindow[] = (shift === 'ALL' ? all : all.filter((s) => s.name === shift)).map((s) => ({ start: s.start, end: s.end, breaks: s.breaks }));
  const from = Math.min(...windows.map((w) => w.start));
  const to = Math.max(...windows.map((w) => w.end));
  const ids = config.lines.map((l) => l.id);
  for (const id of store.reads.linesSeen()) if (!ids.includes(id)) ids.push(id);
  return ids.map((id) => {
    const cfg = config.lines.find((l) => l.id === id);
    const params: LineParams = cfg
      ? { targetTaktS: cfg.targetTaktS, idealCycleS: cfg.idealCycleS, outputStation: cfg.outputStation, stations: cfg.stations }
      : { targetTaktS: null, outputStation: '', stations: [] };
    const counted = cfg ? cfg.stations : store.reads.stationsSeen(id);
    const cycles = store.reads.cycles(id, counted, from, to);
    const states = store.reads.states(id, counted, from, to);
    const stationIds = cfg ? cfg.stations : [...new Set([...cycles.map((c) => c.station), ...states.map((s) => s.station)])];
    const outTs = cycles.filter((c) => c.station === params.outputStation).map((c) => c.ts);
    return {
      id,
      figures: computeFigures(params, windows, cycles, states),
      hourly: windows.flatMap((w) => hourlyBuckets(params, w, cycles)),
      taktHistogram: taktHistogram(windows.flatMap((w) => taktIntervals(outTs, w)), cfg?.targetTaktS ?? null),
      stations: stationStats({ ...params, stations: stationIds }, windows, cycles, states),
      timeline: stateTimeline(stationIds, windows.length === 1 ? windows[0] : { start: from, end: to, breaks: [] }, states),
    };
  });
}

function rawCsv(store: Store, config: Config): string {
  const instances = shiftInstancesOfDate(config, DATE);
  const windows = instances.map((s) => ({ start: s.start, end: s.end, breaks: s.breaks }));
  const from = Math.min(...windows.map((w) => w.start));
  const to = Math.max(...windows.map((w) => w.end));
  const rows: CsvRow[] = [];
  for (const line of config.lines) {
    const params: LineParams = { targetTaktS: line.targetTaktS, idealCycleS: line.idealCycleS, outputStation: line.outputStation, stations: line.stations };
    const cycles = store.reads.cycles(line.id, line.stations, from, to);
    const states = store.reads.states(line.id, line.stations, from, to);
    const row = (shift: string, ws: FigureWindow[]): CsvRow => ({ date: DATE, shift, line: line.id, lineName: line.name, targetTaktS: line.targetTaktS, status: 'complete', figures: computeFigures(params, ws, cycles, states) });
    instances.forEach((s, i) => rows.push(row(s.name, [windows[i]])));
    rows.push(row('ALL', windows));
  }
  return dailyCsv(rows);
}

function fastView(store: Store, config: Config, shift: string) {
  return historyView(store.reads, { versions: singleVersion(config), date: DATE, shift, now: NOW }).lines.map(({ id, figures, hourly, taktHistogram, stations, timeline }) => ({ id, figures, hourly, taktHistogram, stations, timeline }));
}

describe('History from totals equals History from raw rows (generated mixed day)', () => {
  const config = mixedConfig();
  let store: Store;

  beforeAll(() => {
    store = Store.open(path.join(tempDir('history-totals'), 'day.sqlite'), { synchronous: 'NORMAL', quarantineRows: 100 });
    const from = local('05:50:00');
    const to = local('09:10:00');
    const sim = createSimulator(config, { startTs: from, seed: 11, boot: 'mixed' });
    for (let t = from; t < to; t = Math.min(to, t + 15 * 60_000)) store.writer.commitEvents(sim.advanceTo(Math.min(to, t + 15 * 60_000) - 1).map((m) => m.event), to);
    const extra: TelemetryEvent[] = [];
    let seq = 0;
    // A station with fractional cycle_ms in B (the rollups must step aside there), some without any.
    for (let ts = local('06:20:00') + 137; ts < local('08:40:00'); ts += 9_337) {
      const frac = ts > local('07:10:00') && ts < local('07:30:00');
      extra.push({ line: 'yibin-cell-1', station: 'rework', kind: 'cycle', ts, seq: seq++, boot: 'x', ok: seq % 7 !== 0, ...(seq % 5 === 0 ? {} : { cycleMs: frac ? 1234.5678 + seq / 3 : 1500 + (seq % 13) }) });
    }
    // A station the configuration does not list: stored, but no part of the line's figures (a huge cycle_ms
    // would be the bottleneck and a `down` the line's downtime if it counted).
    extra.push({ line: 'yibin-cell-1', station: 'stray', kind: 'cycle', ts: local('06:30:00'), seq: seq++, boot: 'x', ok: true, cycleMs: 9e6 });
    extra.push({ line: 'yibin-cell-1', station: 'stray', kind: 'state', ts: local('06:05:00'), seq: seq++, boot: 'x', state: 'down' });
    // A line only telemetry names.
    for (let ts = local('05:58:00'); ts < local('08:55:00'); ts += 41_003) {
      extra.push({ line: 'ghost', station: 'g2', kind: 'cycle', ts, seq: seq++, boot: 'x', ok: true, cycleMs: 3000 + (seq % 17) });
      extra.push({ line: 'ghost', station: 'g1', kind: 'cycle', ts: ts + 500, seq: seq++, boot: 'x', ok: seq % 3 !== 0, cycleMs: 2999 });
    }
    extra.push({ line: 'ghost', station: 'g1', kind: 'state', ts: local('06:10:00'), seq: seq++, boot: 'x', state: 'down' });
    extra.push({ line: 'ghost', station: 'g1', kind: 'state', ts: local('06:15:30'), seq: seq++, boot: 'x', state: 'running' });
    store.writer.commitEvents(extra, to);
  });
  afterAll(() => store?.close());

  it('gives the same shift views, day view and daily CSV', () => {
    // The stray station is stored, and is no part of any figure.
    expect(store.reads.stationsSeen('yibin-cell-1')).toContain('stray');
    expect(fastView(store, config, 'ALL')[0].stations.map((s) => s.id)).toEqual(config.lines[0].stations);
    for (const shift of ['A', 'B', 'C', 'ALL']) expect(fastView(store, config, shift)).toEqual(rawView(store, config, shift));
    expect(dailyCsvOf(store.reads, { versions: singleVersion(config), date: DATE, now: NOW }).csv).toBe(rawCsv(store, config));
  });

  it('gives the same figures and station table for windows on and off whole minutes', () => {
    const line = config.lines[0];
    const params: LineParams = { targetTaktS: line.targetTaktS, outputStation: line.outputStation, stations: line.stations };
    const windowSets: FigureWindow[][] = [
      [{ start: local('06:00:00'), end: local('06:45:00'), breaks: [{ start: local('06:30:00'), end: local('06:40:00') }] }],
      [{ start: local('06:00:00') + 1, end: local('06:45:00'), breaks: [] }],
      [{ start: local('06:07:13') + 250, end: local('07:20:41') + 999, breaks: [{ start: local('06:30:00') + 17, end: local('06:41:09') }] }],
      [
        { start: local('06:01:30'), end: local('06:59:59'), breaks: [] },
        { start: local('06:50:00'), end: local('08:00:00'), breaks: [{ start: local('07:45:00'), end: local('07:50:00') }] }, // overlaps the first
      ],
      [{ start: local('07:00:00'), end: local('07:40:00'), breaks: [] }], // the fractional cycle_ms
    ];
    for (const ws of windowSets) {
      const from = Math.min(...ws.map((w) => w.start));
      const to = Math.max(...ws.map((w) => w.end));
      const raw = store.reads.cycles(line.id, line.stations, from, to);
      const states = store.reads.states(line.id, line.stations, from, to);
      const totals = cycleTotals(store.reads.outputSeries(line.id, line.outputStation, from, to), store.reads.stationTotals(line.id, line.stations, ws));
      expect(computeFigures(params, ws, totals, states)).toEqual(computeFigures(params, ws, raw, states));
      expect(stationStats(params, ws, totals, states)).toEqual(stationStats(params, ws, raw, states));
    }
  });

  it('serves a past shift again from its computed lines until a late event lands in it', () => {
    const before = fastView(store, config, 'A');
    expect(fastView(store, config, 'A')).toEqual(before);
    const late = (e: Partial<TelemetryEvent>) => store.writer.commitEvents([{ line: 'yibin-cell-1', station: 'grading', kind: 'cycle', boot: 'late', seq: Math.floor(Math.random() * 1e9), ok: false, ts: local('06:05:00') + 321, ...e } as TelemetryEvent], Date.now());
    late({ cycleMs: 4000 });
    const afterCycle = fastView(store, config, 'A');
    expect(afterCycle).not.toEqual(before);
    expect(afterCycle).toEqual(rawView(store, config, 'A'));
    late({ station: 'winding', kind: 'state', state: 'down', ts: local('06:50:00') });
    expect(fastView(store, config, 'A')).toEqual(rawView(store, config, 'A'));
    late({ station: 'winding', kind: 'state', state: 'running', ts: local('05:59:00') }); // before the window: its opening state
    expect(fastView(store, config, 'A')).toEqual(rawView(store, config, 'A'));
    late({ station: 'assembly', cycleMs: 999_999, ts: local('06:59:59') + 999 }); // a non-output station only
    expect(fastView(store, config, 'A')).toEqual(rawView(store, config, 'A'));
    for (const shift of ['B', 'C', 'ALL']) expect(fastView(store, config, shift)).toEqual(rawView(store, config, shift));
    expect(dailyCsvOf(store.reads, { versions: singleVersion(config), date: DATE, now: NOW }).csv).toBe(rawCsv(store, config));
  });

  it('reads the rollups on whole minutes, and not where raw events were pruned under them', () => {
    const { id, stations } = config.lines[0];
    const w: FigureWindow = { start: local('06:00:00'), end: local('07:00:00'), breaks: [] };
    const raw = () => stationCycles([w], store.reads.cycles(id, stations, w.start, w.end));
    const stationTotals = (ws: FigureWindow[]) => store.reads.stationTotals(id, stations, ws);
    expect(stationTotals([w])).toEqual(raw());
    // A late whole-ms change to one minute's rollup shows in the totals: they come from the rollups.
    const bump = store.db.prepare('UPDATE rollups SET cycle_ms_sum = cycle_ms_sum + ? WHERE line = ? AND station = ? AND minute = ?');
    bump.run(1000, id, 'coating', local('06:20:00'));
    expect(stationTotals([w]).get('coating')!.sumCycleUs).toBe(raw().get('coating')!.sumCycleUs + 1_000_000);
    bump.run(-1000, id, 'coating', local('06:20:00'));
    // pruneRaw keeps the rollups; the figures follow the raw events that are left, as before.
    store.writer.pruneRaw(local('06:12:30') + 1);
    expect(stationTotals([w])).toEqual(raw());
    for (const shift of ['A', 'ALL']) expect(fastView(store, config, shift)).toEqual(rawView(store, config, shift));
    expect(dailyCsvOf(store.reads, { versions: singleVersion(config), date: DATE, now: NOW }).csv).toBe(rawCsv(store, config));
  });
});
