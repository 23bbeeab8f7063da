// The store: one SQLite file opened for writing, in three parts on its one connection — the write path
// (writer.ts), the reads (reads.ts; History and the CSVs run the same reads on read-only connections in
// the read workers) and the care of the file (care.ts) — plus the checkpointer that keeps its WAL short.
import type { Config } from '../../../shared/config.ts';
import { Care } from './care.ts';
import { Checkpointer, type CheckpointMode, type CheckpointOptions, type CheckpointStats } from './checkpoint.ts';
import { openDatabase, type Db, type Synchronous } from './db.ts';
import { Reads } from './reads.ts';
import { Writer } from './writer.ts';

export { DB_DAMAGED, SLOW_QUERY_MS, reasonKey, type CommitResult, type QuarantineInput } from './writer.ts';
export type { CycleRow, StateRow, RollupRow, StationLast, ClockSkew } from './reads.ts';
export type { StoreInfo } from './care.ts';

export interface StoreOptions {
  synchronous: Synchronous;
  /** config.retention.quarantineRows: the newest rows are kept. */
  quarantineRows: number;
  busyTimeoutMs?: number;
  /** 'timer' checkpoints from this thread, as when no worker can run (for testing that fallback). */
  checkpoint?: CheckpointMode;
  checkpointOptions?: Partial<CheckpointOptions>;
}

/** The store for a plant configuration: its synchronous level and quarantine bound. */
export function openStore(file: string, config: Config, options: { busyTimeoutMs?: number } = {}): Store {
  return Store.open(file, {
    synchronous: config.storage.synchronous,
    quarantineRows: config.retention.quarantineRows,
    busyTimeoutMs: options.busyTimeoutMs,
  });
}

export class Store {
  readonly db: Db;
  readonly path: string;
  readonly writer: Writer;
  readonly reads: Reads;
  readonly care: Care;
  /** Checkpoints the WAL off the commit path; the writer tells it about every committed write. */
  readonly checkpointer: Checkpointer;

  static open(file: string, options: StoreOptions): Store {
    const db = openDatabase(file, { synchronous: options.synchronous, busyTimeoutMs: options.busyTimeoutMs, checkpointer: true });
    try {
      return new Store(db, options);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  constructor(db: Db, options: Pick<StoreOptions, 'quarantineRows' | 'checkpoint' | 'checkpointOptions'>) {
    this.db = db;
    this.path = db.name;
    this.checkpointer = new Checkpointer(db, options.checkpoint ?? 'worker', options.checkpointOptions);
    this.writer = new Writer(db, this.checkpointer, { quarantineRows: options.quarantineRows });
    this.reads = new Reads(db);
    this.care = new Care(db, this.writer);
  }

  checkpointStats(): CheckpointStats {
    return this.checkpointer.stats();
  }

  close(): void {
    // The worker's connection goes first, so this one is the last: SQLite then checkpoints and removes the WAL.
    this.checkpointer.close();
    this.db.close();
  }
}
