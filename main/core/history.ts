// History and the daily CSV: a production date's plan (its configuration version, the shifts that run,
// each taken as far as it has gone), the events read once per line, then the shared figures — so the
// History screen, the API and the CSV are the same numbers by construction. Runs in a read worker
// (main/core/reads/) on a read-only connection, or in-process for the CLI.
import type { Config, LineConfig } from '../../shared/config.ts';
import type { HistoryLine, HistoryView, DailyCsv } from '../../shared/api.ts';
import { computeFigures, taktIntervals, type LineParams, type FigureWindow, type StateSample } from '../../shared/figures.ts';
import { hourlyBuckets, taktHistogram, stateTimeline, stationStats } from '../../shared/history.ts';
import { dailyCsv, dailyCsvFileName, type CsvRow } from '../../shared/csv.ts';
import { dayPlan, type PlannedShift } from '../../shared/plan.ts';
import type { ConfigVersion } from '../../shared/versions.ts';
import { cycleTotals, type OutputSeries, type Reads } from './store/reads.ts';
import { RequestError } from './errors.ts';

/** What one line of a date's version is: its figure parameters and the stations whose events count. */
interface LineOfDate {
  id: string;
  cfg: LineConfig | null;
  params: LineParams;
  /** Configured lines: the version's stations (CONTRACT §1.4); a line only telemetry names: every station it has. */
  stations: string[];
}

function lineOfDate(reads: Reads, config: Config, id: string): LineOfDate {
  const cfg = config.lines.find((l) => l.id === id) ?? null;
  if (cfg) {
    return { id, cfg, stations: cfg.stations, params: { targetTaktS: cfg.targetTaktS, idealCycleS: cfg.idealCycleS, outputStation: cfg.outputStation, stations: cfg.stations } };
  }
  return { id, cfg, stations: reads.stationsSeen(id), params: { targetTaktS: null, outputStation: '', stations: [] } };
}

/** Lines of the version in configured order, then lines that only telemetry names. */
function linesToShow(reads: Reads, config: Config): string[] {
  const ids = config.lines.map((l) => l.id);
  for (const id of reads.linesSeen()) if (!ids.includes(id)) ids.push(id);
  return ids;
}

function spanOf(windows: readonly FigureWindow[]): { from: number; to: number } {
  return { from: Math.min(...windows.map((w) => w.start)), to: Math.max(...windows.map((w) => w.end)) };
}

export interface HistoryArgs {
  versions: readonly ConfigVersion[];
  date: string;
  shift: string;
  /** The current time: shifts not over are taken so far (CONTRACT §2.3). */
  now: number;
}

export function historyView(reads: Reads, { versions, date, shift, now }: HistoryArgs): HistoryView {
  const t0 = performance.now();
  const plan = dayPlan(versions, date, now);
  const config = plan.version.config;
  const chosen = shift === 'ALL' ? plan.shifts : plan.shifts.filter((s) => s.instance.name === shift);
  if (chosen.length === 0 && shift !== 'ALL') {
    const running = plan.shifts.map((s) => s.instance.name);
    throw new RequestError(
      !config.shifts.some((s) => s.name === shift)
        ? { key: 'refusal.unknown_shift', params: { shift, configured: config.shifts.map((s) => s.name).join(', ') } }
        : running.length
          ? { key: 'refusal.shift_not_running', params: { shift, date, shifts: running.join(', ') } }
          : { key: 'refusal.no_shift_that_day', params: { shift, date } },
    );
  }
  const status = shift === 'ALL' ? plan.status : chosen[0].status;
  const windows = chosen.map((s) => s.window);
  const lines = windows.length === 0 ? [] : linesToShow(reads, config).map((id) => historyLine(reads, lineOfDate(reads, config, id), chosen, status === 'complete'));
  return {
    date,
    shift,
    timezone: config.timezone,
    status,
    windows: chosen.map((s) => ({ start: s.instance.start, end: s.instance.end, soFarEnd: s.window.end })),
    lines,
    computeMs: performance.now() - t0,
  };
}

type ComputedLine = Omit<HistoryLine, 'gaps'>;

/**
 * History lines of windows that are over, so reopening a past shift does not reread its output station.
 * An entry is keyed by all the line's inputs but its events, and used only while a fingerprint of the events
 * is unchanged: every station's cycle totals from the rollups (they grow with every cycle event stored in the
 * windows, late ones included, and are only used when no raw event under them was pruned), and the state
 * events read. Each of those is read afresh on every request anyway.
 */
const MAX_CACHED_LINES = 96;
const lineCache = new WeakMap<Reads, Map<string, { fingerprint: string; line: ComputedLine }>>();

function historyLine(reads: Reads, line: LineOfDate, chosen: readonly PlannedShift[], over: boolean): HistoryLine {
  const windows = chosen.map((s) => s.window);
  const { from, to } = spanOf(windows);
  const { id, cfg, params, stations } = line;
  const gapsByStation = new Map<string, number>();
  for (const g of reads.gaps(id)) {
    if (g.detectedAt >= from && g.detectedAt < to && stations.includes(g.station)) gapsByStation.set(g.station, (gapsByStation.get(g.station) ?? 0) + g.missing);
  }
  const gaps = [...gapsByStation].map(([station, missing]) => ({ station, missing }));

  const states = reads.states(id, stations, from, to);
  const rollupTotals = over ? reads.stationTotalsFromRollups(id, stations, windows) : null;
  const key = JSON.stringify([id, cfg, stations, windows]);
  const fingerprint = rollupTotals ? JSON.stringify([[...rollupTotals], states]) : null;
  let cache = lineCache.get(reads);
  if (!cache) lineCache.set(reads, (cache = new Map()));
  const hit = cache.get(key);
  if (hit && fingerprint !== null && hit.fingerprint === fingerprint) return { ...hit.line, gaps };

  const output = reads.outputSeries(id, params.outputStation, from, to);
  const cycles = cycleTotals(output, rollupTotals ?? reads.stationTotals(id, stations, windows));
  // A line only telemetry names: its stations in the order a scan of the window by ts meets them.
  const stationIds = cfg ? stations : [...new Set([...reads.stationsByFirstCycle(id, stations, from, to), ...states.map((s) => s.station)])];
  const intervals = windows.flatMap((w) => taktIntervals(output.outputTs, w));
  const computed: ComputedLine = {
    id,
    name: cfg?.name ?? id,
    configured: cfg !== null,
    targetTaktS: cfg?.targetTaktS ?? null,
    figures: computeFigures(params, windows, cycles, states),
    hourly: chosen.flatMap((s) => hourlyBuckets(params, s.instance, cycles, s.window.end)),
    taktHistogram: taktHistogram(intervals, cfg?.targetTaktS ?? null),
    stations: stationStats({ ...params, stations: stationIds }, windows, cycles, states),
    // The whole day's timeline spans its first shift's start to its last shift's end (so far).
    timeline: stateTimeline(stationIds, windows.length === 1 ? windows[0] : { start: from, end: to, breaks: [] }, states),
  };
  cache.delete(key);
  if (fingerprint !== null) {
    cache.set(key, { fingerprint, line: computed });
    // Oldest first in a Map: drop the least recently computed beyond the bound.
    for (const k of cache.keys()) {
      if (cache.size <= MAX_CACHED_LINES) break;
      cache.delete(k);
    }
  }
  return { ...computed, gaps };
}

/** What one line needs for all of a date's windows, read once: the output station's cycles and the states. */
interface LineData {
  line: LineOfDate;
  output: OutputSeries;
  states: StateSample[];
}

function readLine(reads: Reads, line: LineOfDate, windows: readonly FigureWindow[]): LineData {
  const { from, to } = spanOf(windows);
  return { line, output: reads.outputSeries(line.id, line.params.outputStation, from, to), states: reads.states(line.id, line.stations, from, to) };
}

export interface DailyArgs {
  versions: readonly ConfigVersion[];
  date: string;
  now: number;
}

/** CONTRACT §4: per line of the date's version, one row per shift that runs that date, then the ALL row. */
export function dailyCsvOf(reads: Reads, { versions, date, now }: DailyArgs): DailyCsv {
  const plan = dayPlan(versions, date, now);
  const config = plan.version.config;
  const windows = plan.shifts.map((s) => s.window);
  const rows: CsvRow[] = [];
  for (const cfg of config.lines) {
    const line = lineOfDate(reads, config, cfg.id);
    const data = windows.length ? readLine(reads, line, windows) : null;
    const row = (shift: string, ws: FigureWindow[], status: CsvRow['status']): CsvRow => ({
      date,
      shift,
      line: cfg.id,
      lineName: cfg.name,
      targetTaktS: cfg.targetTaktS,
      status,
      figures: computeFigures(line.params, ws, data ? cycleTotals(data.output, reads.stationTotals(cfg.id, line.stations, ws)) : [], data?.states ?? []),
    });
    plan.shifts.forEach((s) => rows.push(row(s.instance.name, [s.window], s.status)));
    rows.push(row('ALL', windows, plan.status));
  }
  return { fileName: dailyCsvFileName(date), csv: dailyCsv(rows) };
}
