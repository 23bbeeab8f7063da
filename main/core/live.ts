// Live figures per line, fed by every stored event and read as a snapshot a few times a second.
// Per-event work is O(1) amortised (ring buffers, counters); the snapshot does the arithmetic. The
// configuration is the version of the current shift instance's production date (CONTRACT §2.1).
import type { Config, LineConfig } from '../../shared/config.ts';
import type { AndonAlert, FeedStatus, LiveLine, LiveStation, LineState, OpenStop, ShiftRef, Counters, ConnectionState, Alert, LiveSnapshot } from '../../shared/api.ts';
import { lossThresholdsOf, reasonOf, type StopCode } from '../../shared/losses.ts';
import { stopCodes } from './store/operator.ts';
import type { StationState, TelemetryEvent } from '../../shared/telemetry.ts';
import { localDate, plannedSeconds, type ShiftInstance } from '../../shared/shifts.ts';
import { taktIntervals, percentOf, targetUnitsFor } from '../../shared/figures.ts';
import { instancesOf, newestVersion, shiftAt, versionFor, type ConfigVersion, type VersionedShift } from '../../shared/versions.ts';
import { forecastShift } from '../../shared/forecast.ts';
import type { Reads } from './store/reads.ts';

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
/** Codes of stops that began this long ago at most are loaded at start, for a stop still open. */
const CODES_LOOKBACK_MS = 7 * 86_400_000;

interface StationLive {
  id: string;
  state: StationState | null;
  stateTs: number;
  /** While down: where the down period began and its reason (CONTRACT §2.4: a repeated down with the same reason continues it). */
  downSince: number | null;
  downReason: string | null;
  lastCycleMs: number | null;
  lastSeen: number | null;
  /** (ts, cycle_ms) pairs of the live window, appended in arrival order. */
  cycleTs: number[];
  cycleMs: number[];
}

interface ShiftCount {
  /** Identifies the shift instance and the station counted: a new shift or output station starts over. */
  key: string;
  start: number;
  end: number;
  output: string;
  units: number;
  good: number;
}

interface LineLive {
  id: string;
  /** Units of today's finished shifts, and which finished shifts they are. */
  today?: { key: string; units: number };
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
  /** Missing seq numbers per line, and since when (from the writer's memory). */
  gaps(): Map<string, { missing: number; since: number | null }>;
  /** The open andon alerts. */
  andon(): AndonAlert[];
}

export interface LiveMode {
  mode: LiveSnapshot['mode'];
  /** Why the demo runs instead of the plant's configuration, in words; null when it is what was asked for. */
  modeReason: string | null;
}

export class LiveView {
  private versions: readonly ConfigVersion[];
  private readonly reads: Reads;
  private readonly lines = new Map<string, LineLive>();
  /** The configuration of the current shift's production date, refreshed at every snapshot (events use it). */
  private config: Config;
  private shift: VersionedShift | null = null;
  /** The operator's codes of recent stops, for the open stop (the figures read theirs from the file). */
  private readonly codes = new Map<string, StopCode>();

  constructor(versions: readonly ConfigVersion[], reads: Reads, now: number) {
    this.versions = versions;
    this.reads = reads;
    this.config = this.configAt(now);
    for (const id of [...this.config.lines.map((l) => l.id), ...reads.linesSeen()]) this.line(id);
    for (const line of this.lines.values()) {
      this.load(line, now);
      for (const c of stopCodes(reads.db, line.id, now - CODES_LOOKBACK_MS, now + 1)) this.noteCode(c);
    }
  }

  /** An operator coded a stop: the open stop shows it at once. */
  noteCode(code: StopCode): void {
    this.codes.set(codeKey(code.line, code.station, code.start), code);
  }

  /** The configuration of the current shift's production date (what the last snapshot used). */
  currentConfig(): Config {
    return this.config;
  }

  /** A version was recorded: the next snapshot uses it where it governs now. */
  setVersions(versions: readonly ConfigVersion[], now: number): void {
    this.versions = versions;
    this.config = this.configAt(now);
    for (const l of this.config.lines) this.line(l.id);
  }

  private configAt(now: number): Config {
    this.shift = shiftAt(this.versions, now);
    if (this.shift) return this.shift.config;
    return versionFor(this.versions, localDate(newestVersion(this.versions).config.timezone, now)).config;
  }

  private line(id: string): LineLive {
    let line = this.lines.get(id);
    if (!line) {
      line = { id, stations: new Map(), outputTs: [], lastUnitTs: null, count: null };
      this.lines.set(id, line);
    }
    return line;
  }

  private lineConfig(line: LineLive): LineConfig | null {
    return this.config.lines.find((l) => l.id === line.id) ?? null;
  }

  /** After a restart the live view starts from what the database already holds. */
  private load(line: LineLive, now: number): void {
    for (const last of this.reads.lastEventPerStation(line.id)) {
      const st = this.station(line, last.station);
      st.state = last.state ?? null;
      st.stateTs = last.stateSince ?? 0;
      st.downSince = last.downSince;
      st.downReason = last.downReason;
      st.lastCycleMs = last.lastCycleMs ?? null;
      st.lastSeen = last.receivedAt ?? null;
    }
    const cfg = this.lineConfig(line);
    const target = cfg?.targetTaktS ?? null;
    for (const c of this.reads.cycles(line.id, [...line.stations.keys()], now - 1000 * liveWindowS(target), now + 1)) {
      if (c.cycleMs !== undefined) {
        const st = this.station(line, c.station);
        st.cycleTs.push(c.ts);
        st.cycleMs.push(c.cycleMs);
      }
    }
    if (cfg) {
      line.outputTs = this.reads.outputTimes(line.id, cfg.outputStation, now - 1000 * Math.max(liveWindowS(target), sparklineSpanS(target)), now + 5 * 60_000);
      line.lastUnitTs = line.outputTs.length ? line.outputTs[line.outputTs.length - 1] : null;
    }
  }

  private station(line: LineLive, id: string): StationLive {
    let st = line.stations.get(id);
    if (!st) {
      st = { id, state: null, stateTs: 0, downSince: null, downReason: null, lastCycleMs: null, lastSeen: null, cycleTs: [], cycleMs: [] };
      line.stations.set(id, st);
    }
    return st;
  }

  /** Called for every newly stored event (never for duplicates or quarantined input). */
  onEvent(e: TelemetryEvent, receivedAt: number): void {
    const line = this.line(e.line);
    const st = this.station(line, e.station);
    st.lastSeen = receivedAt;
    if (e.kind === 'state') {
      if (e.ts >= st.stateTs) {
        st.state = e.state ?? null;
        st.stateTs = e.ts;
        if (e.state !== 'down') st.downSince = st.downReason = null;
        else if (st.downSince === null || st.downReason !== reasonOf(e.reason)) {
          st.downSince = e.ts;
          st.downReason = reasonOf(e.reason);
        }
      }
      return;
    }
    if (e.cycleMs !== undefined) {
      st.lastCycleMs = e.cycleMs;
      st.cycleTs.push(e.ts);
      st.cycleMs.push(e.cycleMs);
    }
    const cfg = this.lineConfig(line);
    if (!cfg || e.station !== cfg.outputStation) return;
    insertSorted(line.outputTs, e.ts);
    if (line.lastUnitTs === null || e.ts > line.lastUnitTs) line.lastUnitTs = e.ts;
    const c = line.count;
    if (c && c.output === e.station && e.ts >= c.start && e.ts < c.end) {
      c.units++;
      if (e.ok !== false) c.good++;
    }
  }

  snapshot(now: number, sources: LiveSources, mode: LiveMode): LiveSnapshot {
    this.config = this.configAt(now);
    const shift = this.shift;
    const windowS: Record<string, number> = {};
    const lines: LiveLine[] = [];
    const gaps = sources.gaps();
    const configured = this.config.lines.map((l) => this.line(l.id));
    const others = [...this.lines.values()].filter((l) => !this.lineConfig(l));
    for (const line of [...configured, ...others]) {
      windowS[line.id] = liveWindowS(this.lineConfig(line)?.targetTaktS ?? null);
      lines.push(this.lineSnapshot(line, now, shift, gaps.get(line.id)));
    }
    return {
      ts: now,
      site: this.config.site,
      timezone: this.config.timezone,
      mode: mode.mode,
      modeReason: mode.modeReason,
      broker: sources.connection(),
      windowS,
      lines,
      counters: sources.counters(),
      alerts: sources.alerts(),
      andon: sources.andon(),
      feeds: this.feedStatus(now),
    };
  }

  private lineSnapshot(line: LineLive, now: number, shift: ShiftInstance | null, gaps: { missing: number; since: number | null } | undefined): LiveLine {
    const cfg = this.lineConfig(line);
    const target = cfg?.targetTaktS ?? null;
    const winMs = 1000 * liveWindowS(target);
    this.trim(line, now, target);
    const stations = this.stationSnapshots(line, cfg, now, winMs);
    // Unconfigured stations of a configured line take no part in its figures (CONTRACT §1.4).
    const counted = cfg ? stations.filter((s) => s.configured) : stations;
    const state = lineState(line, counted, now, target);
    const stopped = state !== 'running';
    const recent = recentTakt(line.outputTs, now, winMs, shift);
    const actual = stopped ? null : rollingTakt(recent, now);
    const count = cfg && shift ? this.shiftCount(line, cfg, shift) : null;
    const shiftTargetUnits = shift && cfg ? targetUnitsFor(plannedSeconds(shift, now), target) : null;
    const forecast =
      cfg && shift && count
        ? forecastShift({
            shift,
            now,
            units: count.units,
            targetUnits: targetUnitsFor(plannedSeconds(shift), target) as number,
            recentIntervalsS: recent.intervalsS,
            idealCycleS: cfg.idealCycleS ?? cfg.targetTaktS,
          })
        : null;
    return {
      id: line.id,
      name: cfg?.name ?? line.id,
      configured: cfg !== null,
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
      bottleneckStation: bottleneck(counted),
      gaps: gaps ?? { missing: 0, since: null },
      openStop: this.withCode(line.id, openStop(line, cfg, counted, now, shift)),
      forecast,
    };
  }

  private withCode(line: string, stop: Omit<OpenStop, 'code'> | null): OpenStop | null {
    if (!stop) return null;
    const c = this.codes.get(codeKey(line, stop.station, stop.since));
    return { ...stop, code: c ? { reason: c.reason, comment: c.comment, by: c.by, at: c.at } : null };
  }

  /**
   * Today's production per line (CONTRACT §2.1: today's version): the units of today's shifts that are
   * over, counted once from the file when one ends, plus the current shift's running count.
   */
  private todayUnits(line: LineLive, cfg: LineConfig, now: number): number {
    const today = localDate(this.config.timezone, now);
    const instances = instancesOf(this.versions, today);
    const done = instances.filter((s) => s.end <= now);
    const key = `${today}|${cfg.outputStation}|${done.map((s) => s.name).join(',')}`;
    if (line.today?.key !== key) {
      let units = 0;
      for (const s of done) units += this.reads.countCycles(line.id, cfg.outputStation, s.start, s.end);
      line.today = { key, units };
    }
    const current = this.shift && this.shift.productionDate === today && line.count ? line.count.units : 0;
    return line.today.units + current;
  }

  /** Whether today's cells cover the vehicles being built (issue 11): an estimate from counts, not an inventory. */
  private feedStatus(now: number): FeedStatus[] {
    const today = localDate(this.config.timezone, now);
    const instances = instancesOf(this.versions, today);
    return this.config.feeds.flatMap((f) => {
      const from = this.config.lines.find((l) => l.id === f.from);
      const to = this.config.lines.find((l) => l.id === f.to);
      if (!from || !to) return [];
      const made = this.todayUnits(this.line(from.id), from, now);
      const built = this.todayUnits(this.line(to.id), to, now);
      const planned = instances.reduce((n, s) => n + ((targetUnitsFor(plannedSeconds(s), to.targetTaktS) as number) ?? 0), 0);
      const neededBuilt = built * f.perUnit;
      const neededPlanned = planned * f.perUnit;
      const stock = made - neededBuilt;
      return [{ from: f.from, to: f.to, perUnit: f.perUnit, made, neededBuilt, neededPlanned, stock, coversS: stock > 0 ? (stock / f.perUnit) * to.targetTaktS : 0 }];
    });
  }

  private stationSnapshots(line: LineLive, cfg: LineConfig | null, now: number, winMs: number): LiveStation[] {
    const staleMs = 1000 * staleAfterS(cfg?.targetTaktS ?? null);
    const order = cfg ? [...cfg.stations, ...[...line.stations.keys()].filter((s) => !cfg.stations.includes(s)).sort()] : [...line.stations.keys()];
    const out: LiveStation[] = [];
    for (const id of order) {
      const st = this.station(line, id);
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
        configured: cfg === null || cfg.stations.includes(id),
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

  /** Counting starts from the database once per shift instance (and output station), then follows the events. */
  private shiftCount(line: LineLive, cfg: LineConfig, shift: ShiftInstance): ShiftCount {
    const key = `${shift.productionDate}|${shift.name}|${shift.start}|${cfg.outputStation}`;
    if (line.count?.key === key) return line.count;
    let units = 0;
    let good = 0;
    for (const c of this.reads.cycles(line.id, [cfg.outputStation], shift.start, shift.end)) {
      units++;
      if (c.ok) good++;
    }
    line.count = { key, start: shift.start, end: shift.end, output: cfg.outputStation, units, good };
    return line.count;
  }

  private trim(line: LineLive, now: number, target: number | null): void {
    dropBefore(line.outputTs, now - 1000 * Math.max(liveWindowS(target), sparklineSpanS(target)));
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
}

/** The stop going on now: the first configured station to go down, or (in a shift) no unit for longer than stopAfterS. */
function codeKey(line: string, station: string | null, start: number): string {
  return `${line}\u0000${station ?? ''}\u0000${start}`;
}

function openStop(line: LineLive, cfg: LineConfig | null, counted: readonly LiveStation[], now: number, shift: ShiftInstance | null): Omit<OpenStop, 'code'> | null {
  let first: StationLive | null = null;
  for (const s of counted) {
    const st = line.stations.get(s.id);
    if (st?.state === 'down' && st.downSince !== null && (first === null || st.downSince < (first.downSince as number))) first = st;
  }
  if (first) return { kind: 'down', station: first.id, since: first.downSince as number, reason: first.downReason };
  if (!cfg || !shift || line.lastUnitTs === null) return null;
  const { L } = lossThresholdsOf(cfg);
  return now - line.lastUnitTs > L * 1000 ? { kind: 'unreported_stop', station: null, since: line.lastUnitTs, reason: null } : null;
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

interface RecentTakt {
  /** The takt intervals of the live window, in seconds, breaks left out (as in the figures). */
  intervalsS: number[];
  /** The last unit in the window, or null. */
  lastTs: number | null;
}

/**
 * The live window's intervals, read from the window's own units: the output times kept for the
 * sparkline span 30 times as long, and on a fast line (or a flood) they are hundreds of thousands.
 */
function recentTakt(outputTs: number[], now: number, winMs: number, shift: ShiftInstance | null): RecentTakt {
  const start = now - winMs;
  let end = outputTs.length;
  while (end > 0 && outputTs[end - 1] > now) end--;
  let i = end;
  while (i > 0 && outputTs[i - 1] > start) i--;
  const recent = outputTs.slice(Math.max(0, i - 1), end);
  return { intervalsS: taktIntervals(recent, { start, end: now + 1, breaks: shift?.breaks ?? [] }), lastTs: recent.length ? recent[recent.length - 1] : null };
}

/**
 * Mean takt interval over the window, plus the open interval since the last unit once it is longer
 * than that mean, so a stalling line shows a rising takt at once instead of its last rate. Null when
 * there is no interval in the window.
 */
function rollingTakt({ intervalsS, lastTs }: RecentTakt, now: number): number | null {
  if (intervalsS.length === 0 || lastTs === null) return null;
  let sum = 0;
  for (const x of intervalsS) sum += x;
  const mean = sum / intervalsS.length;
  const open = (now - lastTs) / 1000;
  if (open > mean) return (sum + open) / (intervalsS.length + 1);
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
