// History and the daily CSV: a production date's plan (its configuration version, the shifts that run,
// each taken as far as it has gone), the events read once per line, then the shared figures — so the
// History screen, the API and the CSV are the same numbers by construction. Runs in a read worker
// (main/core/reads/) on a read-only connection, or in-process for the CLI.
import type { Config, LineConfig } from '../../shared/config.ts';
import type { HistoryLine, HistoryView, DailyCsv, ShiftNote } from '../../shared/api.ts';
import { computeFigures, taktIntervals, type LineParams, type FigureWindow, type StateSample } from '../../shared/figures.ts';
import { hourlyBuckets, lineLosses, taktHistogram, stateTimeline, stationStats } from '../../shared/history.ts';
import { dailyCsv, dailyCsvFileName, type CsvRow } from '../../shared/csv.ts';
import { codeLookupOf, downPeriodsOf, emptyLosses, classifyWindow, lossThresholdsOf, stopsOfWindow, type CodeLookup, type ClassifiedInterval } from '../../shared/losses.ts';
import { stopsCsv, stopsCsvFileName, type StopsGroup } from '../../shared/stops-csv.ts';
import { statesByStation, unionWindows } from '../../shared/figures.ts';
import { shiftNotes, stopCodes } from './store/operator.ts';
import { alertsBetween } from './andon.ts';
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
    const { targetTaktS, idealCycleS, outputStation, stations, smallStopAfterS, stopAfterS } = cfg;
    return { id, cfg, stations, params: { targetTaktS, idealCycleS, outputStation, stations, smallStopAfterS, stopAfterS } };
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
  const notes = windows.length === 0 ? [] : shiftNotes(reads.db, date);
  const lines = windows.length === 0 ? [] : linesToShow(reads, config).map((id) => historyLine(reads, lineOfDate(reads, config, id), chosen, status === 'complete', notes));
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

type ComputedLine = Omit<HistoryLine, 'gaps' | 'notes' | 'alerts'>;

/**
 * The codes in force for the stops of these states: a down period may have begun long before the window
 * (its station's last state before it carries in), so codes are looked up from the earliest state read.
 */
function codesFor(reads: Reads, line: string, states: readonly StateSample[], from: number, to: number): { code: CodeLookup; codes: unknown[] } {
  // An unreported stop begins at a unit inside the window; a down period at its down event, maybe before it.
  const earliest = states.reduce((m, s) => Math.min(m, s.ts), from);
  const codes = stopCodes(reads.db, line, earliest, to);
  return { code: codeLookupOf(codes), codes };
}

/**
 * History lines of windows that are over, so reopening a past shift does not reread its output station.
 * An entry is keyed by all the line's inputs but its events, and used only while a fingerprint of the events
 * is unchanged: every station's cycle totals from the rollups (they grow with every cycle event stored in the
 * windows, late ones included, and are only used when no raw event under them was pruned), the state events
 * and the operator's codes read. Each of those is read afresh on every request anyway.
 */
const MAX_CACHED_LINES = 96;
const lineCache = new WeakMap<Reads, Map<string, { fingerprint: string; line: ComputedLine }>>();

function historyLine(reads: Reads, line: LineOfDate, chosen: readonly PlannedShift[], over: boolean, notes: readonly ShiftNote[]): HistoryLine {
  const windows = chosen.map((s) => s.window);
  const { from, to } = spanOf(windows);
  const { id, cfg, params, stations } = line;
  const gapsByStation = new Map<string, number>();
  for (const g of reads.gaps(id)) {
    if (g.detectedAt >= from && g.detectedAt < to && stations.includes(g.station)) gapsByStation.set(g.station, (gapsByStation.get(g.station) ?? 0) + g.missing);
  }
  const gaps = [...gapsByStation].map(([station, missing]) => ({ station, missing }));
  const lineNotes = notes.filter((n) => n.line === id && chosen.some((s) => s.instance.name === n.shift));
  const alerts = alertsBetween(reads.db, id, from, to);

  const states = reads.states(id, stations, from, to);
  const { code, codes } = codesFor(reads, id, states, from, to);
  const rollupTotals = over ? reads.stationTotalsFromRollups(id, stations, windows) : null;
  const key = JSON.stringify([id, cfg, stations, windows]);
  const fingerprint = rollupTotals ? JSON.stringify([[...rollupTotals], states, codes]) : null;
  let cache = lineCache.get(reads);
  if (!cache) lineCache.set(reads, (cache = new Map()));
  const hit = cache.get(key);
  if (hit && fingerprint !== null && hit.fingerprint === fingerprint) return { ...hit.line, gaps, notes: lineNotes, alerts };

  const output = reads.outputSeries(id, params.outputStation, from, to);
  const cycles = cycleTotals(output, rollupTotals ?? reads.stationTotals(id, stations, windows));
  // A line only telemetry names: its stations in the order a scan of the window by ts meets them.
  const stationIds = cfg ? stations : [...new Set([...reads.stationsByFirstCycle(id, stations, from, to), ...states.map((s) => s.station)])];
  const intervals = windows.flatMap((w) => taktIntervals(output.outputTs, w));
  const figures = computeFigures(params, windows, cycles, states, code);
  const computed: ComputedLine = {
    id,
    name: cfg?.name ?? id,
    configured: cfg !== null,
    targetTaktS: cfg?.targetTaktS ?? null,
    figures,
    hourly: chosen.flatMap((s) => hourlyBuckets(params, s.instance, cycles, s.window.end)),
    taktHistogram: taktHistogram(intervals, cfg?.targetTaktS ?? null),
    stations: stationStats({ ...params, stations: stationIds }, windows, cycles, states),
    // The whole day's timeline spans its first shift's start to its last shift's end (so far).
    timeline: stateTimeline(stationIds, windows.length === 1 ? windows[0] : { start: from, end: to, breaks: [] }, states),
    losses: lineLosses({
      line: params,
      shifts: chosen.map((s) => ({ name: s.instance.name, window: s.window })),
      outputTs: output.outputTs,
      states,
      code,
      rejectReasons: params.outputStation ? reads.rejectReasons(id, params.outputStation, windows) : new Map(),
      figures,
    }),
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
  return { ...computed, gaps, notes: lineNotes, alerts };
}

/** What one line needs for all of a date's windows, read once: the output station's cycles and the states. */
interface LineData {
  line: LineOfDate;
  output: OutputSeries;
  states: StateSample[];
  code: CodeLookup;
}

function readLine(reads: Reads, line: LineOfDate, windows: readonly FigureWindow[]): LineData {
  const { from, to } = spanOf(windows);
  const states = reads.states(line.id, line.stations, from, to);
  return { line, output: reads.outputSeries(line.id, line.params.outputStation, from, to), states, code: codesFor(reads, line.id, states, from, to).code };
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
      figures: computeFigures(line.params, ws, data ? cycleTotals(data.output, reads.stationTotals(cfg.id, line.stations, ws)) : [], data?.states ?? [], data?.code),
    });
    plan.shifts.forEach((s) => rows.push(row(s.instance.name, [s.window], s.status)));
    rows.push(row('ALL', windows, plan.status));
  }
  return { fileName: dailyCsvFileName(date), csv: dailyCsv(rows) };
}

/**
 * CONTRACT §4.1: per line of the date's version (configured order), per shift that runs that date
 * (configured order), every down period of a station and every unreported stop of the line that
 * overlaps the shift's window (so far), clipped to it.
 */
export function stopsCsvOf(reads: Reads, { versions, date, now }: DailyArgs): DailyCsv {
  const plan = dayPlan(versions, date, now);
  const config = plan.version.config;
  const windows = plan.shifts.map((s) => s.window);
  const groups: StopsGroup[] = [];
  if (windows.length) {
    for (const cfg of config.lines) {
      const line = lineOfDate(reads, config, cfg.id);
      const data = readLine(reads, line, windows);
      const periods = downPeriodsOf(statesByStation(data.states), line.stations, data.code);
      const downs = unionWindows(periods);
      const th = lossThresholdsOf(cfg);
      for (const s of plan.shifts) {
        const unreported: ClassifiedInterval[] = [];
        classifyWindow(data.output.outputTs, s.window, downs, th, emptyLosses(), (i) => i.cls === 'unreported_stop' && unreported.push(i));
        groups.push({ date, shift: s.instance.name, line: cfg.id, stops: stopsOfWindow(periods, unreported, s.window, line.stations, data.code) });
      }
    }
  }
  return { fileName: stopsCsvFileName(date), csv: stopsCsv(groups, config.timezone) };
}
