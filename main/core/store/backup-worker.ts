// An online backup (care.ts) on its own read-only connection in a worker thread: copying a plant's file
// and turning the copy into a self-contained single file take seconds the engine thread must not wait.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, to } = workerData as { file: string; to: string };
const run = async () => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await db.backup(to);
  } finally {
    db.close();
  }
  // A self-contained single file (rollback journal, no -wal beside it): a restore or another tool needs nothing else.
  const copy = new Database(to);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
};
run().then(
  () => parentPort!.postMessage({ ok: true }),
  (err: unknown) => parentPort!.postMessage({ ok: false, message: String((err as Error)?.message ?? err), code: (err as { code?: unknown })?.code }),
);
