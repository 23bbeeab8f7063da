// The control array shared by the Checkpointer (checkpoint.ts) and its worker (checkpoint-worker.ts).
import type { CheckpointOptions } from './checkpoint.ts';

/** Slots of the Int32Array; a const object rather than an enum, so Node's type stripping runs it. */
export const Slot = {
  /** 0 run, 1 stop. */
  Cmd: 0,
  /** Set by the worker once its connection is closed. */
  Done: 1,
  /** Bumped by the ingest thread after each write. */
  Writes: 2,
  Passive: 3,
  Busy: 4,
  Truncates: 5,
  Errors: 6,
  /**
   * The size guard's handshake: the ingest thread sets 1 (WAL too large); the worker checkpoints and sets
   * 2; the ingest thread, at its next write, checkpoints the few frames written since (cheap) and sets 0.
   */
  Restart: 7,
} as const;
export const SLOTS = 8;

export interface CheckpointWorkerData {
  file: string;
  ctrl: SharedArrayBuffer;
  o: CheckpointOptions;
}
