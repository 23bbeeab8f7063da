// Every read of the store, over any connection: the engine's own (the live view's start) or a read
// worker's read-only one (History, CSVs, Diagnostics: main/core/reads/). Shaped so a day of a 1 s plant
// (millions of cycle events) is never turned into one object per event: the output station's cycles as
// typed arrays, every other station's cycles as totals (from the per-minute rollups when the windows
// allow, else one SQL aggregate). Statements are prepared on first use: a CLI export never pays for the
// ones it does not run.
import type { GapItem, QuarantineItem } from '../../../shared/api.ts';
import { unionWindows, type CycleTotals, type StationCycles } from '../../../shared/figures.ts';
import type { TimeWindow } from '../../../shared/shifts.ts';
import type { StationState } from '../../../shared/telemetry.ts';
import { reasonOf } from '../../../shared/losses.ts';
import { reasonWords, type Words } from '../../../shared/words.ts';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';
import { timed } from './writer.ts';

const MINUTE_MS = 60_000;
/** How many of a station's newest events its clock skew is taken from. */
const SKEW_SAMPLE = 200;

export interface CycleRow {
  station: string;
  ts: number;
  ok: boolean;
  cycleMs?: number;
}

export interface StateRow {
  station: string;
  ts: number;
  state: StationState;
  /** The `reason` the station sent with it (a `down` state's cause), or null. */
  reason: string | null;
}

export interface RollupRow {
  station: string;
  /** Start of the minute, epoch ms. */
  minute: number;
  units: number;
  good: number;
  rejects: number;
  cycleMsSum: number;
  cycleMsCount: number;
}

export interface StationLast {
  station: string;
  lastTs: number | null;
  /** When this machine received the station's newest event (its "last seen"). */
  receivedAt: number | null;
  lastCycleTs: number | null;
  /** cycle_ms of the station's newest cycle event (null when that event had none). */
  lastCycleMs: number | null;
  state: StationState | null;
  /** Start of the current state: the first of the consecutive state events that repeat it. */
  stateSince: number | null;
  /** While down: where the down period began (CONTRACT §2.4: a repeated down with the same reason continues it), and its reason. */
  downSince: number | null;
  downReason: string | null;
}

export interface ClockSkew {
  line: string;
  station: string;
  /** Median of received_at − ts: positive when the station's clock is behind this machine's. */
  skewMs: number;
}

/** A station telemetry names under a line whose configuration does not list it (CONTRACT §1.4). */
export interface StationSeen {
  line: string;
  station: string;
  firstSeen: number;
  messages: number;
}

/** The output station's cycles in [from, to): timestamps ascending, and the rejected ones among them. */
export interface OutputSeries {
  outputTs: Float64Array;
  rejectTs: Float64Array;
}

/** Stations as one SQL parameter: a JSON array read with json_each. */
const IN_STATIONS = 'station IN (SELECT value FROM json_each(@stations))';

function prepare(db: Db) {
  return {
    cycles: db
      .prepare(`SELECT station, ts, ok, cycle_ms FROM events
                WHERE line = @line AND ${IN_STATIONS} AND ts >= @from AND ts < @to AND kind = 'cycle' ORDER BY ts`)
      .raw(),
    outputTimes: db.prepare(`SELECT ts FROM events WHERE line = ? AND station = ? AND ts >= ? AND ts < ? AND kind = 'cycle' ORDER BY ts`).pluck(),
    // The planner has no statistics and would walk the primary key through every cycle; states are rare.
    states: db.prepare(`SELECT station, ts, state, reason FROM events INDEXED BY events_state
                        WHERE kind = 'state' AND line = @line AND ${IN_STATIONS} AND ts >= @from AND ts < @to ORDER BY ts`),
    stateBefore: db
      .prepare(`SELECT ts, state, reason FROM events INDEXED BY events_state WHERE kind = 'state' AND line = ? AND station = ? AND ts < ? ORDER BY ts DESC LIMIT 1`)
      .raw(),
    lastOtherState: db
      .prepare(`SELECT ts FROM events INDEXED BY events_state WHERE kind = 'state' AND line = ? AND station = ? AND ts < ? AND state <> ? ORDER BY ts DESC LIMIT 1`)
      .pluck(),
    // The last state event that does not continue a down period of this reason (missing or blank = unspecified).
    lastOtherDown: db
      .prepare(`SELECT ts FROM events INDEXED BY events_state WHERE kind = 'state' AND line = ? AND station = ? AND ts < ?
                AND NOT (state = 'down' AND COALESCE(NULLIF(TRIM(reason), ''), 'unspecified') = ?) ORDER BY ts DESC LIMIT 1`)
      .pluck(),
    firstStateAfter: db.prepare(`SELECT ts FROM events INDEXED BY events_state WHERE kind = 'state' AND line = ? AND station = ? AND ts > ? ORDER BY ts LIMIT 1`).pluck(),
    lastAny: db.prepare('SELECT ts, received_at FROM events WHERE line = ? AND station = ? ORDER BY ts DESC LIMIT 1').raw(),
    lastCycle: db.prepare(`SELECT ts, cycle_ms FROM events WHERE line = ? AND station = ? AND kind = 'cycle' ORDER BY ts DESC LIMIT 1`).raw(),
    skewSample: db.prepare('SELECT received_at - ts FROM events WHERE line = ? AND station = ? ORDER BY ts DESC LIMIT ?').pluck(),
    rollups: db.prepare(`SELECT station, minute, units, good, rejects, cycle_ms_sum AS cycleMsSum, cycle_ms_count AS cycleMsCount
                         FROM rollups WHERE line = @line AND ${IN_STATIONS} AND minute >= @from AND minute < @to ORDER BY minute, station`),
    gapsAll: db.prepare(`SELECT line, station, boot, from_seq AS fromSeq, to_seq AS toSeq, detected_at AS detectedAt
                         FROM gaps ORDER BY detected_at DESC, id DESC LIMIT ?`),
    gapsOfLine: db.prepare(`SELECT line, station, boot, from_seq AS fromSeq, to_seq AS toSeq, detected_at AS detectedAt
                            FROM gaps WHERE line = ? ORDER BY detected_at DESC, id DESC LIMIT ?`),
    quarantineCounts: db.prepare('SELECT reason, count FROM quarantine_counts ORDER BY count DESC, reason'),
    linesSeen: db.prepare('SELECT DISTINCT line FROM streams ORDER BY line').pluck(),
    stationsSeen: db.prepare('SELECT DISTINCT station FROM streams WHERE line = ? ORDER BY station').pluck(),
    stationsSeenAll: db.prepare(`SELECT line, station, MIN(first_seen) AS firstSeen, SUM(stored) + SUM(duplicates) AS messages
                                 FROM streams GROUP BY line, station ORDER BY line, station`),
    // One number per row, relative to `from` so it stays a small integer (no heap number per row in V8);
    // a rejected cycle is stored as −(offset + 1). An `ok` that is not 1 counts as rejected, as in cycles().
    output: db
      .prepare(`SELECT CASE WHEN ok = 1 THEN ts - @from ELSE -(ts - @from) - 1 END FROM events
                WHERE line = @line AND station = @station AND ts >= @from AND ts < @to AND kind = 'cycle' ORDER BY ts`)
      .pluck(),
    // Per station over whole minutes: the rows whose cycle_ms_sum is not a whole number are counted, since
    // only whole-ms sums convert exactly to the µs the figures sum in.
    rollupTotals: db
      .prepare(`SELECT station, SUM(units), SUM(cycle_ms_count), SUM(cycle_ms_sum), SUM(cycle_ms_sum <> ROUND(cycle_ms_sum)), MIN(minute)
                FROM rollups WHERE line = @line AND ${IN_STATIONS} AND minute >= @from AND minute < @to GROUP BY station`)
      .raw(),
    rollupUnits: db.prepare('SELECT units FROM rollups WHERE line = ? AND station = ? AND minute = ?').pluck(),
    rawCount: db.prepare(`SELECT COUNT(*) FROM events WHERE line = ? AND station = ? AND ts >= ? AND ts < ? AND kind = 'cycle'`).pluck(),
    // Each cycle_ms rounded to whole µs exactly as the figures' scan does (Math.round: half up). For x ≥ 0.5,
    // x + 0.5 is exact or lands on the right integer, so truncating it is Math.round; below 0.5 it is 0.
    eventTotals: db
      .prepare(`SELECT station, COUNT(*), COUNT(cycle_ms),
                       SUM(CASE WHEN cycle_ms IS NULL OR cycle_ms * 1000 < 0.5 THEN 0 ELSE CAST(cycle_ms * 1000 + 0.5 AS INTEGER) END)
                FROM events WHERE line = @line AND ${IN_STATIONS} AND ts >= @from AND ts < @to AND kind = 'cycle' GROUP BY station`)
      .raw(),
    rejectReasons: db
      .prepare(`SELECT reason, COUNT(*) FROM events WHERE line = ? AND station = ? AND ts >= ? AND ts < ? AND kind = 'cycle' AND ok IS NOT 1 GROUP BY reason`)
      .raw(),
    firstCycle: db.prepare(`SELECT MIN(ts) FROM events WHERE line = ? AND station = ? AND ts >= ? AND ts < ? AND kind = 'cycle'`).pluck(),
  };
}

function hasColumn(db: Db, table: string, column: string): boolean {
  return (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).includes(column);
}

function storedWords(text: string | null): Words | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as Words;
  } catch {
    return null;
  }
}

function isWholeMinute(ms: number): boolean {
  return ms % MINUTE_MS === 0;
}

function addTotals(totals: Map<string, StationCycles>, station: string, cycles: number, timed: number, sumCycleUs: number): void {
  const t = totals.get(station);
  if (t) {
    t.cycles += cycles;
    t.timed += timed;
    t.sumCycleUs += sumCycleUs;
  } else totals.set(station, { cycles, timed, sumCycleUs });
}

export class Reads {
  readonly db: Db;
  private statements: ReturnType<typeof prepare> | null = null;
  private quarantineStatement: Statement | null = null;

  constructor(db: Db) {
    this.db = db;
  }

  private get r(): ReturnType<typeof prepare> {
    return (this.statements ??= prepare(this.db));
  }

  /** Every line telemetry has named, configured or not. */
  linesSeen(): string[] {
    return this.r.linesSeen.all() as string[];
  }

  stationsSeen(line: string): string[] {
    return this.r.stationsSeen.all(line) as string[];
  }

  /** Every (line, station) telemetry has named, with when it was first seen and how many messages it sent. */
  stationsSeenAll(): StationSeen[] {
    return timed('stationsSeenAll', () => this.r.stationsSeenAll.all() as StationSeen[]);
  }

  /** Cycle events of these stations with ts in [from, to), by ts. */
  cycles(line: string, stations: readonly string[], from: number, to: number): CycleRow[] {
    return timed('cycles', () => {
      const rows = this.r.cycles.all({ line, stations: JSON.stringify(stations), from, to }) as [string, number, number, number | null][];
      const out: CycleRow[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const [station, ts, ok, cycleMs] = rows[i];
        out[i] = cycleMs === null ? { station, ts, ok: ok === 1 } : { station, ts, ok: ok === 1, cycleMs };
      }
      return out;
    });
  }

  /** How many cycle events the station has in [from, to). */
  countCycles(line: string, station: string, from: number, to: number): number {
    return timed('countCycles', () => this.r.rawCount.get(line, station, from, to) as number);
  }

  /** ts of the station's cycle events in [from, to), ascending. */
  outputTimes(line: string, station: string, from: number, to: number): number[] {
    return timed('outputTimes', () => this.r.outputTimes.all(line, station, from, to) as number[]);
  }

  /** State events of these stations in [from, to), preceded per station by its last state before `from`. */
  states(line: string, stations: readonly string[], from: number, to: number): StateRow[] {
    return timed('states', () => {
      const before: StateRow[] = [];
      for (const station of stations) {
        const row = this.r.stateBefore.get(line, station, from) as [number, StationState, string | null] | undefined;
        if (row) before.push({ station, ts: row[0], state: row[1], reason: row[2] });
      }
      before.sort((a, b) => a.ts - b.ts);
      const inWindow = this.r.states.all({ line, stations: JSON.stringify(stations), from, to }) as StateRow[];
      return before.concat(inWindow);
    });
  }

  /** Rollup rows of these stations whose minute starts in [from, to). */
  rollups(line: string, stations: readonly string[], from: number, to: number): RollupRow[] {
    return timed('rollups', () => this.r.rollups.all({ line, stations: JSON.stringify(stations), from, to }) as RollupRow[]);
  }

  gaps(line?: string, limit = 1000): GapItem[] {
    return timed('gaps', () => {
      const rows = (line === undefined ? this.r.gapsAll.all(limit) : this.r.gapsOfLine.all(line, limit)) as Omit<GapItem, 'missing'>[];
      return rows.map((g) => ({ ...g, missing: g.toSeq - g.fromSeq + 1 }));
    });
  }

  /** Newest first. A row stored without words (an older build) gets them from its English where a template gives it. */
  quarantineItems(limit = 100): QuarantineItem[] {
    return timed('quarantineItems', () => {
      // A read-only connection may read a file an older build wrote (no migrations): it has no `words` column yet.
      this.quarantineStatement ??= this.db.prepare(
        `SELECT received_at AS receivedAt, topic, payload, reason, ${hasColumn(this.db, 'quarantine', 'words') ? 'words' : 'NULL AS words'}
         FROM quarantine ORDER BY id DESC LIMIT ?`,
      );
      const rows = this.quarantineStatement.all(limit) as (Omit<QuarantineItem, 'words'> & { words: string | null })[];
      return rows.map((row) => ({ ...row, words: storedWords(row.words) ?? reasonWords(row.reason) }));
    });
  }

  quarantineCounts(): { reason: string; count: number }[] {
    return timed('quarantineCounts', () => this.r.quarantineCounts.all() as { reason: string; count: number }[]);
  }

  /** What the live view needs for its first snapshot after a restart, per station telemetry named under the line. */
  lastEventPerStation(line: string): StationLast[] {
    return timed('lastEventPerStation', () =>
      this.stationsSeen(line).map((station) => {
        const any = this.r.lastAny.get(line, station) as [number, number] | undefined;
        const cycle = this.r.lastCycle.get(line, station) as [number, number | null] | undefined;
        const state = this.r.stateBefore.get(line, station, Number.MAX_SAFE_INTEGER) as [number, StationState, string | null] | undefined;
        let stateSince: number | null = null;
        let downSince: number | null = null;
        if (state) {
          const changedAt = this.r.lastOtherState.get(line, station, state[0], state[1]) as number | undefined;
          stateSince = this.r.firstStateAfter.get(line, station, changedAt ?? -1) as number;
          if (state[1] === 'down') {
            const otherAt = this.r.lastOtherDown.get(line, station, state[0], reasonOf(state[2])) as number | undefined;
            downSince = this.r.firstStateAfter.get(line, station, otherAt ?? -1) as number;
          }
        }
        return {
          station,
          lastTs: any ? any[0] : null,
          receivedAt: any ? any[1] : null,
          lastCycleTs: cycle ? cycle[0] : null,
          lastCycleMs: cycle ? cycle[1] : null,
          state: state ? state[1] : null,
          stateSince,
          downSince,
          downReason: downSince === null ? null : reasonOf(state![2]),
        };
      }),
    );
  }

  /** Per station, the median of received_at − ts over its newest events. */
  clockSkew(): ClockSkew[] {
    return timed('clockSkew', () => {
      const out: ClockSkew[] = [];
      for (const line of this.linesSeen()) {
        for (const station of this.stationsSeen(line)) {
          const d = this.r.skewSample.all(line, station, SKEW_SAMPLE) as number[];
          if (d.length === 0) continue;
          d.sort((a, b) => a - b);
          const mid = d.length >> 1;
          out.push({ line, station, skewMs: d.length % 2 ? d[mid] : Math.round((d[mid - 1] + d[mid]) / 2) });
        }
      }
      return out;
    });
  }

  // ---- the History and CSV forms ---------------------------------------------------------------------

  /** The output station's cycles with ts in [from, to), without an object per row. */
  outputSeries(line: string, station: string, from: number, to: number): OutputSeries {
    if (station === '' || to <= from) return { outputTs: new Float64Array(0), rejectTs: new Float64Array(0) };
    const rows = timed('outputSeries', () => this.r.output.all({ line, station, from, to }) as number[]);
    const outputTs = new Float64Array(rows.length);
    let rejects = 0;
    for (const v of rows) if (v < 0) rejects++;
    const rejectTs = new Float64Array(rejects);
    let k = 0;
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i];
      if (v >= 0) outputTs[i] = from + v;
      else rejectTs[k++] = outputTs[i] = from - v - 1;
    }
    return { outputTs, rejectTs };
  }

  /**
   * Per station of `stations`, its cycle events with ts in any of `windows` (each event once), for the
   * bottleneck and the station table. From the rollups when every edge is on a whole minute (shifts and
   * breaks are HH:MM) and the rollups provably match the raw events; otherwise one aggregate over the events.
   * Either way the result equals what the figures' scan of the raw rows gives.
   */
  stationTotals(line: string, stations: readonly string[], windows: readonly TimeWindow[]): Map<string, StationCycles> {
    const fromRollups = this.stationTotalsFromRollups(line, stations, windows);
    if (fromRollups) return fromRollups;
    const pieces = unionWindows(windows).filter((w) => w.end > w.start);
    const totals = new Map<string, StationCycles>();
    const list = JSON.stringify(stations);
    for (const w of pieces) {
      for (const [station, cycles, timedCount, sumUs] of this.r.eventTotals.all({ line, stations: list, from: w.start, to: w.end }) as [string, number, number, number | null][]) {
        addTotals(totals, station, cycles, timedCount, sumUs ?? 0);
      }
    }
    return totals;
  }

  /**
   * stationTotals from the rollups alone, or null when they cannot stand in for the events: a window edge off
   * a whole minute, a minute's cycle_ms sum that is not whole ms (the µs rounding of each event would be lost),
   * or raw events pruned from the windows (pruneRaw keeps rollups). When not null, the totals only grow as
   * events are stored: nothing else writes rollups, so equal totals mean no cycle event was added.
   */
  stationTotalsFromRollups(line: string, stations: readonly string[], windows: readonly TimeWindow[]): Map<string, StationCycles> | null {
    const pieces = unionWindows(windows).filter((w) => w.end > w.start);
    if (!pieces.every((w) => isWholeMinute(w.start) && isWholeMinute(w.end))) return null;
    const totals = new Map<string, StationCycles>();
    const firstMinute = new Map<string, number>();
    const list = JSON.stringify(stations);
    for (const w of pieces) {
      const rows = this.r.rollupTotals.all({ line, stations: list, from: w.start, to: w.end }) as [string, number, number, number, number, number][];
      for (const [station, units, timedCount, sumMs, fractional, minute] of rows) {
        if (fractional > 0) return null;
        // Whole-ms sums below 2^53 add and scale exactly, so this is the sum of each event's µs.
        addTotals(totals, station, units, timedCount, sumMs * 1000);
        if (!firstMinute.has(station)) firstMinute.set(station, minute);
      }
    }
    // pruneRaw deletes each station's events oldest first, so if any event in the windows is gone, the
    // station's earliest rollup minute in them has lost events: one small count per station tells.
    for (const [station, minute] of firstMinute) {
      const units = this.r.rollupUnits.get(line, station, minute) as number;
      if ((this.r.rawCount.get(line, station, minute, minute + MINUTE_MS) as number) !== units) return null;
    }
    return totals;
  }

  /** Rejected units of the station in the windows (each event once) by their `reason` (null: none given). */
  rejectReasons(line: string, station: string, windows: readonly TimeWindow[]): Map<string | null, number> {
    return timed('rejectReasons', () => {
      const out = new Map<string | null, number>();
      for (const w of unionWindows(windows)) {
        if (w.end <= w.start) continue;
        for (const [reason, n] of this.r.rejectReasons.all(line, station, w.start, w.end) as [string | null, number][]) out.set(reason, (out.get(reason) ?? 0) + n);
      }
      return out;
    });
  }

  /**
   * The stations among `candidates` with a cycle event in [from, to), by their first such event (ties by
   * name): the order in which a scan of the raw rows by ts meets them.
   */
  stationsByFirstCycle(line: string, candidates: readonly string[], from: number, to: number): string[] {
    const firsts: { station: string; ts: number }[] = [];
    for (const station of candidates) {
      const ts = this.r.firstCycle.get(line, station, from, to) as number | null;
      if (ts !== null) firsts.push({ station, ts });
    }
    firsts.sort((a, b) => a.ts - b.ts || (a.station < b.station ? -1 : a.station > b.station ? 1 : 0));
    return firsts.map((f) => f.station);
  }
}

/** The totals form of a line's cycles for the windows that `stations` was computed for. */
export function cycleTotals(series: OutputSeries, stations: ReadonlyMap<string, StationCycles>): CycleTotals {
  return { outputTs: series.outputTs, rejectTs: series.rejectTs, stations };
}
