// Checkpoints of the WAL, off the commit path. SQLite's automatic checkpoint runs inside the commit that
// crosses its threshold, on the thread that also acknowledges MQTT messages, and costs two fsyncs (40–50 ms
// here); instead a worker thread with its own connection (checkpoint-worker.ts) runs PASSIVE checkpoints
// and truncates the WAL when ingest pauses. If the worker cannot run, a timer on this thread does the same.
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { logger } from '../log.ts';
import { workerUrl } from '../worker-url.ts';
import { SLOTS, Slot, type CheckpointWorkerData } from './checkpoint-slots.ts';
import { walBytesOf, type Db } from './db.ts';

const log = logger('store');

/** 'worker': the checkpoint worker; 'timer': the same from a timer on this thread (the fallback when no worker can run). */
export type CheckpointMode = 'worker' | 'timer';


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
    if (this.closed || this.db.memory) return;
    if (!this.started) this.start();
    Atomics.add(this.ctrl, Slot.Writes, n);
    this.sinceGuard += n;
    if (Atomics.load(this.ctrl, Slot.Restart) === 2) this.checkpointHere();
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
    if (this.worker && Atomics.load(this.ctrl, Slot.Done) === 0 && this.guardWaits < 2) {
      Atomics.compareExchange(this.ctrl, Slot.Restart, 0, 1);
      this.guardWaits++;
      return;
    }
    this.checkpointHere();
  }

  private checkpointHere(): void {
    Atomics.store(this.ctrl, Slot.Restart, 0);
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
    if (this.mode === 'timer') return this.startTimer();
    try {
      const data: CheckpointWorkerData = { file: this.db.name, ctrl: this.ctrl.buffer as SharedArrayBuffer, o: this.o };
      const worker = new Worker(workerUrl('store/checkpoint-worker'), { workerData: data, stdout: false, stderr: false });
      worker.unref();
      worker.on('error', (err) => this.fallBack(err));
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = null;
        if (!this.closed && code !== 0) this.fallBack(new Error(`checkpoint worker exited with code ${code}`));
      });
      this.worker = worker;
    } catch (err) {
      this.fallBack(err);
    }
  }

  private fallBack(err: unknown): void {
    if (this.closed || this.timer) return;
    this.worker = null;
    log.warn('checkpoint worker unavailable; checkpointing from a timer on the ingest thread', { error: String(err) });
    this.startTimer();
  }

  private startTimer(): void {
    this.lastWrites = Atomics.load(this.ctrl, Slot.Writes);
    this.timer = setInterval(() => this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  /** Timer mode: what the worker does, on this connection. */
  private tick(): void {
    if (this.closed || !this.db.open || this.db.inTransaction) return;
    try {
      const writes = Atomics.load(this.ctrl, Slot.Writes);
      const recent = (writes - this.lastWrites) | 0;
      const now = Date.now();
      if (recent !== 0) {
        this.lastWrites = writes;
        this.lastWriteAt = now;
        this.truncated = false;
      }
      if (this.truncated) return;
      const r = (this.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[])[0];
      Atomics.add(this.ctrl, Slot.Passive, 1);
      if (r.busy || r.log !== r.checkpointed) {
        Atomics.add(this.ctrl, Slot.Busy, 1);
        return;
      }
      if (now - this.lastWriteAt >= this.o.idleMs || (recent <= this.o.lightWrites && walBytesOf(this.walFile) > this.o.shrinkAboveBytes)) {
        const t = (this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[])[0];
        if (t.busy === 0) {
          Atomics.add(this.ctrl, Slot.Truncates, 1);
          this.truncated = recent === 0;
        }
      }
    } catch {
      Atomics.add(this.ctrl, Slot.Errors, 1);
    }
  }

  stats(): CheckpointStats {
    return {
      mode: this.mode,
      workerRunning: this.worker !== null && Atomics.load(this.ctrl, Slot.Done) === 0,
      passive: Atomics.load(this.ctrl, Slot.Passive),
      busy: Atomics.load(this.ctrl, Slot.Busy),
      truncates: Atomics.load(this.ctrl, Slot.Truncates),
      errors: Atomics.load(this.ctrl, Slot.Errors),
      guardRuns: this.guardRuns,
    };
  }

  /** Stops the worker and waits (up to 2 s) for it to close its connection, so the caller's close is the last. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    Atomics.store(this.ctrl, Slot.Cmd, 1);
    Atomics.notify(this.ctrl, Slot.Cmd);
    if (this.worker) {
      if (Atomics.wait(this.ctrl, Slot.Done, 0, 2000) === 'timed-out') {
        log.warn('checkpoint worker did not stop within 2 s; terminating it');
        void this.worker.terminate();
      }
      this.worker = null;
    }
  }
}
