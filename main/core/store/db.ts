// Opens the SQLite file and brings its schema up to date. The schema lives in MIGRATIONS only:
// a file written by any earlier build is upgraded step by step, never rebuilt.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { logger } from '../log.ts';
import { INPUTS_MIGRATION } from '../ingest/inputs/migration.ts';

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
  /**
   * A Checkpointer (checkpoint.ts) keeps the WAL short off the commit path: SQLite's own checkpoint inside
   * commits is then off. Without one (tools, tests) SQLite checkpoints every 4000 pages as usual.
   */
  checkpointer?: boolean;
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
  {
    version: 3,
    description: 'configuration versions',
    up: (db) =>
      db.exec(`
        -- CONTRACT §2.1: every configuration the app ran with, by effective production date. The versioned part
        -- (no broker, no access) as canonical JSON; the id orders them as recorded ("the one recorded last wins").
        CREATE TABLE config_versions (
          id             INTEGER PRIMARY KEY,
          effective_date TEXT    NOT NULL CHECK (effective_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
          recorded_at    INTEGER NOT NULL,
          recorded_by    TEXT    NOT NULL,
          config         TEXT    NOT NULL,
          summary        TEXT    NOT NULL
        );
      `),
  },
  {
    version: 4,
    description: 'the operator\'s word: stop codes, shift notes, and the audit of every write',
    up: (db) =>
      db.exec(`
        -- Beside the telemetry, never mixed into it. A stop is named by where it begins: a station's down
        -- period by its down event's ts, the line's unreported stop (station '') by the unit before it.
        -- Every code is kept; the newest for a stop is the one in force.
        CREATE TABLE stop_codes (
          id       INTEGER PRIMARY KEY,
          line     TEXT    NOT NULL,
          station  TEXT    NOT NULL,
          start_ts INTEGER NOT NULL,
          reason   TEXT    NOT NULL,
          comment  TEXT,
          by       TEXT    NOT NULL,
          role     TEXT    NOT NULL,
          at       INTEGER NOT NULL
        );
        CREATE INDEX stop_codes_stop ON stop_codes (line, start_ts);

        CREATE TABLE shift_notes (
          id    INTEGER PRIMARY KEY,
          date  TEXT    NOT NULL,
          shift TEXT    NOT NULL,
          line  TEXT    NOT NULL,
          text  TEXT    NOT NULL,
          by    TEXT    NOT NULL,
          role  TEXT    NOT NULL,
          at    INTEGER NOT NULL
        );
        CREATE INDEX shift_notes_key ON shift_notes (date, line, shift);

        -- Every write and every refused attempt (RELIABILITY row 36): who, with which role, what, and how it ended.
        CREATE TABLE audit (
          id      INTEGER PRIMARY KEY,
          at      INTEGER NOT NULL,
          who     TEXT    NOT NULL,
          role    TEXT    NOT NULL,
          action  TEXT    NOT NULL,
          target  TEXT    NOT NULL,
          outcome TEXT    NOT NULL CHECK (outcome IN ('ok', 'refused', 'invalid')),
          detail  TEXT    NOT NULL
        );
      `),
  },
  {
    version: 5,
    description: 'quarantine reasons as words the screens translate',
    up: (db) =>
      db.exec(`
        -- The reason's key and parameters (shared/words.ts) as JSON beside its English; null for rows stored before.
        ALTER TABLE quarantine ADD COLUMN words TEXT;
      `),
  },
  {
    version: 6,
    description: 'andon alerts: opened, escalated, acknowledged, closed',
    up: (db) =>
      db.exec(`
        -- CONTRACT §6.1: one row per alert; an open one has closed_at NULL. cause_key is one per cause
        -- (kind, line, station), so at most one alert per cause is open at a time.
        CREATE TABLE andon_alerts (
          id         INTEGER PRIMARY KEY,
          cause_key  TEXT    NOT NULL,
          line       TEXT    NOT NULL,
          station    TEXT,
          kind       TEXT    NOT NULL,
          level      INTEGER NOT NULL,
          since      INTEGER NOT NULL,
          opened_at  INTEGER NOT NULL,
          ack_by     TEXT,
          ack_at     INTEGER,
          ack_level  INTEGER,
          closed_at  INTEGER,
          detail     TEXT    NOT NULL
        );
        CREATE UNIQUE INDEX andon_open_cause ON andon_alerts (cause_key) WHERE closed_at IS NULL;
        CREATE INDEX andon_by_time ON andon_alerts (line, opened_at);
      `),
  },
  // Issue 12: the input adapters' state (main/core/ingest/inputs/migration.ts holds the SQL).
  { version: 7, ...INPUTS_MIGRATION },
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

/**
 * A read-only connection for a read worker or the CLI: never migrates, never writes. A file written by a
 * newer build is refused, one by an older build is read as it is (migrations only add).
 */
export function openReadOnly(file: string, options: { busyTimeoutMs?: number } = {}): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 1000))}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw new Error(`database schema v${version} is newer than this Taktboard build understands (v${SCHEMA_VERSION})`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
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
    // crosses the threshold, on the thread that also acknowledges MQTT messages: the Checkpointer does it elsewhere.
    db.pragma(`wal_autocheckpoint = ${options.checkpointer ? 0 : 4000}`);
    // ...and the file is cut back when the log restarts if a long reader let it grow far beyond that.
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    migrate(db, steps);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The journal_size_limit: the size the WAL file is cut back to when it restarts. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export function walBytesOf(walFile: string): number {
  try {
    return fs.statSync(walFile).size;
  } catch {
    return 0;
  }
}
