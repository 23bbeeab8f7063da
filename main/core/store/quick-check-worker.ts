// A large file's quick_check (background-check.ts), on its own read-only connection in a worker thread,
// so ingest starts at once instead of after a minute of reading.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file } = workerData as { file: string };
const t0 = Date.now();
let db: Database.Database | null = null;
try {
  db = new Database(file, { readonly: true, fileMustExist: true });
  const rows = db.pragma('quick_check', { simple: false }) as { quick_check: string }[];
  const detail = rows.map((r) => r.quick_check).join('; ');
  parentPort!.postMessage({ ts: Date.now(), ok: detail === 'ok', detail, ms: Date.now() - t0 });
} catch (err) {
  const code = String((err as { code?: unknown })?.code ?? '');
  const corrupt = code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
  parentPort!.postMessage(corrupt ? { ts: Date.now(), ok: false, detail: (err as Error).message, ms: Date.now() - t0 } : { error: String((err as Error)?.message ?? err) });
} finally {
  try {
    db?.close();
  } catch {
    // closing a read-only connection is best effort
  }
}
