// Opens the SQLite file and brings its schema up to date. The schema lives in MIGRATIONS only:
// a file written by any earlier build is upgraded step by step, never rebuilt.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { logger } from '../log.ts';

const log = logger('store');

export type Synchronous = 'NORMAL' | 'FULL';
export type Db = Database.Database;

export interface OpenOptions {
  synchronous: Synchronous;
  /**
   * How long a write waits for another connection's lock. better-sqlite3 waits synchronously, on the
   * thread that also serves the UI, so this stays short (default 250 ms): the ingest retries with backoff instead.
   */
  busyTimeoutMs?: number;
  /** Who checkpoints the WAL: see Checkpointer. Without one (the default) SQLite checkpoints inside commits; Store.open uses 'worker'. */
  checkpoint?: CheckpointMode;
}

export interface Migration {
  /** Becomes `user_version` once this step is applied. */
  version: number;
  description: string;
  up: (db: Db) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'raw telemetry events and per-minute rollups',
    up: (db) =>
      db.exec(`
        -- The primary key is the identity (line, station, boot, seq, ts) with ts moved forward, so the one
        -- B-tree both refuses duplicates and serves (line, station, ts) range reads: one tree per insert.
        CREATE TABLE events (
          line        TEXT    NOT NULL,
          station     TEXT    NOT NULL,
          ts          INTEGER NOT NULL,
          boot        TEXT    NOT NULL,
          seq         INTEGER NOT NULL,
          kind        TEXT    NOT NULL CHECK (kind IN ('cycle', 'state')),
          unit        TEXT,
          cycle_ms    REAL,
          ok          INTEGER,
          state       TEXT,
          reason      TEXT,
          received_at INTEGER NOT NULL,
          PRIMARY KEY (line, station, ts, boot, seq)
        ) WITHOUT ROWID;
        -- State events are rare; a partial index finds "the state at a window's start" without walking cycles.
        CREATE INDEX events_state ON events (line, station, ts) WHERE kind = 'state';

        CREATE TABLE rollups (
          line           TEXT    NOT NULL,
          station        TEXT    NOT NULL,
          minute         INTEGER NOT NULL,
          units          INTEGER NOT NULL,
          good           INTEGER NOT NULL,
          rejects        INTEGER NOT NULL,
          cycle_ms_sum   REAL    NOT NULL,
          cycle_ms_count INTEGER NOT NULL,
          PRIMARY KEY (line, station, minute)
        ) WITHOUT ROWID;
      `),
  },
  {
    version: 2,
    description: 'ingest bookkeeping: streams with counters, seq gaps, quarantine',
    up: (db) =>
      db.exec(`
        -- One row per (line, station, boot): the highest seq seen and the per-stream counters. Updating this one
        -- row per message keeps the persistent counters exact without a separate counters page per commit.
        CREATE TABLE streams (
          id         INTEGER PRIMARY KEY,
          line       TEXT    NOT NULL,
          station    TEXT    NOT NULL,
          boot       TEXT    NOT NULL,
          max_seq    INTEGER NOT NULL,
          stored     INTEGER NOT NULL DEFAULT 0,
          duplicates INTEGER NOT NULL DEFAULT 0,
          first_seen INTEGER NOT NULL,
          UNIQUE (line, station, boot)
        );
        INSERT INTO streams (line, station, boot, max_seq, stored, first_seen)
          SELECT line, station, boot, MAX(seq), COUNT(*), MIN(received_at) FROM events GROUP BY line, station, boot;

        CREATE TABLE gaps (
          id          INTEGER PRIMARY KEY,
          line        TEXT    NOT NULL,
          station     TEXT    NOT NULL,
          boot        TEXT    NOT NULL,
          from_seq    INTEGER NOT NULL,
          to_seq      INTEGER NOT NULL,
          detected_at INTEGER NOT NULL
        );
        -- Events stored before this step still tell which seq numbers never arrived.
        INSERT INTO gaps (line, station, boot, from_seq, to_seq, detected_at)
          SELECT line, station, boot, prev + 1, seq - 1, received_at FROM (
            SELECT line, station, boot, seq, received_at,
                   LAG(seq) OVER (PARTITION BY line, station, boot ORDER BY seq) AS prev
            FROM events
          ) WHERE prev IS NOT NULL AND seq > prev + 1;

        CREATE TABLE quarantine (
          id          INTEGER PRIMARY KEY,
          received_at INTEGER NOT NULL,
          topic       TEXT    NOT NULL,
          payload     TEXT    NOT NULL,
          reason      TEXT    NOT NULL
        );
        -- Counted apart from the bounded rows, so counts survive trimming.
        CREATE TABLE quarantine_counts (
          reason TEXT PRIMARY KEY,
          count  INTEGER NOT NULL
        ) WITHOUT ROWID;
      `),
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Applies the steps above `user_version`, each in its own transaction together with its version bump. */
export function migrate(db: Db, steps: readonly Migration[] = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = steps.length ? steps[steps.length - 1].version : 0;
  if (current > latest) {
    throw new Error(`database schema v${current} is newer than this Taktboard build understands (v${latest}); use a newer build or another --db file`);
  }
  for (const step of steps) {
    if (step.version <= current) continue;
    db.transaction(() => {
      step.up(db);
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
    log.info('database migrated', { version: step.version, step: step.description });
  }
  return db.pragma('user_version', { simple: true }) as number;
}

export function openDatabase(file: string, options: OpenOptions, steps: readonly Migration[] = MIGRATIONS): Db {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  if (options.synchronous !== 'NORMAL' && options.synchronous !== 'FULL') throw new Error(`synchronous must be NORMAL or FULL, not ${String(options.synchronous)}`);
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 250))}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`could not switch ${file} to WAL (journal_mode is ${String(mode)})`);
    db.pragma(`synchronous = ${options.synchronous}`);
    db.pragma('temp_store = MEMORY');
    // A checkpoint costs two fsyncs (40–50 ms here) and SQLite's automatic one runs inside the commit that
    // crosses the threshold, on the thread that also acknowledges MQTT messages. The Checkpointer below does
    // it elsewhere instead. A connection without a Checkpointer (no mode given, or 'sqlite') keeps the automatic one.
    db.pragma(`wal_autocheckpoint = ${options.checkpoint === 'worker' || options.checkpoint === 'timer' ? 0 : 4000}`);
    // ...and the file is cut back when the log restarts if a long reader let it grow far beyond that.
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    migrate(db, steps);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}


// ---- checkpoints -----------------------------------------------------------------------------------

/**
 * 'worker': a worker thread with its own connection runs PASSIVE checkpoints (copying and fsyncs happen
 * off the ingest thread); 'timer': the same on this thread's connection from a timer (for comparison);
 * 'sqlite': SQLite's automatic checkpoint every 4000 pages, inside the commit that crosses it.
 */
export type CheckpointMode = 'worker' | 'timer' | 'sqlite';

export interface CheckpointOptions {
  /** PASSIVE checkpoint this often. */
  intervalMs: number;
  /** No writes for this long: TRUNCATE the WAL to 0 bytes. */
  idleMs: number;
  /** A WAL file larger than this, fully checkpointed, under light load (≤ lightWrites per tick): TRUNCATE. */
  shrinkAboveBytes: number;
  lightWrites: number;
  /** The ingest connection looks at the WAL size every this many writes... */
  guardEveryWrites: number;
  /** ...and above this size checkpoints itself (the worker cannot finish while writes keep coming). */
  guardBytes: number;
}

/** The journal_size_limit: the size the WAL file is cut back to when it restarts. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export const DEFAULT_CHECKPOINT: CheckpointOptions = {
  intervalMs: 100,
  idleMs: 1000,
  shrinkAboveBytes: 4 * 1024 * 1024,
  lightWrites: 50,
  guardEveryWrites: 2000,
  // Measured (measure-ingest, mosquitto, 20 000 messages): the ingest-side checkpoint costs ~2 fsyncs whatever the
  // size, but a longer log also costs more to restart: 16 MB gave a max commit of 17–24 ms, 64 MB 25–50 ms.
  guardBytes: 16 * 1024 * 1024,
};

export interface CheckpointStats {
  mode: CheckpointMode;
  /** Whether the worker is running (false before the first write, after close, or after it failed). */
  workerRunning: boolean;
  passive: number;
  /** Checkpoints that could not copy everything (a reader, or a checkpoint on the other connection). */
  busy: number;
  truncates: number;
  errors: number;
  /** Checkpoints run by the ingest connection's size guard. */
  guardRuns: number;
}

// Slots of the Int32Array shared with the worker.
const CMD = 0; // 0 run, 1 stop
const DONE = 1; // set by the worker once its connection is closed
const WRITES = 2; // bumped by this thread after each write
const PASSIVE = 3;
const BUSY = 4;
const TRUNCATES = 5;
const ERRORS = 6;
// The size guard's handshake: this thread sets 1 (WAL too large); the worker checkpoints and sets 2; this
// thread, at its next write, checkpoints the few frames written since (cheap) and sets 0.
const RESTART = 7;
const SLOTS = 8;

// Plain JavaScript run as an eval'd worker: no file to find next to a bundle, no TypeScript loader needed.
// It waits on the shared array between checkpoints, so stopping it is synchronous (Store.close stays sync).
const WORKER_SOURCE = `
const fs = require('node:fs');
const { workerData } = require('node:worker_threads');
const { file, driver, o } = workerData;
const ctrl = new Int32Array(workerData.ctrl);
function finish(db) {
  try { if (db) db.close(); } catch {}
  Atomics.store(ctrl, ${DONE}, 1);
  Atomics.notify(ctrl, ${DONE});
}
let db = null;
try {
  if (Atomics.load(ctrl, ${CMD}) === 0) {
    const Database = require(driver);
    db = new Database(file, { fileMustExist: true });
    // Short: a TRUNCATE holds the write lock while it waits for readers.
    db.pragma('busy_timeout = 20');
    db.pragma('wal_autocheckpoint = 0');
    const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)').raw();
    const truncate = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').raw();
    const walSize = () => { try { return fs.statSync(file + '-wal').size; } catch { return 0; } };
    let lastWrites = Atomics.load(ctrl, ${WRITES});
    let lastWriteAt = Date.now();
    let truncated = false;
    while (Atomics.wait(ctrl, ${CMD}, 0, o.intervalMs) !== 'not-equal' && Atomics.load(ctrl, ${CMD}) === 0) {
      try {
        const writes = Atomics.load(ctrl, ${WRITES});
        const recent = (writes - lastWrites) | 0;
        const now = Date.now();
        if (recent !== 0) { lastWrites = writes; lastWriteAt = now; truncated = false; }
        if (truncated) continue;
        const [busy, log, done] = passive.get();
        Atomics.add(ctrl, ${PASSIVE}, 1);
        if (Atomics.load(ctrl, ${RESTART}) === 1) {
          // Flush what was written to the log during that checkpoint, so the ingest thread's final one
          // (see guard) has only a few frames to sync, not the last 100+ ms of commits.
          try { const fd = fs.openSync(file + '-wal', 'r+'); try { fs.fdatasyncSync(fd); } finally { fs.closeSync(fd); } } catch {}
          Atomics.compareExchange(ctrl, ${RESTART}, 1, 2);
        }
        if (busy || log !== done) { Atomics.add(ctrl, ${BUSY}, 1); continue; }
        if (now - lastWriteAt >= o.idleMs || (recent <= o.lightWrites && walSize() > o.shrinkAboveBytes)) {
          if (truncate.get()[0] === 0) { Atomics.add(ctrl, ${TRUNCATES}, 1); truncated = recent === 0; }
        }
      } catch { Atomics.add(ctrl, ${ERRORS}, 1); }
    }
  }
} finally {
  finish(db);
}
`;

/**
 * Keeps the WAL short without checkpointing inside a commit. The store calls noteWrites after each write
 * transaction; the first one starts the worker (read-only uses never start it).
 */
export class Checkpointer {
  readonly mode: CheckpointMode;
  private readonly o: CheckpointOptions;
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private worker: Worker | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private closed = false;
  private sinceGuard = 0;
  private nextGuard: number;
  private guardRuns = 0;
  private guardWaits = 0;
  private readonly walFile: string;
  private guardStmt: Database.Statement | null = null;
  // timer mode's state, as the worker keeps it
  private lastWrites = 0;
  private lastWriteAt = Date.now();
  private truncated = false;

  private readonly db: Db;

  constructor(db: Db, mode: CheckpointMode = 'worker', options: Partial<CheckpointOptions> = {}) {
    this.db = db;
    this.mode = mode;
    this.o = { ...DEFAULT_CHECKPOINT, ...options };
    this.nextGuard = this.o.guardEveryWrites;
    this.walFile = `${db.name}-wal`;
  }

  /** After a committed write (n rows or transactions). Never throws: the write is already committed. */
  noteWrites(n = 1): void {
    if (this.closed || this.mode === 'sqlite' || this.db.memory) return;
    if (!this.started) this.start();
    Atomics.add(this.ctrl, WRITES, n);
    this.sinceGuard += n;
    if (Atomics.load(this.ctrl, RESTART) === 2) this.checkpointHere();
    else if (this.sinceGuard >= this.nextGuard) this.guard();
  }

  /**
   * The worker's checkpoints never finish while commits keep coming (each one ends behind the newest frame),
   * so the log never restarts and the file grows. Above guardBytes the worker is asked for one more checkpoint;
   * right after it, this thread checkpoints the few frames written since (no commit runs meanwhile, so it
   * finishes) and the next commit starts the log again from its beginning. Without a worker it does it all.
   */
  private guard(): void {
    this.sinceGuard = 0;
    this.nextGuard = this.o.guardEveryWrites;
    if (walBytesOf(this.walFile) <= this.o.guardBytes) return;
    // If the worker does not get to it soon (busy with a long checkpoint, stuck, or gone), do it all here.
    if (this.worker && Atomics.load(this.ctrl, DONE) === 0 && this.guardWaits < 2) {
      Atomics.compareExchange(this.ctrl, RESTART, 0, 1);
      this.guardWaits++;
      return;
    }
    this.checkpointHere();
  }

  private checkpointHere(): void {
    Atomics.store(this.ctrl, RESTART, 0);
    this.guardWaits = 0;
    this.sinceGuard = 0;
    try {
      this.guardStmt ??= this.db.prepare('PRAGMA wal_checkpoint(PASSIVE)').raw();
      const [busy, walLog, done] = this.guardStmt.get() as [number, number, number];
      this.guardRuns++;
      // Not finished (a reader, or the worker held the checkpoint lock): look again sooner.
      if (busy || walLog !== done) this.nextGuard = Math.max(1, Math.floor(this.o.guardEveryWrites / 10));
      else this.nextGuard = this.o.guardEveryWrites;
    } catch (err) {
      log.warn('WAL checkpoint on the ingest connection failed', { error: String(err) });
    }
  }

  private start(): void {
    this.started = true;
    if (this.mode === 'worker') {
      try {
        const driver = createRequire(import.meta.url).resolve('better-sqlite3');
        const worker = new Worker(WORKER_SOURCE, {
          eval: true,
          workerData: { file: this.db.name, driver, ctrl: this.ctrl.buffer, o: this.o },
          stdout: false,
          stderr: false,
        });
        worker.unref();
        worker.on('error', (err) => this.fallBack(err));
        worker.on('exit', (code) => {
          if (this.worker === worker) this.worker = null;
          if (!this.closed && code !== 0) this.fallBack(new Error(`checkpoint worker exited with code ${code}`));
        });
        this.worker = worker;
        return;
      } catch (err) {
        this.fallBack(err);
        return;
      }
    }
    this.startTimer();
  }

  private fallBack(err: unknown): void {
    if (this.closed || this.timer) return;
    this.worker = null;
    log.warn('checkpoint worker unavailable; checkpointing from a timer on the ingest thread', { error: String(err) });
    this.startTimer();
  }

  private startTimer(): void {
    this.lastWrites = Atomics.load(this.ctrl, WRITES);
    this.timer = setInterval(() => this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  /** Timer mode: what the worker does, on this connection. */
  private tick(): void {
    if (this.closed || !this.db.open || this.db.inTransaction) return;
    try {
      const writes = Atomics.load(this.ctrl, WRITES);
      const recent = (writes - this.lastWrites) | 0;
      const now = Date.now();
      if (recent !== 0) {
        this.lastWrites = writes;
        this.lastWriteAt = now;
        this.truncated = false;
      }
      if (this.truncated) return;
      const r = (this.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[])[0];
      Atomics.add(this.ctrl, PASSIVE, 1);
      if (r.busy || r.log !== r.checkpointed) {
        Atomics.add(this.ctrl, BUSY, 1);
        return;
      }
      if (now - this.lastWriteAt >= this.o.idleMs || (recent <= this.o.lightWrites && walBytesOf(this.walFile) > this.o.shrinkAboveBytes)) {
        const t = (this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[])[0];
        if (t.busy === 0) {
          Atomics.add(this.ctrl, TRUNCATES, 1);
          this.truncated = recent === 0;
        }
      }
    } catch {
      Atomics.add(this.ctrl, ERRORS, 1);
    }
  }

  stats(): CheckpointStats {
    return {
      mode: this.mode,
      workerRunning: this.worker !== null && Atomics.load(this.ctrl, DONE) === 0,
      passive: Atomics.load(this.ctrl, PASSIVE),
      busy: Atomics.load(this.ctrl, BUSY),
      truncates: Atomics.load(this.ctrl, TRUNCATES),
      errors: Atomics.load(this.ctrl, ERRORS),
      guardRuns: this.guardRuns,
    };
  }

  /** Stops the worker and waits (up to 2 s) for it to close its connection, so the caller's close is the last. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    Atomics.store(this.ctrl, CMD, 1);
    Atomics.notify(this.ctrl, CMD);
    if (this.worker) {
      if (Atomics.wait(this.ctrl, DONE, 0, 2000) === 'timed-out') {
        log.warn('checkpoint worker did not stop within 2 s; terminating it');
        void this.worker.terminate();
      }
      this.worker = null;
    }
  }
}

export function walBytesOf(walFile: string): number {
  try {
    return fs.statSync(walFile).size;
  } catch {
    return 0;
  }
}
