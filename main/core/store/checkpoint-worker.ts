// The checkpoint worker (see checkpoint.ts): its own connection runs PASSIVE checkpoints, and TRUNCATEs
// the WAL when ingest pauses, so the copying and the fsyncs never run on the thread that acknowledges
// MQTT messages. It waits on the shared control array between checkpoints, so stopping it is synchronous.
import fs from 'node:fs';
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { Slot, type CheckpointWorkerData } from './checkpoint-slots.ts';

const { file, o } = workerData as CheckpointWorkerData;
const ctrl = new Int32Array(workerData.ctrl as SharedArrayBuffer);

function walSize(): number {
  try {
    return fs.statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

/** Makes what was written to the log during a checkpoint durable, so the ingest thread's final one has only a few frames to sync. */
function syncWal(): void {
  try {
    const fd = fs.openSync(`${file}-wal`, 'r+');
    try {
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // the log is gone (truncated, or the file closed): nothing to sync
  }
}

let db: Database.Database | null = null;
try {
  if (Atomics.load(ctrl, Slot.Cmd) === 0) {
    db = new Database(file, { fileMustExist: true });
    // Short: a TRUNCATE holds the write lock while it waits for readers.
    db.pragma('busy_timeout = 20');
    db.pragma('wal_autocheckpoint = 0');
    const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)').raw();
    const truncate = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').raw();
    let lastWrites = Atomics.load(ctrl, Slot.Writes);
    let lastWriteAt = Date.now();
    let truncated = false;
    while (Atomics.wait(ctrl, Slot.Cmd, 0, o.intervalMs) !== 'not-equal' && Atomics.load(ctrl, Slot.Cmd) === 0) {
      try {
        const writes = Atomics.load(ctrl, Slot.Writes);
        const recent = (writes - lastWrites) | 0;
        const now = Date.now();
        if (recent !== 0) {
          lastWrites = writes;
          lastWriteAt = now;
          truncated = false;
        }
        if (truncated) continue;
        const [busy, log, done] = passive.get() as [number, number, number];
        Atomics.add(ctrl, Slot.Passive, 1);
        if (Atomics.load(ctrl, Slot.Restart) === 1) {
          syncWal();
          Atomics.compareExchange(ctrl, Slot.Restart, 1, 2);
        }
        if (busy || log !== done) {
          Atomics.add(ctrl, Slot.Busy, 1);
          continue;
        }
        if (now - lastWriteAt >= o.idleMs || (recent <= o.lightWrites && walSize() > o.shrinkAboveBytes)) {
          if ((truncate.get() as number[])[0] === 0) {
            Atomics.add(ctrl, Slot.Truncates, 1);
            truncated = recent === 0;
          }
        }
      } catch {
        Atomics.add(ctrl, Slot.Errors, 1);
      }
    }
  }
} finally {
  try {
    db?.close();
  } catch {
    // closing is best effort: the main connection closes last and checkpoints anyway
  }
  Atomics.store(ctrl, Slot.Done, 1);
  Atomics.notify(ctrl, Slot.Done);
}
