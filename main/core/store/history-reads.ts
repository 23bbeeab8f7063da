// The reads History and the daily CSV need, shaped so a day of a 1 s plant (millions of cycle events) is
// never turned into one object per event: the output station's cycles as two typed arrays, every other
// station's cycles as totals (from the per-minute rollups when the windows allow, else one SQL aggregate).
// Kept apart from store.ts, which owns the write path; these take the Store and use its connection.
import type { Statement } from 'better-sqlite3';
import { unionWindows, type CycleTotals, type StationCycles } from '../../../shared/figures.ts';
import type { TimeWindow } from '../../../shared/shifts.ts';
import type { Db } from './db.ts';
import type { Store } from './store.ts';

const MINUTE_MS = 60_000;

/** The output station's cycles in [from, to): timestamps ascending, and the rejected ones among them. */
export interface OutputSeries {
  outputTs: Float64Array;
  rejectTs: Float64Array;
}

type Reads = ReturnType<typeof prepare>;
const statements = new WeakMap<Db, Reads>();

function reads(store: Store): Reads {
  let r = statements.get(store.db);
  if (!r) statements.set(store.db, (r = prepare(store.db)));
  return r;
}

// The same station filter as Store.cycles, so both forms cover exactly the same events.
const STATIONS_OF_LINE = 'station IN (SELECT DISTINCT station FROM streams WHERE line = @line)';

function prepare(db: Db) {
  return {
    // One number per row, relative to `from` so it stays a small integer (no heap number per row in V8);
    // a rejected cycle is stored as −(offset + 1). An `ok` that is not 1 counts as rejected, as in Store.cycles.
    output: db
      .prepare(`SELECT CASE WHEN ok = 1 THEN ts - @from ELSE -(ts - @from) - 1 END FROM events
                WHERE line = @line AND station = @station AND ts >= @from AND ts < @to AND kind = 'cycle' ORDER BY ts`)
      .pluck(),
    // Per station over whole minutes: the rows whose cycle_ms_sum is not a whole number are counted, since
    // only whole-ms sums convert exactly to the µs the figures sum in.
    rollupTotals: db
      .prepare(`SELECT station, SUM(units), SUM(cycle_ms_count), SUM(cycle_ms_sum), SUM(cycle_ms_sum <> ROUND(cycle_ms_sum)), MIN(minute)
                FROM rollups WHERE line = @line AND ${STATIONS_OF_LINE} AND minute >= @from AND minute < @to GROUP BY station`)
      .raw(),
    rollupUnits: db.prepare('SELECT units FROM rollups WHERE line = ? AND station = ? AND minute = ?').pluck(),
    rawCount: db.prepare(`SELECT COUNT(*) FROM events WHERE line = ? AND station = ? AND ts >= ? AND ts < ? AND kind = 'cycle'`).pluck(),
    // Each cycle_ms rounded to whole µs exactly as the figures' scan does (Math.round: half up). For x ≥ 0.5,
    // x + 0.5 is exact or lands on the right integer, so truncating it is Math.round; below 0.5 it is 0.
    eventTotals: db
      .prepare(`SELECT station, COUNT(*), COUNT(cycle_ms),
                       SUM(CASE WHEN cycle_ms IS NULL OR cycle_ms * 1000 < 0.5 THEN 0 ELSE CAST(cycle_ms * 1000 + 0.5 AS INTEGER) END)
                FROM events WHERE line = @line AND ${STATIONS_OF_LINE} AND ts >= @from AND ts < @to AND kind = 'cycle' GROUP BY station`)
      .raw(),
    firstCycle: db.prepare(`SELECT MIN(ts) FROM events WHERE line = ? AND station = ? AND ts >= ? AND ts < ? AND kind = 'cycle'`).pluck(),
  } satisfies Record<string, Statement<unknown[]>>;
}

/** The output station's cycles with ts in [from, to), without an object per row. */
export function outputSeries(store: Store, line: string, station: string, from: number, to: number): OutputSeries {
  if (station === '' || to <= from) return { outputTs: new Float64Array(0), rejectTs: new Float64Array(0) };
  const rows = reads(store).output.all({ line, station, from, to }) as number[];
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

function isWholeMinute(ms: number): boolean {
  return ms % MINUTE_MS === 0;
}

function add(totals: Map<string, StationCycles>, station: string, cycles: number, timed: number, sumCycleUs: number): void {
  const t = totals.get(station);
  if (t) {
    t.cycles += cycles;
    t.timed += timed;
    t.sumCycleUs += sumCycleUs;
  } else totals.set(station, { cycles, timed, sumCycleUs });
}

/**
 * Per station, its cycle events with ts in any of `windows` (each event once), for the bottleneck and the
 * station table. From the rollups when every edge is on a whole minute (shifts and breaks are HH:MM) and the
 * rollups provably match the raw events; otherwise one aggregate over the events. Either way the result
 * equals what the figures' scan of the raw rows gives.
 */
export function stationTotals(store: Store, line: string, windows: readonly TimeWindow[]): Map<string, StationCycles> {
  const fromRollups = stationTotalsFromRollups(store, line, windows);
  if (fromRollups) return fromRollups;
  const pieces = unionWindows(windows).filter((w) => w.end > w.start);
  const r = reads(store);
  const totals = new Map<string, StationCycles>();
  for (const w of pieces) {
    for (const [station, cycles, timed, sumUs] of r.eventTotals.all({ line, from: w.start, to: w.end }) as [string, number, number, number | null][]) {
      add(totals, station, cycles, timed, sumUs ?? 0);
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
export function stationTotalsFromRollups(store: Store, line: string, windows: readonly TimeWindow[]): Map<string, StationCycles> | null {
  const pieces = unionWindows(windows).filter((w) => w.end > w.start);
  if (!pieces.every((w) => isWholeMinute(w.start) && isWholeMinute(w.end))) return null;
  const r = reads(store);
  const totals = new Map<string, StationCycles>();
  const firstMinute = new Map<string, number>();
  for (const w of pieces) {
    const rows = r.rollupTotals.all({ line, from: w.start, to: w.end }) as [string, number, number, number, number, number][];
    for (const [station, units, timed, sumMs, fractional, minute] of rows) {
      if (fractional > 0) return null;
      // Whole-ms sums below 2^53 add and scale exactly, so this is the sum of each event's µs.
      add(totals, station, units, timed, sumMs * 1000);
      if (!firstMinute.has(station)) firstMinute.set(station, minute);
    }
  }
  // pruneRaw deletes each station's events oldest first, so if any event in the windows is gone, the
  // station's earliest rollup minute in them has lost events: one small count per station tells.
  for (const [station, minute] of firstMinute) {
    const units = r.rollupUnits.get(line, station, minute) as number;
    if ((r.rawCount.get(line, station, minute, minute + MINUTE_MS) as number) !== units) return null;
  }
  return totals;
}

/**
 * The stations among `candidates` with a cycle event in [from, to), by their first such event (ties by
 * name): the order in which a scan of the raw rows by ts meets them.
 */
export function stationsByFirstCycle(store: Store, line: string, candidates: readonly string[], from: number, to: number): string[] {
  const r = reads(store);
  const firsts: { station: string; ts: number }[] = [];
  for (const station of candidates) {
    const ts = r.firstCycle.get(line, station, from, to) as number | null;
    if (ts !== null) firsts.push({ station, ts });
  }
  firsts.sort((a, b) => a.ts - b.ts || (a.station < b.station ? -1 : a.station > b.station ? 1 : 0));
  return firsts.map((f) => f.station);
}

/** The totals form of a line's cycles for the windows that `stations` was computed for. */
export function cycleTotals(series: OutputSeries, stations: ReadonlyMap<string, StationCycles>): CycleTotals {
  return { outputTs: series.outputTs, rejectTs: series.rejectTs, stations };
}
