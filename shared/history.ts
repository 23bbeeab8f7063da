// The History screen's charts and tables, from the same inputs and pieces as the figures (figures.ts).
import type { HourBucket, LineLosses, ReasonShare, StateSegment, StopRow, WaterfallStep } from './api.ts';
import {
  coveredWorkingMs,
  downPeriods,
  isRawCycles,
  lowerBound,
  meanCycleMs,
  normalizeWindow,
  stationCycles,
  stationOrder,
  statesByStation,
  targetUnitsFor,
  type CycleSample,
  type FigureWindow,
  type LineCycles,
  type LineParams,
  type StateSample,
  unionWindows,
} from './figures.ts';
import { workingMs, type TimeWindow } from './shifts.ts';
import type { Figures } from './figures.ts';
import {
  attributeWindow,
  classifyWindow,
  downPeriodsOf,
  emptyAttribution,
  emptyLosses,
  lossThresholdsOf,
  reasonOf,
  stopsOfWindow,
  type ClassifiedInterval,
  type CodeLookup,
} from './losses.ts';

const HOUR_MS = 3_600_000;

/**
 * Units per hour from the shift's start (so a shift starting at 06:30 has buckets 06:30–07:30, …), the
 * last bucket cut at the shift's end. Only the hours begun by `upTo` (default: the shift's end) are
 * listed, and the hour `upTo` falls in is cut there and marked in progress, its target the part so far
 * (CONTRACT §2.3: an hour that is not over is not "missed"). The target of a bucket is its own floor,
 * so the buckets' targets may add up to a little less than the shift's.
 */
export function hourlyBuckets(line: LineParams, shift: FigureWindow, cycles: LineCycles, upTo = shift.end): HourBucket[] {
  const w = normalizeWindow(shift);
  const cut = Math.max(w.start, Math.min(w.end, upTo));
  if (cut <= w.start) return [];
  const n = Math.ceil((cut - w.start) / HOUR_MS);
  const units = new Array<number>(n).fill(0);
  if (isRawCycles(cycles)) {
    for (const c of cycles) {
      if (c.station === line.outputStation && c.ts >= w.start && c.ts < cut) units[Math.floor((c.ts - w.start) / HOUR_MS)]++;
    }
  } else {
    const ts = cycles.outputTs;
    for (let i = lowerBound(ts, w.start); i < ts.length && ts[i] < cut; i++) units[Math.floor((ts[i] - w.start) / HOUR_MS)]++;
  }
  return units.map((count, i) => {
    const start = w.start + i * HOUR_MS;
    const full = Math.min(w.end, start + HOUR_MS);
    const end = Math.min(full, cut);
    return { start, end, units: count, targetUnits: targetUnitsFor(workingMs(w, start, end) / 1000, line.targetTaktS), inProgress: end < full };
  });
}

export interface HistogramBin {
  fromS: number;
  toS: number;
  count: number;
}

const HISTOGRAM_BINS = 30;

/**
 * Takt intervals (seconds) in bins [fromS, toS). With a target: 30 bins from 0 to 3 × target, so the
 * target sits on a bin edge a third of the way along, plus one overflow bin from 3 × target up to the
 * largest interval when any is that long. Without a target: 30 bins from 0 to the largest interval,
 * the last one including it.
 */
export function taktHistogram(intervals: readonly number[], targetTaktS: number | null): HistogramBin[] {
  if (intervals.length === 0) return [];
  let max = 0;
  for (const x of intervals) if (x > max) max = x;
  const hasTarget = typeof targetTaktS === 'number' && Number.isFinite(targetTaktS) && targetTaktS > 0;
  const span = hasTarget ? 3 * targetTaktS : max;
  if (span === 0) return [{ fromS: 0, toS: 0, count: intervals.length }];
  // Edges from one expression, so a value is binned against exactly the edges the chart shows.
  const edge = (i: number): number => (i * span) / HISTOGRAM_BINS;
  const bins: HistogramBin[] = Array.from({ length: HISTOGRAM_BINS }, (_, i) => ({ fromS: edge(i), toS: edge(i + 1), count: 0 }));
  const top = edge(HISTOGRAM_BINS);
  let overflow = 0;
  for (const x of intervals) {
    if (hasTarget && x >= top) {
      overflow++;
      continue;
    }
    let i = Math.min(HISTOGRAM_BINS - 1, Math.floor((x * HISTOGRAM_BINS) / span));
    while (i > 0 && x < edge(i)) i--;
    while (i < HISTOGRAM_BINS - 1 && x >= edge(i + 1)) i++;
    bins[i].count++;
  }
  if (overflow > 0) bins.push({ fromS: top, toS: max, count: overflow });
  return bins;
}

/**
 * Each station's states as segments covering the window, 'unknown' until its first known state (the
 * state carried in from before the window counts from the start). Adjacent equal states are merged.
 * Stations follow `stations`, then any other station that reports states, alphabetically.
 */
export function stateTimeline(stations: readonly string[], window: TimeWindow, states: readonly StateSample[]): { station: string; segments: StateSegment[] }[] {
  const byStation = statesByStation(states);
  return stationOrder(stations, byStation.keys()).map((station) => ({ station, segments: segmentsOf(byStation.get(station) ?? [], window) }));
}

function segmentsOf(sorted: readonly StateSample[], w: TimeWindow): StateSegment[] {
  if (w.end <= w.start) return [];
  const out: StateSegment[] = [];
  let state: StateSegment['state'] = 'unknown';
  let since = w.start;
  const close = (until: number) => {
    if (until <= since) return;
    const last = out[out.length - 1];
    if (last && last.state === state && last.end === since) last.end = until;
    else out.push({ start: since, end: until, state });
  };
  for (const s of sorted) {
    if (s.ts >= w.end) break;
    if (s.ts > since) {
      close(s.ts);
      since = s.ts;
    }
    state = s.state;
  }
  close(w.end);
  return out;
}

export interface StationStat {
  id: string;
  meanCycleMs: number | null;
  cycles: number;
  downtimeS: number;
}

/**
 * Per station over the windows: mean cycle_ms, cycle count, and its own down time outside breaks.
 * Every configured station is listed (a silent one shows 0 cycles), then any other reporting station.
 */
export function stationStats(line: LineParams, windows: readonly FigureWindow[], cycles: LineCycles, states: readonly StateSample[]): StationStat[] {
  const ws = windows.map(normalizeWindow);
  const counts = stationCycles(ws, cycles);
  const byStation = statesByStation(states);
  const order = stationOrder(line.stations, [...counts.keys(), ...byStation.keys()]);
  return order.map((id) => {
    const downs = downPeriods(byStation.get(id) ?? []);
    let downMs = 0;
    for (const w of ws) downMs += coveredWorkingMs(w, downs);
    const c = counts.get(id);
    return { id, meanCycleMs: meanCycleMs(c), cycles: c?.cycles ?? 0, downtimeS: downMs / 1000 };
  });
}

/** Marks of small and unreported stops kept for a chart: the longest ones, at most this many. */
const MAX_MARKS = 1000;

export interface LossInputs {
  line: LineParams;
  /** Each shift of the view with its window (taken so far). */
  shifts: readonly { name: string; window: FigureWindow }[];
  outputTs: ArrayLike<number>;
  states: readonly StateSample[];
  code?: CodeLookup;
  /** Rejected units by reason (null: none given). */
  rejectReasons: ReadonlyMap<string | null, number>;
  /** The figures of the same windows (computeFigures): the waterfall's steps. */
  figures: Figures;
}

/**
 * The History screen's loss view of one line (CONTRACT §2.4): the waterfall from planned time to good
 * units, the Pareto of first-out down reasons by source, the reject reasons, every stop, and the marks
 * of small and unreported stops for the charts — from the same pieces as the figures.
 */
export function lineLosses(o: LossInputs): LineLosses {
  const { line, figures } = o;
  const periods = downPeriodsOf(statesByStation(o.states), line.stations, o.code);
  const merged = unionWindows(periods);
  const th = line.targetTaktS && line.targetTaktS > 0 ? lossThresholdsOf({ targetTaktS: line.targetTaktS, smallStopAfterS: line.smallStopAfterS, stopAfterS: line.stopAfterS }) : null;
  const attribution = emptyAttribution();
  const stops: StopRow[] = [];
  const marks: LineLosses['marks'] = [];
  for (const { name, window } of o.shifts) {
    const w = normalizeWindow(window);
    const intervals: ClassifiedInterval[] = [];
    if (th) classifyWindow(o.outputTs, w, merged, th, emptyLosses(), (i) => i.cls !== 'slow_cycle' && intervals.push(i));
    for (const i of intervals) marks.push([i.a, i.b, i.cls as 'small_stop' | 'unreported_stop']);
    for (const s of stopsOfWindow(periods, intervals, w, line.stations, o.code)) {
      stops.push({ shift: name, kind: s.kind, station: s.station, stopStart: s.stopStart, start: s.start, end: s.end, durationS: s.durationMs / 1000, reason: s.reason, source: s.source, comment: s.comment, codedBy: s.codedBy });
    }
    attributeWindow(periods, w, attribution);
  }
  const downReasons: ReasonShare[] = [...attribution.bySource.values()]
    .map((r) => ({ reason: r.reason, source: r.source, seconds: r.ms / 1000 }))
    .sort((a, b) => b.seconds - a.seconds || (a.reason < b.reason ? -1 : 1));
  const rejects = new Map<string, number>();
  for (const [reason, n] of o.rejectReasons) rejects.set(reasonOf(reason), (rejects.get(reasonOf(reason)) ?? 0) + n);
  const rejectReasons = [...rejects].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
  const keptMarks = marks.length <= MAX_MARKS ? marks : [...marks].sort((a, b) => b[1] - b[0] - (a[1] - a[0])).slice(0, MAX_MARKS).sort((a, b) => a[0] - b[0]);
  return { waterfall: waterfall(figures, th?.T ?? null), downReasons, rejectReasons, stops, marks: keptMarks };
}

/**
 * Planned → downtime → unreported stops → small stops → slow cycles → rejects → good units, in seconds and
 * in units at the target takt. What the classes do not explain (the time before the first and after the
 * last unit, cycles faster than the target, intervals around a down period) is `other`: it can be negative
 * when the line ran faster than its target.
 */
function waterfall(f: Figures, T: number | null): WaterfallStep[] {
  const u = (s: number) => (T === null ? null : s / T);
  const rejectsS = T === null ? 0 : f.rejects * T;
  const goodS = T === null ? 0 : f.good * T;
  const explained = f.downtimeS + f.unreportedStopLossS + f.smallStopLossS + f.slowCycleLossS + rejectsS + goodS;
  return [
    { step: 'planned', seconds: f.plannedS, units: f.targetUnits },
    { step: 'downtime', seconds: f.downtimeS, units: u(f.downtimeS) },
    { step: 'unreported_stops', seconds: f.unreportedStopLossS, units: u(f.unreportedStopLossS) },
    { step: 'small_stops', seconds: f.smallStopLossS, units: u(f.smallStopLossS) },
    { step: 'slow_cycles', seconds: f.slowCycleLossS, units: u(f.slowCycleLossS) },
    { step: 'rejects', seconds: rejectsS, units: T === null ? null : f.rejects },
    { step: 'other', seconds: f.plannedS - explained, units: u(f.plannedS - explained) },
    { step: 'good', seconds: goodS, units: T === null ? null : f.good },
  ];
}
