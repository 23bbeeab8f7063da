// Measures the ingest commit path: queues N QoS 1 cycle messages at a broker for the ingest's persistent
// session, then times the ingest draining them (commit, then PUBACK, one message at a time), and prints msg/s.
//
//   node_modules/.bin/node bench/tools/measure-ingest.ts [--broker mqtt://127.0.0.1:1883] [--n 20000] [--sync NORMAL|FULL] [--live]
//     [--checkpoint worker|timer] [--guard-mb 64]
//
// Also prints the commit times (p50/p99/max, how many over 10 and 40 ms) and the largest WAL file seen:
//
// --live publishes while the ingest is connected instead (publisher, and with aedes the broker too, then
// share this process's one thread with the ingest).
// Without --broker an aedes broker runs in this process (it then shares the event loop with the ingest,
// as in the embedded demo). For mosquitto, start one with `max_queued_messages 0` (the default queue of
// 1000 would drop the rest) and pass its URL. tests/integration/ingest-throughput.test.ts runs both.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { configOrThrow } from '../../shared/config.ts';
import { setLogLevel } from '../../main/core/log.ts';
import { Store } from '../../main/core/store/store.ts';
import type { CheckpointMode } from '../../main/core/store/checkpoint.ts';
import { walBytesOf } from '../../main/core/store/db.ts';
import { startIngest } from '../../main/core/ingest/mqtt-ingest.ts';
import { createPipeline } from '../../main/core/ingest/pipeline.ts';

const { values } = parseArgs({
  options: {
    broker: { type: 'string' },
    n: { type: 'string', default: '20000' },
    sync: { type: 'string', default: 'NORMAL' },
    live: { type: 'boolean', default: false },
    checkpoint: { type: 'string', default: 'worker' },
    'guard-mb': { type: 'string' },
  },
});
const N = Number(values.n);
const synchronous = values.sync === 'FULL' ? 'FULL' : 'NORMAL';
setLogLevel('warn');

let stopBroker = async () => {};
let url = values.broker;
if (!url) {
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  stopBroker = async () => {
    server.close();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
  };
}

const runId = `${process.pid}-${Date.now()}`;
const config = configOrThrow({
  site: 'measure',
  broker: { clientId: `measure-${runId}`, protocolVersion: 4, keepaliveS: 30 },
  lines: [{ id: 'cell-1', name: 'Cell 1', targetTaktS: 1, outputStation: 'grading', stations: ['coating', 'winding', 'assembly', 'formation', 'grading'] }],
  shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taktboard-measure-'));
const checkpoint = (['worker', 'timer'].includes(values.checkpoint) ? values.checkpoint : 'worker') as CheckpointMode;
const dbFile = path.join(dir, 'measure.sqlite');
const guardMb = values['guard-mb'] === undefined ? undefined : Number(values['guard-mb']);
const store = Store.open(dbFile, {
  synchronous,
  quarantineRows: 100,
  checkpoint,
  checkpointOptions: guardMb === undefined ? {} : { guardBytes: guardMb * 1024 * 1024 },
});
// Every group commit's duration, and the WAL size every 200 commits.
const commitMs: number[] = [];
let walMax = 0;
const groupCommit = store.writer.groupCommit.bind(store.writer);
store.writer.groupCommit = <T>(work: () => T): T => {
  const t = performance.now();
  try {
    return groupCommit(work);
  } finally {
    commitMs.push(performance.now() - t);
    if (commitMs.length % 200 === 0) walMax = Math.max(walMax, walBytesOf(`${dbFile}-wal`));
  }
};
const pipeline = createPipeline({ config, store });
const run = () => startIngest({ config, brokerUrl: url, pipeline, onConnection: () => {}, onAlert: () => {} });

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

try {
  let ingest = run();
  await until(() => ingest.state().status === 'connected');
  await new Promise((r) => setTimeout(r, 200));
  if (!values.live) await ingest.stop();

  const pub = await mqtt.connectAsync(url, { clientId: `measure-pub-${runId}`, protocolVersion: 4 });
  const stations = config.lines[0].stations;
  const base = Date.now() - 3_600_000;
  const t0 = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < N; i++) {
    const payload = `{"ts":${base + i * 20},"seq":${Math.floor(i / 5)},"unit":"C${i}","cycle_ms":${900 + (i % 97)},"result":"ok"}`;
    sends.push(pub.publishAsync(`factory/measure/cell-1/${stations[i % 5]}/cycle`, payload, { qos: 1 }));
  }
  await Promise.all(sends);
  await pub.endAsync();

  const t1 = values.live ? t0 : performance.now();
  if (!values.live) ingest = run();
  await until(() => store.writer.counters().stored >= N);
  const s = (performance.now() - t1) / 1000;
  await ingest.stop();
  const c = store.writer.counters();
  const how = values.live ? 'published and stored live' : 'queued, then drained';
  console.log(`${values.broker ? url : 'aedes in-process'}, WAL ${synchronous}, checkpoint ${checkpoint}, ${how}: ${c.stored} stored, ${c.duplicates} duplicates in ${s.toFixed(2)} s = ${Math.round(N / s)} msg/s`);
  const sorted = [...commitMs].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(2);
  const over = (ms: number) => sorted.filter((v) => v > ms).length;
  console.log(`commit ms: p50 ${q(0.5)} p99 ${q(0.99)} p99.9 ${q(0.999)} max ${sorted[sorted.length - 1].toFixed(1)}; >10 ms: ${over(10)}, >40 ms: ${over(40)}; WAL max ${(walMax / 1048576).toFixed(1)} MB; checkpoints ${JSON.stringify(store.checkpointStats())}`);
} finally {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  await stopBroker();
}
