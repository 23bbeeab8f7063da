// Care of the database file: a quick_check at start with recovery from a damaged file (moved aside, the newest
// good backup restored or a new file started, the user told), online backups on a schedule, retention of raw
// events in small batches, and a banner when the WAL grows large (a long reader keeps it from being folded back).
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { Alert } from '../../../shared/api.ts';
import type { Config } from '../../../shared/config.ts';
import { english, type Words } from '../../../shared/words.ts';
import { logger } from '../log.ts';
import { walBytesOf } from './db.ts';
import { openStore, type Store } from './store.ts';
import { quickCheckInBackground, type BackgroundCheck } from './background-check.ts';

const log = logger('store');
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface Recovery {
  /** What the user is told (Alert 'db_recovered'): the English of `words`. */
  message: string;
  words: Words;
  /** Where the damaged file now is. */
  movedTo: string;
  /** The backup copied in its place, or null when a new, empty database was started. */
  restoredFrom: string | null;
}

export interface CheckedStore {
  store: Store;
  recovery: Recovery | null;
  /** A large file's quick_check, running in a worker while the store is in use; null when it already ran. */
  background: BackgroundCheck | null;
}

/**
 * Up to this size (file + WAL) quick_check runs before ingest starts (~1 s at most here); above it, in the
 * background. 256 MiB is ~2.7 M events: a day of a 10-line cell plant is ~380 MiB.
 */
export const SYNC_CHECK_MAX_BYTES = 256 * 1024 * 1024;

/** Left by a background quick_check that found damage: the next start recovers without checking again. */
export function damageMarkerOf(dbPath: string): string {
  return `${dbPath}.damaged`;
}

/** SQLite's words for "this file is damaged", as opposed to locked, missing, unreadable or from a newer build. */
export function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/**
 * Opens the store and runs quick_check (its result is kept for Diagnostics.db.lastQuickCheck). A damaged file is
 * moved aside as `<name>.corrupt-<timestamp>` (with its -wal), the newest backup that passes quick_check is copied
 * in, else a new database is started; the caller gets the words to tell the user. Never leaves the damaged file
 * in place, so the next start does not find it again (no crash loop). Other errors (permissions, a file from a
 * newer build) are thrown as they are: moving such a file aside would lose data.
 */
export function openStoreChecked(
  dbPath: string,
  config: Config,
  now: () => number = Date.now,
  options: { syncCheckMaxBytes?: number } = {},
): CheckedStore {
  let damage: string;
  const marked = readMarker(dbPath);
  if (marked !== null && fs.existsSync(dbPath)) return recoverDamaged(dbPath, config, marked, now());
  try {
    const store = openStore(dbPath, config);
    const bytes = fileBytes(dbPath);
    if (bytes > (options.syncCheckMaxBytes ?? SYNC_CHECK_MAX_BYTES)) {
      log.info('database quick_check runs in the background (large file)', { bytes });
      noteNewestBackup(store, dbPath);
      return { store, recovery: null, background: quickCheckInBackground(dbPath) };
    }
    const t0 = performance.now();
    const check = store.care.quickCheck();
    log.info('database quick_check', { ok: check.ok, ms: Math.round(performance.now() - t0) });
    if (check.ok) {
      noteNewestBackup(store, dbPath);
      return { store, recovery: null, background: null };
    }
    damage = damageOf(check.detail);
    try {
      store.close();
    } catch {
      // a damaged file may fail its final checkpoint; it is moved aside next anyway
    }
  } catch (err) {
    if (!isCorruption(err)) throw err;
    damage = (err as Error).message;
  }
  return recoverDamaged(dbPath, config, damage, now());
}

/** quick_check's findings on one line, short enough for a banner. */
export function damageOf(quickCheckDetail: string): string {
  return `quick_check: ${quickCheckDetail.replace(/\s+/g, ' ').trim().slice(0, 300)}`;
}

/** Records that a background quick_check found `damage`, for the next start to recover. */
export function markDamaged(dbPath: string, damage: string): void {
  fs.writeFileSync(damageMarkerOf(dbPath), damage);
}

function readMarker(dbPath: string): string | null {
  try {
    return fs.readFileSync(damageMarkerOf(dbPath), 'utf8').slice(0, 400) || 'quick_check found damage';
  } catch {
    return null;
  }
}

function fileBytes(dbPath: string): number {
  const size = (f: string) => {
    try {
      return fs.statSync(f).size;
    } catch {
      return 0;
    }
  };
  return size(dbPath) + size(`${dbPath}-wal`);
}

function noteNewestBackup(store: Store, dbPath: string): void {
  const newest = listBackups(dbPath)[0];
  if (newest) store.care.noteBackup({ ts: newest.ts, path: newest.file });
}

/** Moves the damaged file aside and restores the newest good backup, or starts a new database. */
export function recoverDamaged(dbPath: string, config: Config, damage: string, at: number): CheckedStore {
  const movedTo = `${dbPath}.corrupt-${stamp(at)}`;
  fs.renameSync(dbPath, movedTo);
  // The log belongs to the damaged file (its last commits may be in it): it goes along; the index is rebuilt.
  if (fs.existsSync(`${dbPath}-wal`)) fs.renameSync(`${dbPath}-wal`, `${movedTo}-wal`);
  fs.rmSync(`${dbPath}-shm`, { force: true });
  // Only after the damaged file is out of the way: a crash before this point finds the marker again.
  fs.rmSync(damageMarkerOf(dbPath), { force: true });

  for (const backup of listBackups(dbPath)) {
    if (!backupIsGood(backup.file)) {
      log.warn('backup fails quick_check; trying an older one', { backup: backup.file });
      continue;
    }
    const restoring = `${dbPath}.restoring`;
    try {
      fs.copyFileSync(backup.file, restoring);
      fs.renameSync(restoring, dbPath);
      const store = openStore(dbPath, config);
      store.care.quickCheck();
      store.care.noteBackup({ ts: backup.ts, path: backup.file });
      const words: Words = {
        key: 'alert.recovered_backup',
        params: { damage, file: path.basename(movedTo), time: new Date(backup.ts).toISOString().replace('T', ' ').slice(0, 16) },
      };
      log.error('database damaged at start: moved aside, backup restored', { damage, movedTo, restoredFrom: backup.file });
      return { store, recovery: { message: english(words), words, movedTo, restoredFrom: backup.file }, background: null };
    } catch (err) {
      log.warn('restoring a backup failed; trying an older one', { backup: backup.file, error: String(err) });
      fs.rmSync(restoring, { force: true });
      for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) fs.rmSync(f, { force: true });
    }
  }

  const store = openStore(dbPath, config);
  store.care.quickCheck();
  const words: Words = { key: 'alert.recovered_new', params: { damage, file: path.basename(movedTo) } };
  log.error('database damaged at start: moved aside, new database started', { damage, movedTo });
  return { store, recovery: { message: english(words), words, movedTo, restoredFrom: null }, background: null };
}

function backupIsGood(file: string): boolean {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.pragma('quick_check', { simple: true }) === 'ok';
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

// ---- backup files ----------------------------------------------------------------------------------

export function backupDir(dbPath: string): string {
  return path.join(path.dirname(path.resolve(dbPath)), 'backups');
}

/** UTC, sortable, safe in file names on every OS: 20261201-091500-123. */
function stamp(ts: number): string {
  return new Date(ts).toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').replace('Z', '');
}

function parseStamp(s: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-(\d{3})$/.exec(s);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]) : null;
}

function backupName(dbPath: string, ts: number): string {
  const base = path.basename(dbPath);
  return path.join(backupDir(dbPath), `${base}.${stamp(ts)}.backup`);
}

/** This database's backups, newest first. */
export function listBackups(dbPath: string): { file: string; ts: number }[] {
  const dir = backupDir(dbPath);
  const prefix = `${path.basename(dbPath)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: { file: string; ts: number }[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.backup')) continue;
    const ts = parseStamp(name.slice(prefix.length, -'.backup'.length));
    if (ts !== null) out.push({ file: path.join(dir, name), ts });
  }
  return out.sort((a, b) => b.ts - a.ts);
}

// ---- the schedule ----------------------------------------------------------------------------------

export interface MaintenanceOptions {
  store: Store;
  config: Config;
  /** Raised (message, the English of words) or cleared (null), like the ingest's alerts. */
  onAlert: (code: Alert['code'], message: string | null, words: Words | null) => void;
  /** From openStoreChecked: raised as 'db_recovered' at once. */
  recovery?: Recovery | null;
  /** How often the schedule looks at what is due (and at the WAL size). */
  tickMs?: number;
  /** Retention runs this often (and at the first tick). */
  pruneEveryMs?: number;
  /** Raw events deleted per step; the event loop (and the ingest) get a turn between steps. */
  pruneBatchRows?: number;
  /** A WAL file larger than this raises 'wal_large'; below half of it the banner goes. */
  walAlertBytes?: number;
  now?: () => number;
}

export interface Maintenance {
  /** Clears the timers and waits for a backup or prune in progress. */
  stop(): Promise<void>;
  /** One online backup now, then old ones beyond storage.backupsKept removed. Returns the file. */
  backupNow(): Promise<string>;
  /** Deletes raw events older than retention.rawDays in small batches; returns how many. */
  pruneNow(): Promise<number>;
  /** Runs what is due now (what the timer does). */
  tick(): Promise<void>;
}

export const DEFAULT_WAL_ALERT_BYTES = 256 * 1024 * 1024;

export function startMaintenance(o: MaintenanceOptions): Maintenance {
  const { store, config, onAlert } = o;
  const now = o.now ?? Date.now;
  const tickMs = o.tickMs ?? 5000;
  const pruneEveryMs = o.pruneEveryMs ?? HOUR_MS;
  const batch = Math.max(1, Math.floor(o.pruneBatchRows ?? 2000));
  const walAlertBytes = o.walAlertBytes ?? DEFAULT_WAL_ALERT_BYTES;
  const backupEveryMs = config.storage.backupEveryH * HOUR_MS;
  const backupsKept = config.storage.backupsKept;
  const backupsOn = backupEveryMs > 0 && backupsKept > 0;

  let stopped = false;
  let walAlert = false;
  let lastPrune = Number.NEGATIVE_INFINITY;
  let lastBackupTs = listBackups(store.path)[0]?.ts ?? Number.NEGATIVE_INFINITY;
  let running: Promise<unknown> | null = null;

  if (o.recovery) onAlert('db_recovered', o.recovery.message, o.recovery.words);

  function checkWal(): void {
    const bytes = walBytesOf(`${store.path}-wal`);
    if (!walAlert && bytes > walAlertBytes) {
      walAlert = true;
      const mb = Math.round(bytes / 1048576);
      log.warn('WAL large', { bytes });
      const words: Words = { key: 'alert.wal_large', params: { mb } };
      onAlert('wal_large', english(words), words);
    } else if (walAlert && bytes < walAlertBytes / 2) {
      walAlert = false;
      log.info('WAL back to normal', { bytes });
      onAlert('wal_large', null, null);
    }
  }

  async function backupNow(): Promise<string> {
    const at = now();
    const file = backupName(store.path, at);
    await store.care.backupTo(file);
    lastBackupTs = at;
    for (const old of listBackups(store.path).slice(Math.max(1, backupsKept))) {
      fs.rmSync(old.file, { force: true });
      log.info('old backup removed', { path: old.file });
    }
    return file;
  }

  async function pruneNow(): Promise<number> {
    const cutoff = now() - config.retention.rawDays * DAY_MS;
    let total = 0;
    for (let step = 0; step < 1_000_000 && !stopped; step++) {
      const n = store.writer.pruneRaw(cutoff, batch);
      total += n;
      if (n < batch) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    lastPrune = now();
    return total;
  }

  async function tick(): Promise<void> {
    if (stopped || !store.db.open) return;
    checkWal();
    if (running) return;
    const t = now();
    let job: Promise<unknown> | null = null;
    if (t - lastPrune >= pruneEveryMs) {
      job = pruneNow().catch((err) => log.error('retention failed; retried at the next run', { error: String(err) }));
    } else if (backupsOn && t - lastBackupTs >= backupEveryMs) {
      job = backupNow().catch((err) => {
        // Tried again after a while, not at every tick.
        lastBackupTs = t - backupEveryMs + Math.min(backupEveryMs, HOUR_MS);
        log.error('backup failed', { error: String(err) });
      });
    }
    if (!job) return;
    running = job;
    try {
      await job;
    } finally {
      running = null;
    }
  }

  const timer = setInterval(() => void tick(), tickMs);
  timer.unref();

  return {
    backupNow,
    pruneNow,
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
