// Why a line lost time (CONTRACT §2.4): down periods with their reasons, the loss classes of the takt
// intervals, first-out attribution of downtime to reasons, and the stops of a window. Pure functions over
// the same inputs as the other figures, one implementation for History, both CSVs and the live view.
import type { StationState } from './telemetry.ts';
import { normalizeBreaks, workingMs, type TimeWindow } from './shifts.ts';

/** A down period or stop nobody gave a reason for. */
export const UNSPECIFIED = 'unspecified';

export type ReasonSource = 'operator' | 'machine' | 'none';

/** The operator's word on a stop: the down period of `station` (or the line's unreported stop, station null) that begins at `start`. */
export interface StopCode {
  line: string;
  station: string | null;
  start: number;
  reason: string;
  comment: string | null;
  by: string;
  at: number;
}

/** Looks up the code of the stop that begins at `start` on `station` (null: the line's own unreported stop). */
export type CodeLookup = (station: string | null, start: number) => StopCode | undefined;

/** A CodeLookup over the codes in force (the newest per stop, as the store gives them). */
export function codeLookupOf(codes: readonly StopCode[]): CodeLookup {
  const byKey = new Map(codes.map((c) => [`${c.station ?? ''}\u0000${c.start}`, c]));
  return (station, start) => byKey.get(`${station ?? ''}\u0000${start}`);
}

export interface DownPeriod {
  station: string;
  start: number;
  /** Infinity while the station is still down. */
  end: number;
  /** The operator's reason if coded, else the machine's, else `unspecified`. */
  reason: string;
  source: ReasonSource;
  comment: string | null;
  /** Who coded it, or null. */
  codedBy: string | null;
}

export interface LossThresholds {
  /** Target takt, s. */
  T: number;
  /** Above this an interval is a small stop, s. */
  S: number;
  /** Above this it is an unreported stop, s. */
  L: number;
}

/** CONTRACT §2.4: S defaults to 2 × T and L to max(120, 5 × T); the configuration refuses any but T < S < L. */
export function lossThresholdsOf(line: { targetTaktS: number; smallStopAfterS?: number; stopAfterS?: number }): LossThresholds {
  const T = line.targetTaktS;
  return { T, S: line.smallStopAfterS ?? 2 * T, L: line.stopAfterS ?? Math.max(120, 5 * T) };
}

/** A missing or empty reason is `unspecified`. */
export function reasonOf(raw: string | null | undefined): string {
  return raw === null || raw === undefined || raw.trim() === '' ? UNSPECIFIED : raw;
}

interface StateLike {
  station: string;
  ts: number;
  state: StationState;
  reason?: string | null;
}

/**
 * One station's down periods from its state events (ascending by ts): a period runs from a `down` to the
 * station's next state event that is not `down` with the same reason; a repeated `down` with the same
 * reason continues it, one with another reason ends it and begins a new one. A code from an operator
 * replaces the reason; it never moves the bounds.
 */
export function stationDownPeriods(sorted: readonly StateLike[], code?: CodeLookup): DownPeriod[] {
  const out: DownPeriod[] = [];
  let open: { station: string; start: number; machine: string | null } | null = null;
  const close = (end: number) => {
    if (!open || end <= open.start) return;
    const c = code?.(open.station, open.start);
    out.push({
      station: open.station,
      start: open.start,
      end,
      reason: c ? reasonOf(c.reason) : reasonOf(open.machine),
      source: c ? 'operator' : open.machine && open.machine.trim() !== '' ? 'machine' : 'none',
      comment: c?.comment ?? null,
      codedBy: c?.by ?? null,
    });
  };
  for (const s of sorted) {
    if (s.state === 'down') {
      const machine = s.reason ?? null;
      if (open && reasonOf(open.machine) === reasonOf(machine)) continue;
      close(s.ts);
      open = { station: s.station, start: s.ts, machine };
    } else if (open) {
      close(s.ts);
      open = null;
    }
  }
  close(Number.POSITIVE_INFINITY);
  return out;
}

/** Every station's down periods, ascending by start (ties in `order`, the configured station order). */
export function downPeriodsOf(byStation: ReadonlyMap<string, readonly StateLike[]>, order: readonly string[], code?: CodeLookup): DownPeriod[] {
  const rank = new Map(order.map((s, i) => [s, i]));
  const all = [...byStation.values()].flatMap((states) => stationDownPeriods(states, code));
  return all.sort((a, b) => a.start - b.start || (rank.get(a.station) ?? 1e9) - (rank.get(b.station) ?? 1e9) || (a.station < b.station ? -1 : a.station > b.station ? 1 : 0));
}

// ---- loss classes of takt intervals --------------------------------------------------------------

export type LossClass = 'on_target' | 'slow_cycle' | 'small_stop' | 'unreported_stop';

export interface LossTotals {
  slowCycles: number;
  slowCycleLossMs: number;
  smallStops: number;
  smallStopLossMs: number;
  unreportedStops: number;
  unreportedStopLossMs: number;
}

export function emptyLosses(): LossTotals {
  return { slowCycles: 0, slowCycleLossMs: 0, smallStops: 0, smallStopLossMs: 0, unreportedStops: 0, unreportedStopLossMs: 0 };
}

/** A classified interval (a, b] of the output station, ms. */
export interface ClassifiedInterval {
  a: number;
  b: number;
  cls: LossClass;
}

/** The class of an interval of `ms` milliseconds (compared in seconds as a person would: 300 ms meets 0.3 s). */
export function lossClassOf(ms: number, th: LossThresholds): LossClass {
  const d = ms / 1000;
  if (d <= th.T) return 'on_target';
  if (d <= th.S) return 'slow_cycle';
  if (d <= th.L) return 'small_stop';
  return 'unreported_stop';
}

/**
 * The loss classes of one window's takt intervals: consecutive output units inside the window, leaving out
 * intervals that overlap a planned break (they are not takt intervals) and those that overlap a down period
 * (their time is downtime). `downs` are the line's down periods merged and sorted. Adds into `totals`, and
 * calls `each` with every classified interval that is not on target.
 */
export function classifyWindow(
  sortedTs: ArrayLike<number>,
  window: TimeWindow & { breaks: readonly TimeWindow[] },
  downs: readonly TimeWindow[],
  th: LossThresholds,
  totals: LossTotals,
  each?: (i: ClassifiedInterval) => void,
): void {
  const breaks = normalizeBreaks(window, window.breaks);
  const T = th.T * 1000;
  const lo = lowerBound(sortedTs, window.start);
  const hi = lowerBound(sortedTs, window.end, lo);
  let bi = 0;
  let di = 0;
  for (let i = lo + 1; i < hi; i++) {
    const a = sortedTs[i - 1];
    const b = sortedTs[i];
    while (bi < breaks.length && breaks[bi].end <= a) bi++;
    if (bi < breaks.length && breaks[bi].start < b) continue;
    while (di < downs.length && downs[di].end <= a) di++;
    if (di < downs.length && downs[di].start < b) continue;
    const ms = b - a;
    const cls = lossClassOf(ms, th);
    if (cls === 'on_target') continue;
    const loss = ms - T;
    if (cls === 'slow_cycle') {
      totals.slowCycles++;
      totals.slowCycleLossMs += loss;
    } else if (cls === 'small_stop') {
      totals.smallStops++;
      totals.smallStopLossMs += loss;
    } else {
      totals.unreportedStops++;
      totals.unreportedStopLossMs += loss;
    }
    each?.({ a, b, cls });
  }
}

function lowerBound(sorted: ArrayLike<number>, x: number, lo = 0, hi = sorted.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---- first-out attribution -----------------------------------------------------------------------

export interface Attribution {
  /** Milliseconds of downtime attributed to each reason. */
  ms: Map<string, number>;
  /** When each reason was first attributed a second: breaks ties of the top reason. */
  firstAt: Map<string, number>;
  /** The same milliseconds by reason and by who gave it (the Pareto's machine vs operator). */
  bySource: Map<string, { reason: string; source: ReasonSource; ms: number }>;
}

export function emptyAttribution(): Attribution {
  return { ms: new Map(), firstAt: new Map(), bySource: new Map() };
}

/**
 * CONTRACT §2.4 first-out: each second of the line's downtime in the window (outside its breaks) goes to
 * the reason of the station whose down period began earliest among those down then (ties: configured
 * order — `periods` come sorted that way). Adds into `into`.
 */
export function attributeWindow(periods: readonly DownPeriod[], window: TimeWindow & { breaks: readonly TimeWindow[] }, into: Attribution): void {
  const w = { start: window.start, end: window.end, breaks: normalizeBreaks(window, window.breaks) };
  const inWindow = periods.filter((p) => p.start < w.end && p.end > w.start);
  if (inWindow.length === 0) return;
  const edges = [...new Set(inWindow.flatMap((p) => [Math.max(p.start, w.start), Math.min(p.end, w.end)]))].sort((a, b) => a - b);
  for (let k = 0; k + 1 < edges.length; k++) {
    const t0 = edges[k];
    const t1 = edges[k + 1];
    // The first period (in start, then station order) covering [t0, t1) is the first-out one.
    const first = inWindow.find((p) => p.start <= t0 && p.end >= t1);
    if (!first) continue;
    const ms = workingMs(w, t0, t1);
    if (ms <= 0) continue;
    into.ms.set(first.reason, (into.ms.get(first.reason) ?? 0) + ms);
    const key = `${first.source}\u0000${first.reason}`;
    const share = into.bySource.get(key);
    if (share) share.ms += ms;
    else into.bySource.set(key, { reason: first.reason, source: first.source, ms });
    if (!into.firstAt.has(first.reason)) into.firstAt.set(first.reason, firstWorkingInstant(w, t0, t1));
  }
}

/** The first instant of [t0, t1) outside the window's breaks (the interval has working time). */
function firstWorkingInstant(w: { breaks: readonly TimeWindow[] }, t0: number, t1: number): number {
  let t = t0;
  for (const b of w.breaks) if (b.start <= t && b.end > t) t = b.end;
  return Math.min(t, t1);
}

/** The reason with the most attributed seconds (ties: the one attributed first in time), or null without downtime. */
export function topReason(a: Attribution): { reason: string; ms: number } | null {
  let best: { reason: string; ms: number; at: number } | null = null;
  for (const [reason, ms] of a.ms) {
    const at = a.firstAt.get(reason) ?? Number.POSITIVE_INFINITY;
    if (best === null || ms > best.ms || (ms === best.ms && at < best.at)) best = { reason, ms, at };
  }
  return best && best.ms > 0 ? { reason: best.reason, ms: best.ms } : null;
}

// ---- stops ----------------------------------------------------------------------------------------

export type StopKind = 'down' | 'unreported_stop';

/** One stop inside one window (CONTRACT §4.1): a station's down period, or the line's unreported stop, clipped. */
export interface Stop {
  kind: StopKind;
  /** null for the line's own unreported stop. */
  station: string | null;
  /** Where the stop begins (its identity for coding): the `down` event, or the unit before the stop. */
  stopStart: number;
  /** Clipped to the window. */
  start: number;
  end: number;
  /** Clipped, outside breaks. */
  durationMs: number;
  reason: string;
  source: ReasonSource;
  comment: string | null;
  codedBy: string | null;
}

/** The window's stops in the order of the stops CSV: by start, then station (configured order), the line's own after its stations. */
export function stopsOfWindow(
  periods: readonly DownPeriod[],
  unreported: readonly ClassifiedInterval[],
  window: TimeWindow & { breaks: readonly TimeWindow[] },
  order: readonly string[],
  code?: CodeLookup,
): Stop[] {
  const w = { start: window.start, end: window.end, breaks: normalizeBreaks(window, window.breaks) };
  const out: Stop[] = [];
  for (const p of periods) {
    if (!(p.start < w.end && p.end > w.start)) continue;
    const start = Math.max(p.start, w.start);
    const end = Math.min(p.end, w.end);
    const durationMs = workingMs(w, start, end);
    if (durationMs > 0) out.push({ kind: 'down', station: p.station, stopStart: p.start, start, end, durationMs, reason: p.reason, source: p.source, comment: p.comment, codedBy: p.codedBy });
  }
  for (const u of unreported) {
    if (u.cls !== 'unreported_stop') continue;
    const c = code?.(null, u.a);
    const durationMs = workingMs(w, u.a, u.b);
    if (durationMs > 0) {
      out.push({
        kind: 'unreported_stop',
        station: null,
        stopStart: u.a,
        start: u.a,
        end: u.b,
        durationMs,
        reason: c ? reasonOf(c.reason) : UNSPECIFIED,
        source: c ? 'operator' : 'none',
        comment: c?.comment ?? null,
        codedBy: c?.by ?? null,
      });
    }
  }
  const rank = new Map(order.map((s, i) => [s, i]));
  const stationRank = (s: Stop) => (s.station === null ? Number.MAX_SAFE_INTEGER : (rank.get(s.station) ?? order.length));
  return out.sort((x, y) => x.start - y.start || stationRank(x) - stationRank(y) || ((x.station ?? '') < (y.station ?? '') ? -1 : 1));
}
