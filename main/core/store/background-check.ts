// quick_check reads the whole file: ~0.35 s per million events here, so a plant's 35 days of raw events
// (10 lines: ~140 M) would keep ingest from starting for most of a minute. For a large file it runs in a
// worker thread on its own read-only connection while ingest goes on; what it finds is handled by the
// core (see service.ts: a damaged file stops acknowledgements and is recovered at the next start).
import { Worker } from 'node:worker_threads';
import { workerUrl } from '../worker-url.ts';

export interface CheckResult {
  ts: number;
  ok: boolean;
  detail: string;
  ms: number;
}

export interface BackgroundCheck {
  /** Resolves with the result, or null when cancelled or when the worker could not run it. */
  readonly result: Promise<CheckResult | null>;
  cancel(): void;
}

export function quickCheckInBackground(file: string): BackgroundCheck {
  const worker = new Worker(workerUrl('store/quick-check-worker'), { workerData: { file }, stdout: false, stderr: false });
  // Never what keeps a stopping process alive.
  worker.unref();
  const result = new Promise<CheckResult | null>((resolve) => {
    worker.once('message', (m: CheckResult | { error: string }) => resolve('error' in m ? null : m));
    worker.once('error', () => resolve(null));
    worker.once('exit', () => resolve(null));
  });
  return {
    result,
    cancel: () => void worker.terminate(),
  };
}
