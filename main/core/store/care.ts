// Care of the database file that runs on its own connection: quick_check, online backups, and what
// Diagnostics shows of the file (size, WAL, the last check and backup). The schedule, recovery from a
// damaged file and retention are in maintenance.ts.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Diagnostics } from '../../../shared/api.ts';
import { logger } from '../log.ts';
import type { Db } from './db.ts';
import { workerUrl } from '../worker-url.ts';
import { timed, type Writer } from './writer.ts';

const log = logger('store');

export type StoreInfo = Diagnostics['db'];
export type QuickCheck = NonNullable<StoreInfo['lastQuickCheck']>;

export class Care {
  private readonly db: Db;
  private readonly writer: Writer;
  private lastQuickCheck: StoreInfo['lastQuickCheck'] = null;
  private lastBackup: StoreInfo['lastBackup'] = null;

  constructor(db: Db, writer: Writer) {
    this.db = db;
    this.writer = writer;
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
      path: this.db.name,
      sizeBytes: size(this.db.name),
      walBytes: size(`${this.db.name}-wal`),
      synchronous: ['OFF', 'NORMAL', 'FULL', 'EXTRA'][level] ?? String(level),
      lastQuickCheck: this.lastQuickCheck,
      lastBackup: this.lastBackup,
    };
  }

  /** A quick_check run elsewhere (a worker thread), kept for info() like quickCheck's own. */
  noteQuickCheck(result: QuickCheck): void {
    this.lastQuickCheck = result;
  }

  /** PRAGMA quick_check; the result is kept for info(). It reads the whole file: run it off-peak. */
  quickCheck(): QuickCheck {
    const rows = timed('quickCheck', () => this.db.pragma('quick_check', { simple: false }) as { quick_check: string }[]);
    const detail = rows.map((r) => r.quick_check).join('; ');
    this.lastQuickCheck = { ts: Date.now(), ok: detail === 'ok', detail };
    if (!this.lastQuickCheck.ok) log.error('database quick_check failed', { detail });
    return this.lastQuickCheck;
  }

  /** An online copy of the database (SQLite backup API, in steps, so ingest goes on meanwhile). */
  async backupTo(file: string): Promise<void> {
    // A copy of a damaged file would push the good backups out of the kept N.
    this.writer.assertWritable();
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    // Written under another name and renamed when complete: a crash mid-copy never leaves a "newest backup" that is half a file.
    const partial = `${file}.partial`;
    const t0 = performance.now();
    try {
      await backupInWorker(this.db.name, partial);
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
}

/** Runs the copy in store/backup-worker.ts; rejects with the worker's error (its SQLite code kept). */
function backupInWorker(file: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl('store/backup-worker'), { workerData: { file, to } });
    let settled = false;
    worker.once('message', (m: { ok: true } | { ok: false; message: string; code?: string }) => {
      settled = true;
      if (m.ok) resolve();
      else reject(Object.assign(new Error(m.message), { code: m.code }));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`backup worker exited with code ${code}`));
    });
  });
}
