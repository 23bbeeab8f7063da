// History and the daily CSV: read a window's events once, then hand them to the shared figures,
// so the History screen, the API and the CSV are the same numbers by construction.
import type { Config, LineConfig } from '../../shared/config.ts';
import type { HistoryLine, HistoryView, DailyCsv } from '../../shared/api.ts';
import { computeFigures, taktIntervals, type LineParams, type FigureWindow, type StateSample } from '../../shared/figures.ts';
import { hourlyBuckets, taktHistogram, stateTimeline, stationStats } from '../../shared/history.ts';
import { shiftInstancesOfDate, type ShiftInstance } from '../../shared/shifts.ts';
import { dailyCsv, dailyCsvFileName, type CsvRow } from '../../shared/csv.ts';
import type { Store } from './store/store.ts';
import { cycleTotals, outputSeries, stationTotals, stationTotalsFromRollups, stationsByFirstCycle, type OutputSeries } from './store/history-reads.ts';
import { RequestError } from './errors.ts';

/**
 * What one line needs for any set of windows inside [from, to), read once: the output station's cycles
 * one by one and the states. Other stations' cycles are read per set of windows as totals (stationTotals):
 * the figures need no more of them, and a day of them is millions of rows.
 */
interface LineData {
  params: LineParams;
  output: OutputSeries;
  states: StateSample[];
}

function lineParams(config: Config, id: string): { params: LineParams; cfg: LineConfig | null } {
  const cfg = config.lines.find((l) => l.id === id) ?? null;
  return {
    cfg,
    params: cfg
      ? { targetTaktS: cfg.targetTaktS, idealCycleS: cfg.idealCycleS, outputStation: cfg.outputStation, stations: cfg.stations }
      : { targetTaktS: null, outputStation: '', stations: [] },
  };
}

function readLine(store: Store, config: Config, id: string, from: number, to: number): LineData {
  const { params } = lineParams(config, id);
  return { params, output: outputSeries(store, id, params.outputStation, from, to), states: store.states(id, from, to) };
}

function toWindows(instances: ShiftInstance[]): FigureWindow[] {
  return instances.map((s) => ({ start: s.start, end: s.end, breaks: s.breaks }));
}

/** Configured lines in configured order, then lines that only telemetry names. */
function linesToShow(store: Store, config: Config): string[] {
  const ids = config.lines.map((l) => l.id);
  for (const id of store.linesSeen()) if (!ids.includes(id)) ids.push(id);
  return ids;
}

export function historyView(store: Store, config: Config, date: string, shift: string): HistoryView {
  const t0 = performance.now();
  const all = shiftInstancesOfDate(config, date);
  const chosen = shift === 'ALL' ? all : all.filter((s) => s.name === shift);
  if (chosen.length === 0) throw new RequestError(`unknown shift "${shift}" (configured: ${config.shifts.map((s) => s.name).join(', ')}, ALL)`);
  const windows = toWindows(chosen);
  const from = Math.min(...windows.map((w) => w.start));
  const to = Math.max(...windows.map((w) => w.end));
  // Only a window that is over can stop changing; the current shift's lines change with every event.
  const over = to <= Date.now();
  const lines = linesToShow(store, config).map((id) => historyLine(store, config, id, windows, from, to, over));
  return { date, shift, timezone: config.timezone, windows: windows.map(({ start, end }) => ({ start, end })), lines, computeMs: performance.now() - t0 };
}

type ComputedLine = Omit<HistoryLine, 'gaps'>;

/**
 * History lines of windows that are over, so reopening a past shift does not reread its output station.
 * An entry is keyed by all the line's inputs but its events, and used only while a fingerprint of the events
 * is unchanged: every station's cycle totals from the rollups (they grow with every cycle event stored in the
 * windows, late ones included, and are only used when no raw event under them was pruned), the stations met
 * in [from, to), and the state events read. Each of those is read afresh on every request anyway.
 */
const MAX_CACHED_LINES = 96;
const lineCache = new WeakMap<Store, Map<string, { fingerprint: string; line: ComputedLine }>>();

function historyLine(store: Store, config: Config, id: string, windows: FigureWindow[], from: number, to: number, over: boolean): HistoryLine {
  const { cfg, params } = lineParams(config, id);
  const gapsByStation = new Map<string, number>();
  for (const g of store.gaps(id)) {
    if (g.detectedAt >= from && g.detectedAt < to) gapsByStation.set(g.station, (gapsByStation.get(g.station) ?? 0) + g.missing);
  }
  const gaps = [...gapsByStation].map(([station, missing]) => ({ station, missing }));

  const states = store.states(id, from, to);
  const configured = new Set(params.stations);
  // The order a scan of [from, to) by ts met the stations in: configured ones first, then the others.
  const others = stationsByFirstCycle(store, id, store.stationsSeen(id).filter((s) => !configured.has(s)), from, to);
  const rollupTotals = over ? stationTotalsFromRollups(store, id, windows) : null;
  const key = JSON.stringify([id, cfg, windows]);
  const fingerprint = rollupTotals ? JSON.stringify([[...rollupTotals], others, states]) : null;
  let cache = lineCache.get(store);
  if (!cache) lineCache.set(store, (cache = new Map()));
  const hit = cache.get(key);
  if (hit && fingerprint !== null && hit.fingerprint === fingerprint) return { ...hit.line, gaps };

  const output = outputSeries(store, id, params.outputStation, from, to);
  const cycles = cycleTotals(output, rollupTotals ?? stationTotals(store, id, windows));
  const stationIds = [...new Set([...params.stations, ...others, ...states.map((s) => s.station)])];
  const intervals = windows.flatMap((w) => taktIntervals(output.outputTs, w));
  const line: ComputedLine = {
    id,
    name: cfg?.name ?? id,
    configured: cfg !== null,
    targetTaktS: cfg?.targetTaktS ?? null,
    figures: computeFigures(params, windows, cycles, states),
    hourly: windows.flatMap((w) => hourlyBuckets(params, w, cycles)),
    taktHistogram: taktHistogram(intervals, cfg?.targetTaktS ?? null),
    stations: stationStats({ ...params, stations: stationIds }, windows, cycles, states),
    // The whole day's timeline spans its first shift's start to its last shift's end.
    timeline: stateTimeline(stationIds, windows.length === 1 ? windows[0] : { start: from, end: to, breaks: [] }, states),
  };
  cache.delete(key);
  if (fingerprint !== null) {
    cache.set(key, { fingerprint, line });
    // Oldest first in a Map: drop the least recently computed beyond the bound.
    for (const k of cache.keys()) {
      if (cache.size <= MAX_CACHED_LINES) break;
      cache.delete(k);
    }
  }
  return { ...line, gaps };
}

/** CONTRACT §4: per configured line, one row per shift of the date, then the ALL row. */
export function dailyCsvOf(store: Store, config: Config, date: string): DailyCsv {
  const instances = shiftInstancesOfDate(config, date);
  const windows = toWindows(instances);
  const rows: CsvRow[] = [];
  if (windows.length) {
    const from = Math.min(...windows.map((w) => w.start));
    const to = Math.max(...windows.map((w) => w.end));
    for (const line of config.lines) {
      const data = readLine(store, config, line.id, from, to);
      const row = (shift: string, ws: FigureWindow[]): CsvRow => ({
        date,
        shift,
        line: line.id,
        lineName: line.name,
        targetTaktS: line.targetTaktS,
        figures: computeFigures(data.params, ws, cycleTotals(data.output, stationTotals(store, line.id, ws)), data.states),
      });
      instances.forEach((s, i) => rows.push(row(s.name, [windows[i]])));
      rows.push(row('ALL', windows));
    }
  }
  return { fileName: dailyCsvFileName(date), csv: dailyCsv(rows) };
}
