// Live figures per line, fed by every stored event and read as a snapshot a few times a second.
// Per-event work is O(1) amortised (ring buffers, counters); the snapshot does the arithmetic.
import type { Config, LineConfig } from '../../shared/config.ts';
import type { LiveLine, LiveStation, LineState, ShiftRef, Counters, ConnectionState, Alert, LiveSnapshot } from '../../shared/api.ts';
import type { StationState, TelemetryEvent } from '../../shared/telemetry.ts';
import { shiftAt, plannedSeconds, type ShiftInstance } from '../../shared/shifts.ts';
import { taktIntervals, percentOf, targetUnitsFor } from '../../shared/figures.ts';
import type { Store } from './store/store.ts';

/** Rolling window of the live takt: 60 s, or 10 targets for slow lines (10 min for a 60 s line). */
export function liveWindowS(targetTaktS: number | null): number {
  return Math.max(60, 10 * (targetTaktS ?? 6));
}

/** No unit for this long (and no explaining state) means the line has stopped: 10 s or 3 targets. */
export function stopAfterS(targetTaktS: number | null): number {
  return Math.max(10, 3 * (targetTaktS ?? 6));
}

/** A station silent for this long is flagged stale: 30 s or 5 targets. */
export function staleAfterS(targetTaktS: number | null): number {
  return Math.max(30, 5 * (targetTaktS ?? 6));
}

/** The sparkline's 30 buckets span 30 min, or 60 targets for slow lines (1 h of a 60 s line). */
export function sparklineSpanS(targetTaktS: number | null): number {
  return Math.max(1800, 60 * (targetTaktS ?? 6));
}

const SPARK_BUCKETS = 30;

interface StationLive {
  id: string;
  configured: boolean;
  state: StationState | null;
  stateTs: number;
  lastCycleMs: number | null;
  lastSeen: number | null;
  /** (ts, cycle_ms) pairs of the live window, appended in arrival order. */
  cycleTs: number[];
  cycleMs: number[];
}

interface ShiftCount {
  shift: ShiftInstance;
  units: number;
  good: number;
}

interface LineLive {
  id: string;
  config: LineConfig | null;
  stations: Map<string, StationLive>;
  /** Output-station ts of the recent past, kept sorted (late events are inserted in place). */
  outputTs: number[];
  lastUnitTs: number | null;
  count: ShiftCount | null;
}

export interface LiveSources {
  counters(): Counters;
  connection(): ConnectionState;
  alerts(): Alert[];
}

export class LiveView {
  private readonly config: Config;
  private readonly store: Store;
  private readonly lines = new Map<string, LineLive>();
  private gapCache: { at: number; byLine: Map<string, { missing: number; since: number | null }> } = { at: 0, byLine: new Map() };

  constructor(config: Config, store: Store, now: number) {
    this.config = config;
    this.store = store;
    for (const l of config.lines) this.lines.set(l.id, this.newLine(l.id, l));
    for (const id of store.linesSeen()) if (!this.lines.has(id)) this.lines.set(id, this.newLine(id, null));
    for (const line of this.lines.values()) this.load(line, now);
  }

  private newLine(id: string, config: LineConfig | null): LineLive {
    const stations = new Map<string, StationLive>();
    for (const s of config?.stations ?? []) stations.set(s, newStation(s, true));
    return { id, config, stations, outputTs: [], lastUnitTs: null, count: null };
  }

  /** After a restart the live view starts from what the database already holds. */
  private load(line: LineLive, now: number): void {
    const target = line.config?.targetTaktS ?? null;
    for (const last of this.store.lastEventPerStation(line.id)) {
      const st = this.station(line, last.station);
      st.state = last.state ?? null;
      st.stateTs = last.stateSince ?? 0;
      st.lastCycleMs = last.lastCycleMs ?? null;
      st.lastSeen = last.receivedAt ?? null;
    }
    const from = now - 1000 * Math.max(liveWindowS(target), sparklineSpanS(target));
    for (const c of this.store.cycles(line.id, now - 1000 * liveWindowS(target), now + 1)) {
      if (c.cycleMs !== undefined && c.cycleMs !== null) {
        const st = this.station(line, c.station);
        st.cycleTs.push(c.ts);
        st.cycleMs.push(c.cycleMs);
      }
    }
    const out = outputStationOf(line);
    if (out) {
      line.outputTs = this.store.outputTimes(line.id, out, from, now + 5 * 60_000);
      line.lastUnitTs = line.outputTs.length ? line.outputTs[line.outputTs.length - 1] : null;
    }
  }

  private station(line: LineLive, id: string): StationLive {
    let st = line.stations.get(id);
    if (!st) {
      st = newStation(id, false);
      line.stations.set(id, st);
    }
    return st;
  }

  /** Called for every newly stored event (never for duplicates or quarantined input). */
  onEvent(e: TelemetryEvent, receivedAt: number): void {
    let line = this.lines.get(e.line);
    if (!line) {
      line = this.newLine(e.line, null);
      this.lines.set(e.line, line);
    }
    const st = this.station(line, e.station);
    st.lastSeen = receivedAt;
    if (e.kind === 'state') {
      if (e.ts >= st.stateTs) {
        st.state = e.state ?? null;
        st.stateTs = e.ts;
      }
      return;
    }
    if (e.cycleMs !== undefined) {
      st.lastCycleMs = e.cycleMs;
      st.cycleTs.push(e.ts);
      st.cycleMs.push(e.cycleMs);
    }
    if (e.station !== outputStationOf(line)) return;
    insertSorted(line.outputTs, e.ts);
    if (line.lastUnitTs === null || e.ts > line.lastUnitTs) line.lastUnitTs = e.ts;
    const c = line.count;
    if (c && e.ts >= c.shift.start && e.ts < c.shift.end) {
      c.units++;
      if (e.ok !== false) c.good++;
    }
  }

  snapshot(now: number, sources: LiveSources): LiveSnapshot {
    const shift = shiftAt(this.config, now);
    const windowS: Record<string, number> = {};
    const lines: LiveLine[] = [];
    const gaps = this.gaps(now);
    const ordered = [...this.lines.values()].sort((a, b) => (a.config ? 0 : 1) - (b.config ? 0 : 1));
    for (const line of ordered) {
      windowS[line.id] = liveWindowS(line.config?.targetTaktS ?? null);
      lines.push(this.lineSnapshot(line, now, shift, gaps.get(line.id)));
    }
    return {
      ts: now,
      site: this.config.site,
      timezone: this.config.timezone,
      broker: sources.connection(),
      windowS,
      lines,
      counters: sources.counters(),
      alerts: sources.alerts(),
    };
  }

  private lineSnapshot(line: LineLive, now: number, shift: ShiftInstance | null, gaps: { missing: number; since: number | null } | undefined): LiveLine {
    const target = line.config?.targetTaktS ?? null;
    const winMs = 1000 * liveWindowS(target);
    this.trim(line, now);
    const stations = this.stationSnapshots(line, now, winMs);
    const state = lineState(line, stations, now, target);
    const stopped = state !== 'running';
    const actual = stopped ? null : rollingTakt(line.outputTs, now, winMs, shift);
    const count = this.shiftCount(line, shift);
    const shiftTargetUnits = shift ? targetUnitsFor(plannedSeconds(shift, now), target) : null;
    return {
      id: line.id,
      name: line.config?.name ?? line.id,
      configured: line.config !== null,
      targetTaktS: target,
      actualTaktS: actual,
      unitsPerMin: actual ? 60 / actual : 0,
      state,
      shift: shift ? shiftRef(shift) : null,
      shiftUnits: count?.units ?? 0,
      shiftGood: count?.good ?? 0,
      shiftRejects: count ? count.units - count.good : 0,
      shiftTargetUnits,
      attainmentPct: shiftTargetUnits === null ? null : percentOf(count?.units ?? 0, shiftTargetUnits),
      lastUnitTs: line.lastUnitTs,
      sparkline: sparkline(line.outputTs, now, sparklineSpanS(target) * 1000),
      stations,
      bottleneckStation: bottleneck(stations),
      gaps: gaps ?? { missing: 0, since: null },
    };
  }

  private stationSnapshots(line: LineLive, now: number, winMs: number): LiveStation[] {
    const target = line.config?.targetTaktS ?? null;
    const staleMs = 1000 * staleAfterS(target);
    const out: LiveStation[] = [];
    for (const st of line.stations.values()) {
      let sum = 0;
      let n = 0;
      for (let i = 0; i < st.cycleTs.length; i++) {
        if (st.cycleTs[i] > now - winMs) {
          sum += st.cycleMs[i];
          n++;
        }
      }
      out.push({
        id: st.id,
        configured: st.configured,
        state: st.state,
        stateSince: st.state ? st.stateTs : null,
        lastCycleMs: st.lastCycleMs,
        meanCycleMs: n ? sum / n : null,
        lastSeen: st.lastSeen,
        stale: st.lastSeen === null || now - st.lastSeen > staleMs,
      });
    }
    return out;
  }

  /** Counting starts from the database once per shift instance, then follows the events. */
  private shiftCount(line: LineLive, shift: ShiftInstance | null): ShiftCount | null {
    if (!shift) return null;
    if (line.count && line.count.shift.start === shift.start && line.count.shift.name === shift.name) return line.count;
    const out = outputStationOf(line);
    let units = 0;
    let good = 0;
    if (out) {
      for (const c of this.store.cycles(line.id, shift.start, shift.end, out)) {
        units++;
        if (c.ok) good++;
      }
    }
    line.count = { shift, units, good };
    return line.count;
  }

  private trim(line: LineLive, now: number): void {
    const target = line.config?.targetTaktS ?? null;
    const keepFrom = now - 1000 * Math.max(liveWindowS(target), sparklineSpanS(target));
    dropBefore(line.outputTs, keepFrom);
    const winFrom = now - 1000 * liveWindowS(target);
    for (const st of line.stations.values()) {
      let k = 0;
      while (k < st.cycleTs.length && st.cycleTs[k] <= winFrom) k++;
      if (k > 0) {
        st.cycleTs.splice(0, k);
        st.cycleMs.splice(0, k);
      }
    }
  }

  private gaps(now: number): Map<string, { missing: number; since: number | null }> {
    if (now - this.gapCache.at < 5000) return this.gapCache.byLine;
    const byLine = new Map<string, { missing: number; since: number | null }>();
    for (const g of this.store.gaps()) {
      const cur = byLine.get(g.line) ?? { missing: 0, since: null };
      cur.missing += g.missing;
      cur.since = cur.since === null ? g.detectedAt : Math.min(cur.since, g.detectedAt);
      byLine.set(g.line, cur);
    }
    this.gapCache = { at: now, byLine };
    return byLine;
  }
}

function newStation(id: string, configured: boolean): StationLive {
  return { id, configured, state: null, stateTs: 0, lastCycleMs: null, lastSeen: null, cycleTs: [], cycleMs: [] };
}

function outputStationOf(line: LineLive): string | null {
  return line.config?.outputStation ?? null;
}

function shiftRef(s: ShiftInstance): ShiftRef {
  return { name: s.name, productionDate: s.productionDate, start: s.start, end: s.end };
}

function insertSorted(arr: number[], v: number): void {
  let i = arr.length;
  if (i === 0 || arr[i - 1] <= v) {
    arr.push(v);
    return;
  }
  while (i > 0 && arr[i - 1] > v) i--;
  arr.splice(i, 0, v);
}

function dropBefore(sorted: number[], from: number): void {
  let k = 0;
  while (k < sorted.length && sorted[k] < from) k++;
  if (k > 0) sorted.splice(0, k);
}

/**
 * Mean takt interval over the window (breaks left out, as in the figures), plus the open interval
 * since the last unit once it is longer than that mean, so a stalling line shows a rising takt at
 * once instead of its last rate. Null when there is no interval in the window.
 */
export function rollingTakt(outputTs: number[], now: number, winMs: number, shift: ShiftInstance | null): number | null {
  const start = now - winMs;
  let i = outputTs.length;
  while (i > 0 && outputTs[i - 1] > start) i--;
  const recent = outputTs.slice(Math.max(0, i - 1)).filter((t) => t <= now);
  const intervals = taktIntervals(recent, { start, end: now + 1, breaks: shift?.breaks ?? [] });
  if (intervals.length === 0) return null;
  let sum = 0;
  for (const x of intervals) sum += x;
  const mean = sum / intervals.length;
  const open = (now - recent[recent.length - 1]) / 1000;
  if (open > mean) return (sum + open) / (intervals.length + 1);
  return mean;
}

function sparkline(outputTs: number[], now: number, spanMs: number): (number | null)[] {
  const bucketMs = spanMs / SPARK_BUCKETS;
  const start = now - spanMs;
  const sums = new Array<number>(SPARK_BUCKETS).fill(0);
  const counts = new Array<number>(SPARK_BUCKETS).fill(0);
  for (let i = 1; i < outputTs.length; i++) {
    const t = outputTs[i];
    if (t <= start || t > now) continue;
    const b = Math.min(SPARK_BUCKETS - 1, Math.floor((t - start) / bucketMs));
    sums[b] += (t - outputTs[i - 1]) / 1000;
    counts[b]++;
  }
  return sums.map((s, i) => (counts[i] ? s / counts[i] : null));
}

function lineState(line: LineLive, stations: LiveStation[], now: number, target: number | null): LineState {
  if (stations.some((s) => s.state === 'down')) return 'down';
  const recentUnit = line.lastUnitTs !== null && now - line.lastUnitTs <= 1000 * stopAfterS(target);
  if (recentUnit) return 'running';
  if (stations.some((s) => s.state === 'changeover')) return 'changeover';
  if (stations.some((s) => s.state === 'planned_stop')) return 'planned_stop';
  if (line.lastUnitTs === null && stations.every((s) => s.state === null)) return 'unknown';
  return 'stopped';
}

function bottleneck(stations: LiveStation[]): string | null {
  let best: LiveStation | null = null;
  for (const s of stations) {
    if (s.meanCycleMs === null) continue;
    if (!best || s.meanCycleMs > (best.meanCycleMs ?? -1)) best = s;
  }
  return best?.id ?? null;
}
