// Measures the commit path end to end: QoS 1 messages queued at a real broker for our persistent
// session, then drained by the ingest (commit, then PUBACK, one message at a time). Prints msgs/s;
// asserts only that every message was stored exactly once, never a rate (the machine is shared).
// Size with TAKTBOARD_MEASURE_N (default 10 000); bench/tools/measure-ingest.ts measures larger runs.
import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type Config, configOrThrow } from '../../shared/config.ts';
import { createPipeline } from '../../main/core/ingest/pipeline.ts';
import { startIngest, type Ingest } from '../../main/core/ingest/mqtt-ingest.ts';
import { Store } from '../../main/core/store/store.ts';
import { requireBinary, startAedes, startMosquitto } from '../helpers/brokers.ts';
import { useTempDirs } from '../helpers/tmp.ts';

const N = Number(process.env.TAKTBOARD_MEASURE_N ?? 10_000);
const tempDir = useTempDirs();
const hasMosquitto = requireBinary('mosquitto');

function config(clientId: string, synchronous: 'NORMAL' | 'FULL'): Config {
  return configOrThrow({
    site: 'bench',
    broker: { clientId, protocolVersion: 4, keepaliveS: 30 },
    lines: [{ id: 'cell-1', name: 'Cell 1', targetTaktS: 1, outputStation: 'grading', stations: ['coating', 'winding', 'assembly', 'formation', 'grading'] }],
    shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
    storage: { synchronous },
  });
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function measure(url: string, synchronous: 'NORMAL' | 'FULL', label: string): Promise<void> {
  const cfg = config(`measure-${label}-${synchronous}`, synchronous);
  const store = Store.open(path.join(tempDir('measure'), 'm.sqlite'), { synchronous, quarantineRows: 100 });
  cleanup.push(async () => store.close());
  const pipeline = createPipeline({ config: cfg, store });
  const run = (): Ingest => startIngest({ config: cfg, brokerUrl: url, pipeline, onConnection: () => {}, onAlert: () => {} });

  // Create the persistent session, then leave so the broker queues for us.
  let ingest = run();
  await waitFor(() => ingest.state().status === 'connected', 10_000);
  await new Promise((r) => setTimeout(r, 200));
  await ingest.stop();

  const pub = await mqtt.connectAsync(url, { clientId: `pub-${label}-${synchronous}`, protocolVersion: 4 });
  const stations = cfg.lines[0].stations;
  const base = Date.now() - 60 * 60_000;
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < N; i++) {
    const station = stations[i % stations.length];
    const seq = Math.floor(i / stations.length);
    const payload = `{"ts":${base + i * 20},"seq":${seq},"unit":"C${i}","cycle_ms":${900 + (i % 97)},"result":"ok"}`;
    sends.push(pub.publishAsync(`factory/bench/cell-1/${station}/cycle`, payload, { qos: 1 }));
  }
  await Promise.all(sends);
  await pub.endAsync();

  const t0 = performance.now();
  ingest = run();
  cleanup.push(() => ingest.stop());
  await waitFor(() => store.writer.counters().stored >= N, 120_000);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`[measure] ${label}, WAL ${synchronous}: ${N} QoS 1 messages drained in ${seconds.toFixed(2)} s = ${Math.round(N / seconds)} msg/s (includes connect)`);
  expect(store.writer.counters()).toMatchObject({ stored: N, duplicates: 0, quarantined: 0, gapsMissing: 0 });
}

describe('ingest throughput (prints msg/s)', () => {
  it('aedes in this process, NORMAL', async () => {
    const broker = await startAedes();
    cleanup.push(() => broker.stop());
    await measure(broker.url, 'NORMAL', 'aedes');
  }, 180_000);

  it.skipIf(!hasMosquitto)('mosquitto child process, NORMAL and FULL', async () => {
    const broker = await startMosquitto({ extraConf: 'max_queued_messages 0\nmax_inflight_messages 0' });
    cleanup.push(() => broker.stop());
    await measure(broker.url, 'NORMAL', 'mosquitto');
    await measure(broker.url, 'FULL', 'mosquitto');
  }, 300_000);
});
