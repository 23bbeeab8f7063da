// One read worker (DESIGN "Threads and processes"): its own read-only connection, the same read
// handlers the CLI runs in-process, one request at a time. The engine's thread never waits for it.
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openReadOnly } from '../store/db.ts';
import { Reads } from '../store/reads.ts';
import { listVersions } from '../store/versions.ts';
import { RequestError } from '../errors.ts';
import { setLogLevel } from '../log.ts';
import { createReadHandlers, type ReadName, type ReadRequests } from './read-handlers.ts';
import { READ_WORKER_NICE, type WorkerReply, type WorkerRequest } from './read-pool.ts';

const { file, logLevel } = workerData as { file: string; logLevel: string };
setLogLevel(logLevel as Parameters<typeof setLogLevel>[0]);
// Reads are background work: on a busy 2-core plant PC the scheduler gives the engine thread (ingest,
// PUBACKs, live pushes) the CPU first. On Linux the nice value is per thread, so only this one yields.
try {
  os.setPriority(READ_WORKER_NICE);
} catch {
  // not permitted here: the reads still run, at the engine's priority
}
const db = openReadOnly(file);
const handlers = createReadHandlers(new Reads(db), () => listVersions(db));

parentPort!.on('message', (m: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const handler = handlers[m.name as ReadName] as (a: unknown) => unknown;
    if (typeof handler !== 'function') throw new Error(`unknown read "${m.name}"`);
    reply = { id: m.id, ok: true, value: handler(m.args) as ReturnType<ReadRequests[ReadName]> };
  } catch (err) {
    const e = err as Error;
    const requestError = err instanceof RequestError;
    reply = { id: m.id, ok: false, message: e?.message ?? String(err), requestError, words: requestError ? err.words : null, code: (err as { code?: unknown })?.code as string | undefined };
  }
  parentPort!.postMessage(reply);
});
