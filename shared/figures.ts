// The figures of CONTRACT §2, one implementation for the live view, History, the API and the CSV.
// Times are integer epoch milliseconds throughout; sums stay in integer ms (or µs for cycle times) so
// they are exact and a result never depends on the order events arrived in.
import type { StationState } from './telemetry.ts';
import { normalizeBreaks, workingMs, type TimeWindow } from './shifts.ts';
import {
  attributeWindow,
  classifyWindow,
  downPeriodsOf,
  emptyAttribution,
  emptyLosses,
  lossThresholdsOf,
  stationDownPeriods,
  topReason,
  type Attribution,
  type CodeLookup,
  type LossThresholds,
  type LossTotals,
} from './losses.ts';

export interface Figures {
  plannedS: number;
  units: number;
  good: number;
  rejects: number;
  targetUnits: number | null;
  attainmentPct: number | null;
  meanTaktS: number | null;
  p50TaktS: number | null;
  p95TaktS: number | null;
  onTargetPct: number | null;
  downtimeS: number;
  availabilityPct: number | null;
  performancePct: number | null;
  qualityPct: number | null;
  oeePct: number | null;
  bottleneckStation: string | null;
  /** CONTRACT §2.4 loss classes of the takt intervals (counts, and losses d − T summed in seconds). */
  slowCycles: number;
  slowCycleLossS: number;
  smallStops: number;
  smallStopLossS: number;
  unreportedStops: number;
  unreportedStopLossS: number;
  /** The reason with the most first-out downtime, and its seconds; null without downtime. */
  topDownReason: string | null;
  topDownReasonS: number | null;
}

export interface CycleSample {
  station: string;
  ts: number;
  ok: boolean;
  cycleMs?: number;
}

export interface StateSample {
  station: string;
  ts: number;
  state: StationState;
  /** What the station said with it (a `down`'s cause); missing or empty is `unspecified`. */
  reason?: string | null;
}

export interface LineParams {
  /** null for a line that telemetry names but the configuration does not. */
  targetTaktS: number | null;
  idealCycleS?: number;
  outputStation: string;
  /** Configured order; it breaks bottleneck and first-out ties. */
  stations: string[];
  smallStopAfterS?: number;
  stopAfterS?: number;
}

export type FigureWindow = TimeWindow & { breaks: TimeWindow[] };

/** A copy whose breaks are sorted, disjoint and inside the window, as every sum below assumes. */
export function normalizeWindow(w: FigureWindow): FigureWindow {
  return { start: w.start, end: w.end, breaks: normalizeBreaks(w, w.breaks) };
}

/** First index whose value is ≥ x in an ascending array. */
export function lowerBound(sorted: ArrayLike<number>, x: number, lo = 0, hi = sorted.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A target takt that can divide: unconfigured (null) or nonsensical targets make target figures empty. */
function usableTakt(t: number | null | undefined): number | null {
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : null;
}

/**
 * floor(plannedS / targetTaktS), the way a spreadsheet shows it: 1800 / 0.1 is 17999.999… in binary
 * but 18000 on paper, so a quotient within a rounding error of an integer counts as that integer.
 */
export function targetUnitsFor(plannedS: number, targetTaktS: number | null): number | null {
  const takt = usableTakt(targetTaktS);
  if (takt === null) return null;
  const q = plannedS / takt;
  const r = Math.round(q);
  return Math.abs(q - r) <= 1e-9 * Math.max(1, Math.abs(r)) ? r : Math.floor(q);
}

/**
 * Writes the takt intervals (ms) of one normalized window into `out` from `at`, returns how many.
 * An interval (a, b] overlaps a break [s, e) when a < e && b > s. Breaks are sorted and disjoint, so
 * their ends ascend too: the first break ending after `a` is the only one that can overlap, and `a`
 * only grows, so one pointer walks the breaks once.
 */
function writeIntervalsMs(sortedTs: ArrayLike<number>, w: FigureWindow, out: Float64Array, at: number): number {
  const lo = lowerBound(sortedTs, w.start);
  const hi = lowerBound(sortedTs, w.end, lo);
  const breaks = w.breaks;
  let bi = 0;
  let k = at;
  for (let i = lo + 1; i < hi; i++) {
    const a = sortedTs[i - 1];
    const b = sortedTs[i];
    while (bi < breaks.length && breaks[bi].end <= a) bi++;
    if (bi < breaks.length && breaks[bi].start < b) continue;
    out[k++] = b - a;
  }
  return k - at;
}

/** Takt intervals in seconds between consecutive output timestamps inside the window, skipping breaks. */
export function taktIntervals(sortedOutputTs: ArrayLike<number>, window: FigureWindow): number[] {
  const out = new Float64Array(Math.max(0, sortedOutputTs.length - 1));
  const n = writeIntervalsMs(sortedOutputTs, normalizeWindow(window), out, 0);
  return Array.from(out.subarray(0, n), (ms) => ms / 1000);
}

/** Nearest rank: the value at rank ceil(p/100 · n) of an ascending array; null when empty. */
export function nearestRank(sortedAsc: ArrayLike<number>, p: number): number | null {
  const n = sortedAsc.length;
  if (n === 0) return null;
  // p · n / 100 rather than p / 100 · n: 95 · 20 / 100 is exactly 19, 0.95 · 20 is not.
  const rank = Math.min(n, Math.max(1, Math.ceil((p * n) / 100)));
  return sortedAsc[rank - 1];
}

export interface TaktSummary {
  count: number;
  meanTaktS: number | null;
  p50TaktS: number | null;
  p95TaktS: number | null;
  onTargetPct: number | null;
}

/** Mean, percentiles and on-target share of a pool of intervals in ms. Sorts `intervalsMs` in place. */
export function summarizeIntervalsMs(intervalsMs: Float64Array, targetTaktS: number | null): TaktSummary {
  const n = intervalsMs.length;
  if (n === 0) return { count: 0, meanTaktS: null, p50TaktS: null, p95TaktS: null, onTargetPct: null };
  intervalsMs.sort();
  let sumMs = 0;
  for (let i = 0; i < n; i++) sumMs += intervalsMs[i];
  const takt = usableTakt(targetTaktS);
  let onTarget = 0;
  // Compared in seconds as a person would: 300 ms is 0.3 s and meets a 0.3 s target.
  if (takt !== null) while (onTarget < n && intervalsMs[onTarget] / 1000 <= takt) onTarget++;
  return {
    count: n,
    // One division of exact integers: the mean is the double nearest the true decimal, so half-up rounding is right.
    meanTaktS: sumMs / (n * 1000),
    p50TaktS: (nearestRank(intervalsMs, 50) as number) / 1000,
    p95TaktS: (nearestRank(intervalsMs, 95) as number) / 1000,
    onTargetPct: takt === null ? null : (100 * onTarget) / n,
  };
}

/** Takt summary over several windows, intervals pooled per window and never across two (the live view and the CSV). */
export function taktSummary(sortedOutputTs: ArrayLike<number>, windows: readonly FigureWindow[], targetTaktS: number | null): TaktSummary {
  const ws = windows.map(normalizeWindow);
  const pool = new Float64Array(poolSize(sortedOutputTs, ws));
  let k = 0;
  for (const w of ws) k += writeIntervalsMs(sortedOutputTs, w, pool, k);
  return summarizeIntervalsMs(pool.subarray(0, k), targetTaktS);
}

function poolSize(sortedTs: ArrayLike<number>, ws: readonly FigureWindow[]): number {
  let size = 0;
  for (const w of ws) {
    const lo = lowerBound(sortedTs, w.start);
    size += Math.max(0, lowerBound(sortedTs, w.end, lo) - lo - 1);
  }
  return size;
}

// ---- stations -------------------------------------------------------------------------------------

/** Configured stations in their order, then any other reporting station alphabetically. */
export function stationOrder(configured: readonly string[], present: Iterable<string>): string[] {
  const known = new Set(configured);
  const extra = [...new Set(present)].filter((s) => !known.has(s)).sort();
  return [...configured, ...extra];
}

/**
 * Same-instant events of one station are ordered by state, `down` last, so the result does not depend
 * on arrival order and a stop reported at the same millisecond as a restart is not hidden.
 */
function compareStates(a: StateSample, b: StateSample): number {
  if (a.station !== b.station) return a.station < b.station ? -1 : 1;
  if (a.ts !== b.ts) return a.ts - b.ts;
  const da = a.state === 'down' ? 1 : 0;
  const db = b.state === 'down' ? 1 : 0;
  if (da !== db) return da - db;
  return a.state < b.state ? -1 : a.state > b.state ? 1 : 0;
}

/** State events grouped per station, each group ascending by ts (ties as compareStates). */
export function statesByStation(states: readonly StateSample[]): Map<string, StateSample[]> {
  const sorted = [...states].sort(compareStates);
  const out = new Map<string, StateSample[]>();
  for (const s of sorted) {
    let list = out.get(s.station);
    if (!list) out.set(s.station, (list = []));
    list.push(s);
  }
  return out;
}

/** Periods a station was `down`, ascending; the last one is open (end = Infinity) if no later state ended it. */
export function downPeriods(sortedStates: readonly StateSample[]): TimeWindow[] {
  return stationDownPeriods(sortedStates).map(({ start, end }) => ({ start, end }));
}

/** The union of windows as sorted disjoint windows. */
export function unionWindows(windows: readonly TimeWindow[]): TimeWindow[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  const out: TimeWindow[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else out.push({ start: w.start, end: w.end });
  }
  return out;
}

/** Milliseconds of a normalized window, outside its breaks, covered by the disjoint `periods`. */
export function coveredWorkingMs(w: FigureWindow, periods: readonly TimeWindow[]): number {
  let ms = 0;
  for (const p of periods) if (p.start < w.end && p.end > w.start) ms += workingMs(w, p.start, p.end);
  return ms;
}

/** Per-station cycle counts in the windows; cycle times summed in whole µs so the sum is exact in any order. */
export interface StationCycles {
  cycles: number;
  timed: number;
  sumCycleUs: number;
}

export function meanCycleMs(s: StationCycles | undefined): number | null {
  return s && s.timed > 0 ? s.sumCycleUs / (s.timed * 1000) : null;
}

/**
 * A line's cycles for a set of windows without one row per event: the output station's cycles one by one
 * (units, rejects and takt need each), every station's totals (the bottleneck and the station table need
 * no more). History reads this form (per-minute rollups give the totals); the figures from it equal those
 * from the raw rows of the same windows.
 */
export interface CycleTotals {
  /** Output-station cycle timestamps, ascending; ones outside the windows are ignored. */
  outputTs: ArrayLike<number>;
  /** The rejected (not ok) ones among them, ascending. */
  rejectTs: ArrayLike<number>;
  /** Per station, its cycles with ts inside the windows (a union: an event inside two windows counts once). */
  stations: ReadonlyMap<string, StationCycles>;
}

/** Either every cycle event of the line (any order) or the same events as totals. */
export type LineCycles = readonly CycleSample[] | CycleTotals;

interface CycleScan {
  /** Output-station timestamps inside any window (or, from totals, possibly outside too), ascending. */
  outputTs: ArrayLike<number>;
  /** The rejected ones among them, ascending. */
  rejectTs: ArrayLike<number>;
  stations: ReadonlyMap<string, StationCycles>;
}

export function isRawCycles(cycles: LineCycles): cycles is readonly CycleSample[] {
  return Array.isArray(cycles);
}

/** The scan of either form. From totals, a station with no cycle is dropped, as the raw scan never lists one. */
function scanOf(outputStation: string | null, ws: readonly FigureWindow[], cycles: LineCycles): CycleScan {
  if (isRawCycles(cycles)) return scanCycles(outputStation, ws, cycles);
  const stations = new Map<string, StationCycles>();
  for (const [id, c] of cycles.stations) if (c.cycles > 0) stations.set(id, c);
  return { outputTs: cycles.outputTs, rejectTs: cycles.rejectTs, stations };
}

/**
 * One pass over all cycles: the hot loop of a day of a 1 s line (~430 000 events), so no allocation
 * per event and the station lookup is cached across runs of the same station.
 */
function scanCycles(outputStation: string | null, ws: readonly FigureWindow[], cycles: readonly CycleSample[]): CycleScan {
  const outputTs = new Float64Array(cycles.length);
  const rejectTs = new Float64Array(cycles.length);
  let nOut = 0;
  let nRej = 0;
  const stations = new Map<string, StationCycles>();
  let lastStation: string | null = null;
  let acc: StationCycles = { cycles: 0, timed: 0, sumCycleUs: 0 };
  const nw = ws.length;
  for (let i = 0; i < cycles.length; i++) {
    const c = cycles[i];
    const ts = c.ts;
    let inside = false;
    for (let j = 0; j < nw; j++) {
      if (ts >= ws[j].start && ts < ws[j].end) {
        inside = true;
        break;
      }
    }
    if (!inside) continue;
    const station = c.station;
    if (station !== lastStation) {
      let found = stations.get(station);
      if (!found) stations.set(station, (found = { cycles: 0, timed: 0, sumCycleUs: 0 }));
      acc = found;
      lastStation = station;
    }
    acc.cycles++;
    const cycleMs = c.cycleMs;
    if (cycleMs !== undefined && Number.isFinite(cycleMs)) {
      acc.timed++;
      acc.sumCycleUs += Math.round(cycleMs * 1000);
    }
    if (station === outputStation) {
      outputTs[nOut++] = ts;
      if (!c.ok) rejectTs[nRej++] = ts;
    }
  }
  return { outputTs: outputTs.subarray(0, nOut).sort(), rejectTs: rejectTs.subarray(0, nRej).sort(), stations };
}

/** Highest mean cycle time; ties go to the first station in `order`. null when no station reports cycle_ms. */
function bottleneck(order: readonly string[], stations: ReadonlyMap<string, StationCycles>): string | null {
  let best: string | null = null;
  let bestMean = -1;
  for (const id of order) {
    const mean = meanCycleMs(stations.get(id));
    if (mean !== null && mean > bestMean) {
      best = id;
      bestMean = mean;
    }
  }
  return best;
}

/** Cycle statistics per station over the windows, for the History screen's station table. */
export function stationCycles(windows: readonly FigureWindow[], cycles: LineCycles): ReadonlyMap<string, StationCycles> {
  return scanOf(null, windows.map(normalizeWindow), cycles).stations;
}

function countIn(sorted: ArrayLike<number>, w: TimeWindow): number {
  const lo = lowerBound(sorted, w.start);
  return lowerBound(sorted, w.end, lo) - lo;
}

/** 100 · num / den, or null (an empty figure) when the denominator is 0. */
export function percentOf(num: number, den: number): number | null {
  return den > 0 ? (100 * num) / den : null;
}

/**
 * The figures of one shift (one window) or of the CSV's ALL row (that date's shift windows): counts,
 * planned and down time and target units are sums over the windows, takt intervals are pooled per
 * window, and every ratio is taken from those sums and pools.
 */
export function computeFigures(line: LineParams, windows: readonly FigureWindow[], cycles: LineCycles, states: readonly StateSample[], code?: CodeLookup): Figures {
  const ws = windows.map(normalizeWindow);
  const scan = scanOf(line.outputStation, ws, cycles);
  const periods = downPeriodsOf(statesByStation(states), line.stations, code);
  const downs = unionWindows(periods);
  const takt = usableTakt(line.targetTaktS);
  const th = takt === null ? null : lossThresholdsOf({ targetTaktS: takt, smallStopAfterS: line.smallStopAfterS, stopAfterS: line.stopAfterS });

  let plannedMs = 0;
  let downMs = 0;
  let units = 0;
  let rejects = 0;
  let targetUnits: number | null = takt === null ? null : 0;
  const losses = emptyLosses();
  const attribution = emptyAttribution();
  for (const w of ws) {
    const planned = workingMs(w, w.start, w.end);
    plannedMs += planned;
    downMs += coveredWorkingMs(w, downs);
    units += countIn(scan.outputTs, w);
    rejects += countIn(scan.rejectTs, w);
    if (targetUnits !== null) targetUnits += targetUnitsFor(planned / 1000, takt) as number;
    if (th) classifyWindow(scan.outputTs, w, downs, th, losses);
    attributeWindow(periods, w, attribution);
  }
  const good = units - rejects;
  const t = taktSummary(scan.outputTs, ws, takt);

  const upS = (plannedMs - downMs) / 1000;
  const ideal = usableTakt(line.idealCycleS ?? line.targetTaktS);
  const availabilityPct = percentOf(plannedMs - downMs, plannedMs);
  const performancePct = ideal !== null && upS > 0 ? (100 * units * ideal) / upS : null;
  const qualityPct = percentOf(good, units);
  const oeePct =
    availabilityPct !== null && performancePct !== null && qualityPct !== null ? (availabilityPct * performancePct * qualityPct) / 10_000 : null;
  const top = downMs > 0 ? topReason(attribution) : null;

  return {
    plannedS: plannedMs / 1000,
    units,
    good,
    rejects,
    targetUnits,
    attainmentPct: targetUnits === null ? null : percentOf(units, targetUnits),
    meanTaktS: t.meanTaktS,
    p50TaktS: t.p50TaktS,
    p95TaktS: t.p95TaktS,
    onTargetPct: t.onTargetPct,
    downtimeS: downMs / 1000,
    availabilityPct,
    performancePct,
    qualityPct,
    oeePct,
    bottleneckStation: bottleneck(stationOrder(line.stations, scan.stations.keys()), scan.stations),
    ...lossFigures(losses),
    topDownReason: top?.reason ?? null,
    topDownReasonS: top ? top.ms / 1000 : null,
  };
}

function lossFigures(l: LossTotals): Pick<Figures, 'slowCycles' | 'slowCycleLossS' | 'smallStops' | 'smallStopLossS' | 'unreportedStops' | 'unreportedStopLossS'> {
  return {
    slowCycles: l.slowCycles,
    slowCycleLossS: l.slowCycleLossMs / 1000,
    smallStops: l.smallStops,
    smallStopLossS: l.smallStopLossMs / 1000,
    unreportedStops: l.unreportedStops,
    unreportedStopLossS: l.unreportedStopLossMs / 1000,
  };
}

export type { Attribution, LossThresholds };
