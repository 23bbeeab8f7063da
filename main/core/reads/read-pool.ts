// A small pool of read workers (DESIGN "Threads and processes", Signal's pattern): each with its own
// read-only connection, each request to the least-loaded worker, so History, the CSVs and Diagnostics
// never make the engine's thread wait — ingest, writes, IPC and live pushes go on meanwhile. A worker
// that dies fails only its own requests and is replaced.
import { Worker } from 'node:worker_threads';
import type { Words } from '../../../shared/words.ts';
import { RequestError } from '../errors.ts';
import { logger, logLevel } from '../log.ts';
import { workerUrl } from '../worker-url.ts';
import type { ReadArgs, ReadName, ReadResult } from './read-handlers.ts';

const log = logger('reads');

export interface WorkerRequest {
  id: number;
  name: string;
  args: unknown;
}

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string; requestError: boolean; words?: Words | null; code?: string };

/** The read workers' nice value: they yield the CPU to the engine thread. */
export const READ_WORKER_NICE = 10;

/** How many read workers by default: two, so a month of CSVs does not queue the History screen behind it. */
export const DEFAULT_READ_WORKERS = 2;

export interface ReadPool {
  call<N extends ReadName>(name: N, args: ReadArgs<N>): Promise<ReadResult<N>>;
  /** Requests waiting or running, per worker (Diagnostics). */
  load(): number[];
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>;
}

export function createReadPool(file: string, size = DEFAULT_READ_WORKERS): ReadPool {
  let nextId = 1;
  let closed = false;
  const slots: Slot[] = [];

  function spawn(): Slot {
    const worker = new Worker(workerUrl('reads/read-worker'), { workerData: { file, logLevel: logLevel() } });
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (m: WorkerReply) => {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else if (m.requestError) p.reject(new RequestError(m.words ?? m.message));
      else p.reject(Object.assign(new Error(m.message), { code: m.code }));
    });
    const fail = (err: Error) => {
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      const i = slots.indexOf(slot);
      if (i < 0 || closed) return;
      log.error('a read worker stopped; starting another', { error: err.message });
      slots[i] = spawn();
    };
    worker.on('error', (err) => fail(err));
    worker.on('exit', (code) => {
      if (!closed) fail(new Error(`read worker exited with code ${code}`));
    });
    // Idle workers never keep a stopping process alive.
    worker.unref();
    return slot;
  }

  for (let i = 0; i < Math.max(1, size); i++) slots.push(spawn());

  return {
    call(name, args) {
      if (closed) return Promise.reject(new Error('the read workers are stopped'));
      let slot = slots[0];
      for (const s of slots) if (s.pending.size < slot.pending.size) slot = s;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        // A worker with a request in flight keeps the process alive until it answers.
        slot.worker.ref();
        slot.worker.postMessage({ id, name, args } satisfies WorkerRequest);
      }).finally(() => {
        if (slot.pending.size === 0) slot.worker.unref();
      }) as Promise<ReadResult<typeof name>>;
    },
    load: () => slots.map((s) => s.pending.size),
    async close() {
      closed = true;
      await Promise.all(
        slots.map(async (s) => {
          for (const p of s.pending.values()) p.reject(new Error('the read workers are stopped'));
          s.pending.clear();
          await s.worker.terminate();
        }),
      );
    },
  };
}
