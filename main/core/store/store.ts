// The telemetry store: raw events, per-minute rollups, seq gaps, quarantine and the persistent counters,
// over one SQLite connection. commitEvent runs for every MQTT message, so its statements are prepared once
// and the per-stream bookkeeping (highest seq, open gaps) is answered from memory, never by a query.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database, { type Statement } from 'better-sqlite3';
import type { Counters, Diagnostics, GapItem, QuarantineItem } from '../../../shared/api.ts';
import type { Config } from '../../../shared/config.ts';
import type { StationState, TelemetryEvent } from '../../../shared/telemetry.ts';
import { logger } from '../log.ts';
import { Checkpointer, openDatabase, type CheckpointMode, type CheckpointOptions, type CheckpointStats, type Db, type Synchronous } from './db.ts';

const log = logger('store');

/** Queries slower than this are logged with their name (DESIGN: slow queries logged). */
export const SLOW_QUERY_MS = 40;
/** The error code of a write refused because the file was found damaged while in use. */
export const DB_DAMAGED = 'DB_DAMAGED';
const MINUTE_MS = 60_000;
/** Rows deleted per statement by pruneRaw, so one prune never holds the write lock for long. */
const PRUNE_BATCH = 5000;
/** How many of a station's newest events its clock skew is taken from. */
const SKEW_SAMPLE = 200;

export type CommitResult = 'stored' | 'duplicate';

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
}

export interface ClockSkew {
  line: string;
  station: string;
  /** Median of received_at − ts: positive when the station's clock is behind this machine's. */
  skewMs: number;
}

export type StoreInfo = Diagnostics['db'];

export interface QuarantineInput {
  topic: string;
  payloadPrefix: string;
  reason: string;
  receivedAt: number;
}

export interface StoreOptions {
  /** config.retention.quarantineRows: the newest rows are kept. */
  quarantineRows: number;
  /** Who checkpoints the WAL (db.ts Checkpointer). Default: 'worker', or 'sqlite' when the connection checkpoints itself. */
  checkpoint?: CheckpointMode;
  checkpointOptions?: Partial<CheckpointOptions>;
}

export interface OpenStoreOptions extends StoreOptions {
  synchronous: Synchronous;
  busyTimeoutMs?: number;
}

/** SQLite result codes (and our own) that mean the storage itself failed, not the row being written. */
const STORAGE_FAILURE = new RegExp(`^(SQLITE_(FULL|BUSY|LOCKED|IOERR|READONLY|CANTOPEN|NOMEM|CORRUPT|NOTADB|PROTOCOL|PERM|AUTH|INTERRUPT|NOLFS)|${DB_DAMAGED}$)`);

const CHECKPOINT_MODES: readonly string[] = ['worker', 'timer', 'sqlite'];

interface GapRange {
  id: number;
  from: number;
  to: number;
  detectedAt: number;
}

/** One publisher counter: (line, station, boot). */
interface Stream {
  id: number;
  line: string;
  station: string;
  boot: string;
  maxSeq: number;
  gaps: GapRange[];
}

type Run = Statement<unknown[]>;

/** The store for a plant configuration: its synchronous level and quarantine bound. */
export function openStore(file: string, config: Config, options: { busyTimeoutMs?: number } = {}): Store {
  // TAKTBOARD_CHECKPOINT=timer|sqlite is for measuring the alternatives (bench, measure-ingest), not for production.
  const env = process.env.TAKTBOARD_CHECKPOINT;
  return Store.open(file, {
    synchronous: config.storage.synchronous,
    quarantineRows: config.retention.quarantineRows,
    busyTimeoutMs: options.busyTimeoutMs,
    checkpoint: env && CHECKPOINT_MODES.includes(env) ? (env as CheckpointMode) : undefined,
  });
}

export class Store {
  readonly db: Db;
  readonly path: string;
  private readonly quarantineRows: number;

  // line → station → boot → stream; nested maps so the per-message lookup builds no key string.
  private readonly streams = new Map<string, Map<string, Map<string, Stream>>>();
  private stored = 0;
  private duplicates = 0;
  private quarantined = 0;
  private gapsMissing = 0;
  /** False after a failed transaction: memory may hold changes SQLite rolled back. */
  private memoryValid = false;
  private lastQuickCheck: StoreInfo['lastQuickCheck'] = null;
  private lastBackup: StoreInfo['lastBackup'] = null;
  /** Checkpoints the WAL off the commit path; told about every committed write. */
  readonly checkpointer: Checkpointer;

  private readonly insertEvent: Run;
  private readonly insertStream: Run;
  private readonly countStored: Run;
  private readonly countDuplicate: Run;
  private readonly upsertRollup: Run;
  private readonly insertGap: Run;
  private readonly updateGap: Run;
  private readonly deleteGap: Run;
  private readonly insertQuarantine: Run;
  private readonly trimQuarantine: Run;
  private readonly countQuarantine: Run;
  private readonly commitOneTx: (e: TelemetryEvent, receivedAt: number) => CommitResult;
  private readonly commitManyTx: (events: readonly TelemetryEvent[], receivedAt: number | null) => { stored: number; duplicates: number };
  private readonly quarantineTx: (item: QuarantineInput) => void;
  private readonly groupTx: <T>(work: () => T) => T;
  /** Inside groupCommit: commitEvent and quarantine write into the open transaction. */
  private grouped = false;
  private groupedWrites = 0;
  /** Set when the file was found damaged while in use: nothing more is written (and so nothing acknowledged). */
  private refusal: string | null = null;

  static open(file: string, options: OpenStoreOptions): Store {
    const checkpoint = options.checkpoint ?? 'worker';
    const db = openDatabase(file, { synchronous: options.synchronous, busyTimeoutMs: options.busyTimeoutMs, checkpoint });
    try {
      return new Store(db, { ...options, checkpoint });
    } catch (err) {
      db.close();
      throw err;
    }
  }

  constructor(db: Db, options: StoreOptions) {
    this.db = db;
    this.path = db.name;
    this.quarantineRows = Math.max(1, Math.floor(options.quarantineRows));
    const selfCheckpointing = (db.pragma('wal_autocheckpoint', { simple: true }) as number) > 0;
    this.checkpointer = new Checkpointer(db, options.checkpoint ?? (selfCheckpointing ? 'sqlite' : 'worker'), options.checkpointOptions);

    this.insertEvent = db.prepare(
      `INSERT OR IGNORE INTO events (line, station, ts, boot, seq, kind, unit, cycle_ms, ok, state, reason, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertStream = db.prepare(
      'INSERT INTO streams (line, station, boot, max_seq, stored, duplicates, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.countStored = db.prepare('UPDATE streams SET max_seq = ?, stored = stored + 1 WHERE id = ?');
    this.countDuplicate = db.prepare('UPDATE streams SET duplicates = duplicates + 1 WHERE id = ?');
    this.upsertRollup = db.prepare(
      `INSERT INTO rollups (line, station, minute, units, good, rejects, cycle_ms_sum, cycle_ms_count)
       VALUES (?, ?, ?, 1, ?, ?, ?, ?)
       ON CONFLICT (line, station, minute) DO UPDATE SET
         units = units + 1,
         good = good + excluded.good,
         rejects = rejects + excluded.rejects,
         cycle_ms_sum = cycle_ms_sum + excluded.cycle_ms_sum,
         cycle_ms_count = cycle_ms_count + excluded.cycle_ms_count`,
    );
    this.insertGap = db.prepare('INSERT INTO gaps (line, station, boot, from_seq, to_seq, detected_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.updateGap = db.prepare('UPDATE gaps SET from_seq = ?, to_seq = ? WHERE id = ?');
    this.deleteGap = db.prepare('DELETE FROM gaps WHERE id = ?');
    this.insertQuarantine = db.prepare('INSERT INTO quarantine (received_at, topic, payload, reason) VALUES (?, ?, ?, ?)');
    this.trimQuarantine = db.prepare('DELETE FROM quarantine WHERE id <= ?');
    this.countQuarantine = db.prepare(
      'INSERT INTO quarantine_counts (reason, count) VALUES (?, 1) ON CONFLICT (reason) DO UPDATE SET count = count + 1',
    );

    const one = db.transaction((e: TelemetryEvent, receivedAt: number) => this.apply(e, receivedAt));
    this.commitOneTx = one.immediate;
    const many = db.transaction((events: readonly TelemetryEvent[], receivedAt: number | null) => {
      let stored = 0;
      for (const e of events) if (this.apply(e, receivedAt ?? e.ts) === 'stored') stored++;
      return { stored, duplicates: events.length - stored };
    });
    this.commitManyTx = many.immediate;
    const q = db.transaction((item: QuarantineInput) => this.applyQuarantine(item));
    this.quarantineTx = q.immediate;
    const group = db.transaction((work: () => unknown) => work());
    this.groupTx = group.immediate as <T>(work: () => T) => T;

    this.reloadMemory();
  }

  close(): void {
    // The worker's connection goes first, so this one is the last: SQLite then checkpoints and removes the WAL.
    this.checkpointer.close();
    this.db.close();
  }

  // ---- writes ----------------------------------------------------------------------------------

  /**
   * Stores one event in one transaction (event, rollup, gap bookkeeping, counters). Throws what SQLite
   * throws (SQLITE_FULL, SQLITE_BUSY, I/O): then nothing was stored and the caller must not acknowledge.
   */
  commitEvent(e: TelemetryEvent, receivedAt: number): CommitResult {
    // Inside groupCommit, which has checked writability once for the burst.
    if (this.grouped) {
      this.groupedWrites++;
      return this.apply(e, receivedAt);
    }
    this.assertWritable();
    const t0 = performance.now();
    try {
      if (!this.memoryValid) this.reloadMemory();
      const result = this.commitOneTx(e, receivedAt);
      this.checkpointer.noteWrites(1);
      return result;
    } catch (err) {
      this.memoryValid = false;
      throw err;
    } finally {
      const ms = performance.now() - t0;
      if (ms > SLOW_QUERY_MS) log.warn('slow query', { query: 'commitEvent', ms: Math.round(ms) });
    }
  }

  /**
   * Group commit: every commitEvent and quarantine that `work` makes lands in one transaction, so the
   * per-transaction cost is paid once for a burst of messages. All or nothing: when it throws, nothing
   * of `work` was stored, and the caller must acknowledge none of it.
   */
  groupCommit<T>(work: () => T): T {
    if (this.grouped) throw new Error('groupCommit does not nest');
    this.assertWritable();
    return this.timed('groupCommit', () => {
      this.grouped = true;
      this.groupedWrites = 0;
      try {
        if (!this.memoryValid) this.reloadMemory();
        const result = this.groupTx(work);
        this.checkpointer.noteWrites(Math.max(1, this.groupedWrites));
        return result;
      } catch (err) {
        this.memoryValid = false;
        throw err;
      } finally {
        this.grouped = false;
      }
    });
  }

  /**
   * Many events in one transaction (backfills, imports). `receivedAt` null: each event counts as received
   * at its own ts — history written after the fact has no receive time, and must not look like clock skew.
   */
  commitEvents(events: readonly TelemetryEvent[], receivedAt: number | null): { stored: number; duplicates: number } {
    this.assertWritable();
    // Not logged as a slow query: an hour of backfill per call is slow by design (the caller logs the total).
    try {
      if (!this.memoryValid) this.reloadMemory();
      const result = this.commitManyTx(events, receivedAt);
      this.checkpointer.noteWrites(Math.max(1, result.stored));
      return result;
    } catch (err) {
      this.memoryValid = false;
      throw err;
    }
  }

  quarantine(item: QuarantineInput): void {
    if (this.grouped) {
      this.groupedWrites++;
      return this.applyQuarantine(item);
    }
    this.assertWritable();
    this.timed('quarantine', () => {
      try {
        if (!this.memoryValid) this.reloadMemory();
        this.quarantineTx(item);
        this.checkpointer.noteWrites(1);
      } catch (err) {
        this.memoryValid = false;
        throw err;
      }
    });
  }

  /**
   * Deletes raw events with ts < olderThanTs (rollups stay), at most maxRows, in batches so other writers
   * get the lock in between; and gaps detected before then. Returns how many events were deleted.
   */
  pruneRaw(olderThanTs: number, maxRows = Number.POSITIVE_INFINITY): number {
    this.assertWritable();
    return this.timed('pruneRaw', () => {
      const cutStmt = this.db.prepare('SELECT ts FROM events WHERE line = ? AND station = ? AND ts < ? ORDER BY ts LIMIT 1 OFFSET ?').pluck();
      const upTo = this.db.prepare('DELETE FROM events WHERE line = ? AND station = ? AND ts <= ?');
      const below = this.db.prepare('DELETE FROM events WHERE line = ? AND station = ? AND ts < ?');
      let deleted = 0;
      for (const [line, stations] of this.streams) {
        for (const station of stations.keys()) {
          while (deleted < maxRows) {
            const batch = Math.min(PRUNE_BATCH, maxRows - deleted);
            const cut = cutStmt.get(line, station, olderThanTs, batch - 1) as number | undefined;
            if (cut === undefined) {
              deleted += below.run(line, station, olderThanTs).changes;
              break;
            }
            deleted += upTo.run(line, station, cut).changes;
          }
        }
      }
      if (deleted < maxRows) {
        const gaps = this.db.prepare('DELETE FROM gaps WHERE detected_at < ?').run(olderThanTs).changes;
        if (gaps > 0) this.reloadMemory();
      }
      if (deleted > 0) this.checkpointer.noteWrites(Math.ceil(deleted / 100));
      if (deleted > 0) log.info('pruned raw events', { deleted, olderThan: new Date(olderThanTs).toISOString() });
      return deleted;
    });
  }

  // ---- the per-message path ----------------------------------------------------------------------

  private apply(e: TelemetryEvent, receivedAt: number): CommitResult {
    const isCycle = e.kind === 'cycle';
    const ok = isCycle ? (e.ok === false ? 0 : 1) : null;
    const cycleMs = e.cycleMs ?? null;
    const inserted = this.insertEvent.run(
      e.line, e.station, e.ts, e.boot, e.seq, e.kind, e.unit ?? null, cycleMs, ok, e.state ?? null, e.reason ?? null, receivedAt,
    ).changes;
    const s = this.streams.get(e.line)?.get(e.station)?.get(e.boot);
    if (inserted === 0) {
      this.countDuplicate.run((s ?? this.addStream(e, receivedAt, 0)).id);
      this.duplicates++;
      return 'duplicate';
    }
    if (s === undefined) {
      // The first message of a stream never opens a gap: nothing says where its counter started.
      this.addStream(e, receivedAt, 1);
    } else {
      if (e.seq > s.maxSeq) {
        if (e.seq > s.maxSeq + 1) this.openGap(s, e, receivedAt);
        s.maxSeq = e.seq;
      } else if (s.gaps.length > 0) {
        this.fillGap(s, e.seq);
      }
      this.countStored.run(s.maxSeq, s.id);
    }
    if (isCycle) {
      this.upsertRollup.run(e.line, e.station, e.ts - (e.ts % MINUTE_MS), ok, 1 - (ok as number), cycleMs ?? 0, cycleMs === null ? 0 : 1);
    }
    this.stored++;
    return 'stored';
  }

  private addStream(e: TelemetryEvent, receivedAt: number, stored: number): Stream {
    const id = Number(this.insertStream.run(e.line, e.station, e.boot, e.seq, stored, 0, receivedAt).lastInsertRowid);
    return this.remember({ id, line: e.line, station: e.station, boot: e.boot, maxSeq: e.seq, gaps: [] });
  }

  private remember(s: Stream): Stream {
    const { line, station, boot } = s;
    let stations = this.streams.get(line);
    if (!stations) this.streams.set(line, (stations = new Map()));
    let boots = stations.get(station);
    if (!boots) stations.set(station, (boots = new Map()));
    boots.set(boot, s);
    return s;
  }

  private openGap(s: Stream, e: TelemetryEvent, detectedAt: number): void {
    const from = s.maxSeq + 1;
    const to = e.seq - 1;
    const id = Number(this.insertGap.run(e.line, e.station, e.boot, from, to, detectedAt).lastInsertRowid);
    s.gaps.push({ id, from, to, detectedAt });
    this.gapsMissing += to - from + 1;
  }

  /** A late message inside a recorded gap shrinks it, or splits it in two. */
  private fillGap(s: Stream, seq: number): void {
    const i = s.gaps.findIndex((g) => g.from <= seq && seq <= g.to);
    if (i < 0) return;
    const g = s.gaps[i];
    if (g.from === g.to) {
      this.deleteGap.run(g.id);
      s.gaps.splice(i, 1);
    } else if (seq === g.from) {
      this.updateGap.run(++g.from, g.to, g.id);
    } else if (seq === g.to) {
      this.updateGap.run(g.from, --g.to, g.id);
    } else {
      const tail = { id: 0, from: seq + 1, to: g.to, detectedAt: g.detectedAt };
      g.to = seq - 1;
      this.updateGap.run(g.from, g.to, g.id);
      tail.id = Number(this.insertGap.run(s.line, s.station, s.boot, tail.from, tail.to, tail.detectedAt).lastInsertRowid);
      s.gaps.push(tail);
    }
    this.gapsMissing--;
  }

  private applyQuarantine(item: QuarantineInput): void {
    const id = Number(this.insertQuarantine.run(item.receivedAt, item.topic, item.payloadPrefix, item.reason).lastInsertRowid);
    if (id > this.quarantineRows) this.trimQuarantine.run(id - this.quarantineRows);
    this.countQuarantine.run(reasonKey(item.reason));
    this.quarantined++;
  }

  /** Rebuilds the in-memory bookkeeping from the tables: at open, and after a transaction failed. */
  private reloadMemory(): void {
    this.streams.clear();
    const byId = new Map<number, Stream>();
    const streamRows = this.db.prepare('SELECT id, line, station, boot, max_seq FROM streams').raw().all() as [number, string, string, string, number][];
    for (const [id, line, station, boot, maxSeq] of streamRows) {
      byId.set(id, this.remember({ id, line, station, boot, maxSeq, gaps: [] }));
    }
    this.gapsMissing = 0;
    const gapRows = this.db
      .prepare('SELECT g.id, s.id, g.from_seq, g.to_seq, g.detected_at FROM gaps g LEFT JOIN streams s USING (line, station, boot)')
      .raw()
      .all() as [number, number | null, number, number, number][];
    for (const [id, streamId, from, to, detectedAt] of gapRows) {
      this.gapsMissing += to - from + 1;
      if (streamId !== null) byId.get(streamId)?.gaps.push({ id, from, to, detectedAt });
    }
    const [stored, duplicates] = this.db.prepare('SELECT COALESCE(SUM(stored), 0), COALESCE(SUM(duplicates), 0) FROM streams').raw().get() as [number, number];
    this.stored = stored;
    this.duplicates = duplicates;
    this.quarantined = this.db.prepare('SELECT COALESCE(SUM(count), 0) FROM quarantine_counts').pluck().get() as number;
    this.memoryValid = true;
  }

  // ---- reads -------------------------------------------------------------------------------------

  counters(): Counters {
    return {
      received: this.stored + this.duplicates + this.quarantined,
      stored: this.stored,
      duplicates: this.duplicates,
      quarantined: this.quarantined,
      gapsMissing: this.gapsMissing,
    };
  }

  /** Every line telemetry has named, configured or not. */
  linesSeen(): string[] {
    return [...this.streams.keys()].sort();
  }

  stationsSeen(line: string): string[] {
    return [...(this.streams.get(line)?.keys() ?? [])].sort();
  }

  /** Cycle events with ts in [from, to), by ts: of every station of the line, or of one station. */
  cycles(line: string, from: number, to: number, station?: string): CycleRow[] {
    return this.timed('cycles', () => {
      const rows = (
        station === undefined ? this.read.cycles.all({ line, from, to }) : this.read.cyclesOfStation.all(line, station, from, to)
      ) as [string, number, number, number | null][];
      const out: CycleRow[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const [station, ts, ok, cycleMs] = rows[i];
        out[i] = cycleMs === null ? { station, ts, ok: ok === 1 } : { station, ts, ok: ok === 1, cycleMs };
      }
      return out;
    });
  }

  /** ts of the station's cycle events in [from, to), ascending. */
  outputTimes(line: string, station: string, from: number, to: number): number[] {
    return this.timed('outputTimes', () => this.read.outputTimes.all(line, station, from, to) as number[]);
  }

  /** State events of the line's stations in [from, to), preceded per station by its last state before `from`. */
  states(line: string, from: number, to: number): StateRow[] {
    return this.timed('states', () => {
      const before: StateRow[] = [];
      for (const station of this.stationsSeen(line)) {
        const row = this.read.stateBefore.get(line, station, from) as [number, StationState] | undefined;
        if (row) before.push({ station, ts: row[0], state: row[1] });
      }
      before.sort((a, b) => a.ts - b.ts);
      const inWindow = this.read.states.all({ line, from, to }) as StateRow[];
      return before.concat(inWindow);
    });
  }

  /** Rollup rows whose minute starts in [from, to). */
  rollups(line: string, from: number, to: number): RollupRow[] {
    return this.timed('rollups', () => this.read.rollups.all({ line, from, to }) as RollupRow[]);
  }

  gaps(line?: string, limit = 1000): GapItem[] {
    return this.timed('gaps', () => {
      const rows = (line === undefined ? this.read.gapsAll.all(limit) : this.read.gapsOfLine.all(line, limit)) as Omit<GapItem, 'missing'>[];
      return rows.map((g) => ({ ...g, missing: g.toSeq - g.fromSeq + 1 }));
    });
  }

  /** Newest first. */
  quarantineItems(limit = 100): QuarantineItem[] {
    return this.timed('quarantineItems', () => this.read.quarantineItems.all(limit) as QuarantineItem[]);
  }

  quarantineCounts(): { reason: string; count: number }[] {
    return this.timed('quarantineCounts', () => this.read.quarantineCounts.all() as { reason: string; count: number }[]);
  }

  /** What the live view needs for its first snapshot after a restart, per station of the line. */
  lastEventPerStation(line: string): StationLast[] {
    return this.timed('lastEventPerStation', () =>
      this.stationsSeen(line).map((station) => {
        const any = this.read.lastAny.get(line, station) as [number, number] | undefined;
        const cycle = this.read.lastCycle.get(line, station) as [number, number | null] | undefined;
        const state = this.read.stateBefore.get(line, station, Number.MAX_SAFE_INTEGER) as [number, StationState] | undefined;
        let stateSince: number | null = null;
        if (state) {
          const changedAt = this.read.lastOtherState.get(line, station, state[0], state[1]) as number | undefined;
          stateSince = this.read.firstStateAfter.get(line, station, changedAt ?? -1) as number;
        }
        return {
          station,
          lastTs: any ? any[0] : null,
          receivedAt: any ? any[1] : null,
          lastCycleTs: cycle ? cycle[0] : null,
          lastCycleMs: cycle ? cycle[1] : null,
          state: state ? state[1] : null,
          stateSince,
        };
      }),
    );
  }

  /** Per station, the median of received_at − ts over its newest events. */
  clockSkew(): ClockSkew[] {
    return this.timed('clockSkew', () => {
      const out: ClockSkew[] = [];
      for (const line of this.linesSeen()) {
        for (const station of this.stationsSeen(line)) {
          const d = this.read.skewSample.all(line, station, SKEW_SAMPLE) as number[];
          if (d.length === 0) continue;
          d.sort((a, b) => a - b);
          const mid = d.length >> 1;
          out.push({ line, station, skewMs: d.length % 2 ? d[mid] : Math.round((d[mid - 1] + d[mid]) / 2) });
        }
      }
      return out;
    });
  }

  info(): StoreInfo {
    const size = (file: string) => {
      try {
        return fs.statSync(file).size;
      } catch {
        return 0;
      }
    };
    const level = this.db.pragma('synchronous', { simple: true }) as number;
    return {
      path: this.path,
      sizeBytes: size(this.path),
      walBytes: size(`${this.path}-wal`),
      synchronous: ['OFF', 'NORMAL', 'FULL', 'EXTRA'][level] ?? String(level),
      lastQuickCheck: this.lastQuickCheck,
      lastBackup: this.lastBackup,
    };
  }

  /**
   * The file is damaged (a background quick_check said so): every later write throws an error with code
   * DB_DAMAGED, so ingest acknowledges nothing more and the broker keeps it for after the recovery.
   */
  refuseWrites(reason: string): void {
    this.refusal = reason;
  }

  /**
   * Whether a failed write was the storage's fault — the disk, a lock, the file, the connection — and so
   * worth holding and retrying, as opposed to one input's (a constraint, a bug), which retrying never mends.
   */
  isStorageFailure(err: unknown): boolean {
    if (!this.db.open) return true;
    const code = (err as { code?: unknown })?.code;
    return typeof code === 'string' && STORAGE_FAILURE.test(code);
  }

  private assertWritable(): void {
    if (this.refusal !== null) throw Object.assign(new Error(`database damaged: ${this.refusal}`), { code: DB_DAMAGED });
  }

  /** A quick_check run elsewhere (a worker thread), kept for info() like quickCheck's own. */
  noteQuickCheck(result: NonNullable<StoreInfo['lastQuickCheck']>): void {
    this.lastQuickCheck = result;
  }

  /** PRAGMA quick_check; the result is kept for info(). It reads the whole file: run it off-peak. */
  quickCheck(): NonNullable<StoreInfo['lastQuickCheck']> {
    const rows = this.timed('quickCheck', () => this.db.pragma('quick_check', { simple: false }) as { quick_check: string }[]);
    const detail = rows.map((r) => r.quick_check).join('; ');
    this.lastQuickCheck = { ts: Date.now(), ok: detail === 'ok', detail };
    if (!this.lastQuickCheck.ok) log.error('database quick_check failed', { detail });
    return this.lastQuickCheck;
  }

  /** An online copy of the database (SQLite backup API, in steps, so ingest goes on meanwhile). */
  async backupTo(file: string): Promise<void> {
    // A copy of a damaged file would push the good backups out of the kept N.
    this.assertWritable();
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    // Written under another name and renamed when complete: a crash mid-copy never leaves a "newest backup" that is half a file.
    const partial = `${file}.partial`;
    const t0 = performance.now();
    try {
      await this.db.backup(partial);
      // A self-contained single file (rollback journal, no -wal beside it): a restore or another tool needs nothing else.
      const copy = new Database(partial);
      try {
        copy.pragma('journal_mode = DELETE');
      } finally {
        copy.close();
      }
      fs.renameSync(partial, file);
    } catch (err) {
      fs.rmSync(partial, { force: true });
      throw err;
    }
    this.lastBackup = { ts: Date.now(), path: file };
    log.info('database backed up', { path: file, ms: Math.round(performance.now() - t0) });
  }

  /** A backup found on disk at start (made by an earlier run), for info(). */
  noteBackup(backup: NonNullable<StoreInfo['lastBackup']>): void {
    if (!this.lastBackup || this.lastBackup.ts < backup.ts) this.lastBackup = backup;
  }

  checkpointStats(): CheckpointStats {
    return this.checkpointer.stats();
  }

  // Read statements are prepared on first use: a CLI export never pays for the ingest's, and vice versa.
  private readStatements: ReturnType<Store['prepareReads']> | null = null;
  private get read(): ReturnType<Store['prepareReads']> {
    return (this.readStatements ??= this.prepareReads());
  }

  private prepareReads() {
    const db = this.db;
    const stationsOfLine = 'station IN (SELECT DISTINCT station FROM streams WHERE line = @line)';
    return {
      cycles: db
        .prepare(`SELECT station, ts, ok, cycle_ms FROM events
                  WHERE line = @line AND ${stationsOfLine} AND ts >= @from AND ts < @to AND kind = 'cycle' ORDER BY ts`)
        .raw(),
      cyclesOfStation: db
        .prepare(`SELECT station, ts, ok, cycle_ms FROM events WHERE line = ? AND station = ? AND ts >= ? AND ts < ? AND kind = 'cycle' ORDER BY ts`)
        .raw(),
      outputTimes: db.prepare(`SELECT ts FROM events WHERE line = ? AND station = ? AND ts >= ? AND ts < ? AND kind = 'cycle' ORDER BY ts`).pluck(),
      // The planner has no statistics and would walk the primary key through every cycle; states are rare.
      states: db.prepare(`SELECT station, ts, state FROM events INDEXED BY events_state
                          WHERE kind = 'state' AND line = @line AND ${stationsOfLine} AND ts >= @from AND ts < @to ORDER BY ts`),
      stateBefore: db.prepare(`SELECT ts, state FROM events INDEXED BY events_state WHERE kind = 'state' AND line = ? AND station = ? AND ts < ? ORDER BY ts DESC LIMIT 1`).raw(),
      lastOtherState: db
        .prepare(`SELECT ts FROM events INDEXED BY events_state WHERE kind = 'state' AND line = ? AND station = ? AND ts < ? AND state <> ? ORDER BY ts DESC LIMIT 1`)
        .pluck(),
      firstStateAfter: db.prepare(`SELECT ts FROM events INDEXED BY events_state WHERE kind = 'state' AND line = ? AND station = ? AND ts > ? ORDER BY ts LIMIT 1`).pluck(),
      lastAny: db.prepare('SELECT ts, received_at FROM events WHERE line = ? AND station = ? ORDER BY ts DESC LIMIT 1').raw(),
      lastCycle: db.prepare(`SELECT ts, cycle_ms FROM events WHERE line = ? AND station = ? AND kind = 'cycle' ORDER BY ts DESC LIMIT 1`).raw(),
      skewSample: db.prepare('SELECT received_at - ts FROM events WHERE line = ? AND station = ? ORDER BY ts DESC LIMIT ?').pluck(),
      rollups: db.prepare(`SELECT station, minute, units, good, rejects, cycle_ms_sum AS cycleMsSum, cycle_ms_count AS cycleMsCount
                           FROM rollups WHERE line = @line AND ${stationsOfLine} AND minute >= @from AND minute < @to ORDER BY minute, station`),
      gapsAll: db.prepare(`SELECT line, station, boot, from_seq AS fromSeq, to_seq AS toSeq, detected_at AS detectedAt
                           FROM gaps ORDER BY detected_at DESC, id DESC LIMIT ?`),
      gapsOfLine: db.prepare(`SELECT line, station, boot, from_seq AS fromSeq, to_seq AS toSeq, detected_at AS detectedAt
                              FROM gaps WHERE line = ? ORDER BY detected_at DESC, id DESC LIMIT ?`),
      quarantineItems: db.prepare('SELECT received_at AS receivedAt, topic, payload, reason FROM quarantine ORDER BY id DESC LIMIT ?'),
      quarantineCounts: db.prepare('SELECT reason, count FROM quarantine_counts ORDER BY count DESC, reason'),
    };
  }

  private timed<T>(query: string, fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      const ms = performance.now() - t0;
      if (ms > SLOW_QUERY_MS) log.warn('slow query', { query, ms: Math.round(ms) });
    }
  }
}

/**
 * Reasons carry the offending value ("payload too large (52428800 bytes)", a quoted name); counting them
 * verbatim would give one bucket per message. The count key keeps the words and drops the values.
 */
export function reasonKey(reason: string): string {
  return reason
    .replace(/\s*\([^)]*\)/g, '')
    .replace(/"[^"]*"/g, '"…"')
    .slice(0, 200);
}
