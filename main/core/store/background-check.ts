// quick_check reads the whole file: ~0.35 s per million events here, so a plant's 35 days of raw events
// (10 lines: ~140 M) would keep ingest from starting for most of a minute. For a large file it runs in a
// worker thread on its own read-only connection while ingest goes on; what it finds is handled by the
// core (see service.ts: a damaged file stops acknowledgements and is recovered at the next start).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

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

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const t0 = Date.now();
let db;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  const rows = db.pragma('quick_check', { simple: false });
  const detail = rows.map((r) => r.quick_check).join('; ');
  parentPort.postMessage({ ts: Date.now(), ok: detail === 'ok', detail, ms: Date.now() - t0 });
} catch (err) {
  const code = err && err.code ? String(err.code) : '';
  const corrupt = code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
  parentPort.postMessage(corrupt ? { ts: Date.now(), ok: false, detail: String(err.message), ms: Date.now() - t0 } : { error: String(err && err.message) });
} finally {
  try { if (db) db.close(); } catch {}
}
`;

export function quickCheckInBackground(file: string): BackgroundCheck {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(SOURCE, { eval: true, workerData: { file, driver }, stdout: false, stderr: false });
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
