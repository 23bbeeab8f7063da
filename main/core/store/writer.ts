// The write path of the store: raw events, per-minute rollups, seq gaps, quarantine and the persistent
// counters, over the one read-write connection, on the engine's thread. commitEvent runs for every MQTT
// message, so its statements are prepared once and the per-stream bookkeeping (highest seq, open gaps)
// is answered from memory, never by a query.
import { performance } from 'node:perf_hooks';
import type { Statement } from 'better-sqlite3';
import type { Counters } from '../../../shared/api.ts';
import type { TelemetryEvent } from '../../../shared/telemetry.ts';
import type { Words } from '../../../shared/words.ts';
import { logger } from '../log.ts';
import type { Checkpointer } from './checkpoint.ts';
import type { Db } from './db.ts';

const log = logger('store');

/** Queries slower than this are logged with their name (DESIGN: slow queries logged). */
export const SLOW_QUERY_MS = 40;
/** The error code of a write refused because the file was found damaged while in use. */
export const DB_DAMAGED = 'DB_DAMAGED';
const MINUTE_MS = 60_000;
/** Rows deleted per statement by pruneRaw, so one prune never holds the write lock for long. */
const PRUNE_BATCH = 5000;

/** SQLite result codes (and our own) that mean the storage itself failed, not the row being written. */
const STORAGE_FAILURE = new RegExp(`^(SQLITE_(FULL|BUSY|LOCKED|IOERR|READONLY|CANTOPEN|NOMEM|CORRUPT|NOTADB|PROTOCOL|PERM|AUTH|INTERRUPT|NOLFS)|${DB_DAMAGED}$)`);

export type CommitResult = 'stored' | 'duplicate';

export interface QuarantineInput {
  topic: string;
  payloadPrefix: string;
  /** The English (CONTRACT §1.4); `words`, when given, is the same for the screens to translate. */
  reason: string;
  words?: Words;
  receivedAt: number;
}

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

export function timed<T>(query: string, fn: () => T): T {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    const ms = performance.now() - t0;
    if (ms > SLOW_QUERY_MS) log.warn('slow query', { query, ms: Math.round(ms) });
  }
}

export class Writer {
  private readonly db: Db;
  private readonly quarantineRows: number;
  private readonly checkpointer: Checkpointer;

  // line → station → boot → stream; nested maps so the per-message lookup builds no key string.
  private readonly streams = new Map<string, Map<string, Map<string, Stream>>>();
  private stored = 0;
  private duplicates = 0;
  private quarantined = 0;
  private gapsMissing = 0;
  /** False after a failed transaction: memory may hold changes SQLite rolled back. */
  private memoryValid = false;

  private readonly insertEvent: Run;
  private readonly insertStream: Run;
  private readonly countStored: Run;
  private readonly countDuplicate: Run;
  private readonly setMaxSeq: Run;
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

  constructor(db: Db, checkpointer: Checkpointer, options: { quarantineRows: number }) {
    this.db = db;
    this.checkpointer = checkpointer;
    this.quarantineRows = Math.max(1, Math.floor(options.quarantineRows));
    this.insertEvent = db.prepare(
      `INSERT OR IGNORE INTO events (line, station, ts, boot, seq, kind, unit, cycle_ms, ok, state, reason, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertStream = db.prepare(
      'INSERT INTO streams (line, station, boot, max_seq, stored, duplicates, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.countStored = db.prepare('UPDATE streams SET max_seq = ?, stored = stored + 1 WHERE id = ?');
    this.countDuplicate = db.prepare('UPDATE streams SET duplicates = duplicates + 1 WHERE id = ?');
    this.setMaxSeq = db.prepare('UPDATE streams SET max_seq = ? WHERE id = ?');
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
    this.insertQuarantine = db.prepare('INSERT INTO quarantine (received_at, topic, payload, reason, words) VALUES (?, ?, ?, ?, ?)');
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
    return timed('groupCommit', () => {
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
    timed('quarantine', () => {
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
    return timed('pruneRaw', () => {
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

  /**
   * A gap an input adapter found in its own transport sequence (a Sparkplug edge node's 0–255 `seq`, a tag
   * stream's sequence tag), not in the events' seq: recorded and shown like any gap, under the stream
   * (line, station, boot) the adapter names for that sequence, from/to in its own (unwrapped) numbering.
   * Inside groupCommit, in the same transaction as the message that revealed it.
   */
  recordGap(line: string, station: string, boot: string, fromSeq: number, toSeq: number, detectedAt: number): void {
    if (!(Number.isSafeInteger(fromSeq) && Number.isSafeInteger(toSeq) && fromSeq <= toSeq)) throw new Error(`recordGap: bad range ${fromSeq}–${toSeq}`);
    let s = this.streams.get(line)?.get(station)?.get(boot);
    if (s === undefined) {
      const id = Number(this.insertStream.run(line, station, boot, toSeq, 0, 0, detectedAt).lastInsertRowid);
      s = this.remember({ id, line, station, boot, maxSeq: toSeq, gaps: [] });
    } else if (toSeq > s.maxSeq) {
      s.maxSeq = toSeq;
      this.setMaxSeq.run(toSeq, s.id);
    }
    const id = Number(this.insertGap.run(line, station, boot, fromSeq, toSeq, detectedAt).lastInsertRowid);
    s.gaps.push({ id, from: fromSeq, to: toSeq, detectedAt });
    this.gapsMissing += toSeq - fromSeq + 1;
    if (this.grouped) this.groupedWrites++;
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
    const words = item.words ? JSON.stringify(item.words) : null;
    const id = Number(this.insertQuarantine.run(item.receivedAt, item.topic, item.payloadPrefix, item.reason, words).lastInsertRowid);
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

  // ---- what the write path knows ------------------------------------------------------------------

  counters(): Counters {
    return {
      received: this.stored + this.duplicates + this.quarantined,
      stored: this.stored,
      duplicates: this.duplicates,
      quarantined: this.quarantined,
      gapsMissing: this.gapsMissing,
    };
  }

  /** Every line telemetry has named, configured or not (from memory: the per-message checks use it). */
  linesSeen(): string[] {
    return [...this.streams.keys()].sort();
  }

  stationsSeen(line: string): string[] {
    return [...(this.streams.get(line)?.keys() ?? [])].sort();
  }

  /** Missing seq numbers per line and since when they went missing, from the open gaps in memory. */
  gapsByLine(): Map<string, { missing: number; since: number | null }> {
    const out = new Map<string, { missing: number; since: number | null }>();
    for (const [line, stations] of this.streams) {
      for (const boots of stations.values()) {
        for (const s of boots.values()) {
          for (const g of s.gaps) {
            const cur = out.get(line) ?? { missing: 0, since: null };
            cur.missing += g.to - g.from + 1;
            cur.since = cur.since === null ? g.detectedAt : Math.min(cur.since, g.detectedAt);
            out.set(line, cur);
          }
        }
      }
    }
    return out;
  }

  hasStation(line: string, station: string): boolean {
    return this.streams.get(line)?.has(station) ?? false;
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

  /**
   * The file is damaged (a background quick_check said so): every later write throws an error with code
   * DB_DAMAGED, so ingest acknowledges nothing more and the broker keeps it for after the recovery.
   */
  refuseWrites(reason: string): void {
    this.refusal = reason;
  }

  /** Throws when writes are refused (damage); a backup of a damaged file must not push out the good ones either. */
  assertWritable(): void {
    if (this.refusal !== null) throw Object.assign(new Error(`database damaged: ${this.refusal}`), { code: DB_DAMAGED });
  }
}

/**
 * Reasons carry the offending value ("payload too large (52428800 bytes)", a quoted name); counting them
 * verbatim would give one bucket per message. The count key keeps the words and drops the values.
 */
export function reasonKey(reason: string): string {
  // Innermost parentheses first, so a detail with its own "(ts > 0)" inside is dropped whole.
  let key = reason;
  for (let before = ''; before !== key; ) {
    before = key;
    key = key.replace(/\s*\([^()]*\)/g, '');
  }
  return key.replace(/"[^"]*"/g, '"…"').slice(0, 200);
}
