// RELIABILITY rows 31 and 32 through mosquitto and a real SQLite file.
// 31: a message whose commit throws every time (injected with a SQLite trigger, as a constraint or a bug
//     would) inside a burst: the rest of the burst is stored, the poison one quarantined with its reason,
//     ingest goes on; a failure of storage itself still holds every acknowledgement.
// 32: 1 MB and 50 MB publishes: MQTT 5 tells the broker our Maximum Packet Size so it never sends them;
//     MQTT 3.1.1 cannot, so the session reads them as a stream and keeps only a prefix. The memory of
//     `serve` stays flat either way, and ingest goes on.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { configOrThrow, type Config } from '../../shared/config.ts';
import { createPipeline } from '../../main/core/ingest/pipeline.ts';
import { startIngest, type AlertCode } from '../../main/core/ingest/mqtt-ingest.ts';
import { Store } from '../../main/core/store/store.ts';
import { findBinary, requireBinary, startMosquitto, type MosquittoHandle } from '../helpers/brokers.ts';
import { startServe } from '../helpers/serve.ts';
import { useTempDirs } from '../helpers/tmp.ts';
import { sleep, waitFor } from '../helpers/wait.ts';

const tempDir = useTempDirs();
const hasMosquitto = requireBinary('mosquitto');
let cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.reverse()) await fn();
  cleanups = [];
});

let n = 0;
function config(protocolVersion: 4 | 5, url = 'mqtt://127.0.0.1:1883'): Config {
  return configOrThrow({
    site: 'rel',
    broker: { url, clientId: `rel-${process.pid}-${++n}`, protocolVersion },
    lines: [{ id: 'l1', name: 'Line 1', targetTaktS: 1, outputStation: 'out', stations: ['out'] }],
    shifts: [{ name: 'Day', start: '00:00', end: '00:00' }],
  });
}

async function publisher(url: string): Promise<MqttClient> {
  const pub = await mqtt.connectAsync(url, { clientId: `rel-pub-${++n}`, protocolVersion: 4 });
  cleanups.push(() => pub.endAsync(true));
  return pub;
}

const T = Date.now() - 60_000;
const cycle = (seq: number, unit = `U${seq}`) => JSON.stringify({ ts: T + seq, seq, unit, cycle_ms: 900 });
const TOPIC = 'factory/rel/l1/out/cycle';

describe.skipIf(!hasMosquitto)('row 31: a poison message inside a burst', () => {
  it('stores the rest of the burst, quarantines the poison one with its reason, and ingest goes on', async () => {
    const broker = await startMosquitto({ extraConf: 'max_queued_messages 0' });
    cleanups.push(() => broker.stop());
    const cfg = config(5, broker.url);
    const store = Store.open(path.join(tempDir('poison'), 'db.sqlite'), { synchronous: 'NORMAL', quarantineRows: 100 });
    // A commit that throws every time for this one message: a constraint as a bug or a bad row would hit it.
    store.db.exec(`CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.unit = 'POISON'
                   BEGIN SELECT RAISE(ABORT, 'injected poison'); END`);
    const pipeline = createPipeline({ config: cfg, store });
    const alerts = new Map<AlertCode, string>();
    const ingest = startIngest({
      config: cfg,
      pipeline,
      onConnection: () => {},
      onAlert: (code, message) => (message === null ? alerts.delete(code) : alerts.set(code, message)),
    });
    cleanups.push(async () => {
      await ingest.stop();
      store.close();
    });
    await waitFor('connected', () => ingest.state().status === 'connected');
    const pub = await publisher(broker.url);
    await sleep(200);

    // One burst of 200 with the poison one in the middle.
    await Promise.all(Array.from({ length: 200 }, (_, i) => pub.publishAsync(TOPIC, cycle(i + 1, i === 99 ? 'POISON' : undefined), { qos: 1 })));
    await waitFor('199 stored and 1 quarantined', () => store.writer.counters().stored === 199 && store.writer.counters().quarantined === 1, 15_000);
    const [item] = store.reads.quarantineItems(10);
    expect(item.reason).toBe('could not be stored (injected poison)');
    expect(JSON.parse(item.payload)).toMatchObject({ seq: 100, unit: 'POISON' });
    // Isolating one message is not a storage failure: no banner.
    expect([...alerts.keys()]).toEqual([]);

    // Ingest goes on, and nothing of that burst is delivered again (everything was acknowledged):
    // the next messages are stored, with no duplicate counted.
    await Promise.all([201, 202, 203].map((s) => pub.publishAsync(TOPIC, cycle(s), { qos: 1 })));
    await waitFor('202 stored', () => store.writer.counters().stored === 202);
    await ingest.stop();
    const again = startIngest({ config: cfg, pipeline, onConnection: () => {}, onAlert: () => {} });
    cleanups.push(() => again.stop());
    await waitFor('reconnected', () => again.state().status === 'connected');
    await sleep(500);
    expect(store.writer.counters()).toMatchObject({ stored: 202, duplicates: 0, quarantined: 1, gapsMissing: 1 });
  });

  it('a storage failure during the isolation still holds every acknowledgement', async () => {
    const broker = await startMosquitto({ extraConf: 'max_queued_messages 0' });
    cleanups.push(() => broker.stop());
    const cfg = config(5, broker.url);
    const file = path.join(tempDir('poison-lock'), 'db.sqlite');
    const store = Store.open(file, { synchronous: 'NORMAL', quarantineRows: 100, busyTimeoutMs: 5 });
    cleanups.push(() => store.close());
    store.db.exec(`CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.unit = 'POISON'
                   BEGIN SELECT RAISE(ABORT, 'injected poison'); END`);
    const pipeline = createPipeline({ config: cfg, store });
    const start = () => startIngest({ config: cfg, pipeline, onConnection: () => {}, onAlert: () => {}, timing: { retryMinMs: 50, retryMaxMs: 100 } });
    let ingest = start();
    await waitFor('connected', () => ingest.state().status === 'connected');
    const pub = await publisher(broker.url);
    await sleep(200);
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    try {
      await Promise.all([1, 2, 3].map((s) => pub.publishAsync(TOPIC, cycle(s, s === 2 ? 'POISON' : undefined), { qos: 1 })));
      await sleep(600);
      // Locked: nothing stored, nothing quarantined (a lock is not the message's fault)…
      expect(store.writer.counters()).toMatchObject({ stored: 0, quarantined: 0 });
      // …and nothing acknowledged: the app goes away now, and only the broker still has the three.
      await ingest.stop();
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    ingest = start();
    cleanups.push(() => ingest.stop());
    await waitFor('2 stored, 1 quarantined after the redelivery', () => store.writer.counters().stored === 2 && store.writer.counters().quarantined === 1);
    expect(store.writer.counters().duplicates).toBe(0);
  });
});

/** VmRSS of a process, in MiB (Linux). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function publishFile(broker: MosquittoHandle, file: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const p = spawn(findBinary('mosquitto_pub')!, ['-h', '127.0.0.1', '-p', String(broker.port), '-q', '1', '-t', TOPIC, '-f', file], { stdio: 'ignore' });
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mosquitto_pub exited ${code}`))));
  });
}

const hasPub = requireBinary('mosquitto_pub');

describe.skipIf(!hasMosquitto || !hasPub)('row 32: oversized publishes through mosquitto', () => {
  for (const protocolVersion of [5, 4] as const) {
    it(`MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}: 1 MB and 50 MB publishes leave serve's memory flat and ingest running`, async () => {
      const broker = await startMosquitto({ extraConf: 'max_queued_messages 0' });
      cleanups.push(() => broker.stop());
      const dir = tempDir('oversize');
      const cfgFile = path.join(dir, 'plant.json');
      const cfg = config(protocolVersion, broker.url);
      fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, broker: { ...cfg.broker, clientId: `oversize-${protocolVersion}` } }));
      const dbFile = path.join(dir, 'db.sqlite');
      const served = await startServe(['--config', cfgFile, '--db', dbFile]);
      cleanups.push(() => served.stop());
      const live = async () => (await (await fetch(`${served.url}api/live`)).json()) as { counters: { stored: number; quarantined: number; gapsMissing: number } };
      await waitFor('connected', () => /broker connected/.test(served.output()), 15_000);
      const pub = await publisher(broker.url);
      await pub.publishAsync(TOPIC, cycle(1), { qos: 1 });
      for (let i = 0; (await live()).counters.stored < 1; i++) {
        if (i > 100) throw new Error('first message never stored');
        await sleep(50);
      }
      // Two reads at once reach both read workers: their start-up is over before memory is measured.
      await Promise.all([1, 2].map(() => fetch(`${served.url}api/rpc/diagnostics`, { method: 'POST', body: '{}' })));
      await sleep(500);
      const before = rssMiB(served.proc.pid!);

      // Telemetry-shaped, so a broker that drops them leaves a visible seq gap.
      const big = (seq: number, bytes: number) => {
        const f = path.join(dir, `big-${bytes}.json`);
        const head = `{"ts": ${T + seq}, "seq": ${seq}, "unit": "`;
        fs.writeFileSync(f, head + 'x'.repeat(bytes - head.length - 2) + '"}');
        return f;
      };
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(served.proc.pid!))), 20);
      try {
        await publishFile(broker, big(2, 1024 * 1024));
        await publishFile(broker, big(3, 50 * 1024 * 1024));
        await pub.publishAsync(TOPIC, cycle(4), { qos: 1 });
        for (let i = 0; (await live()).counters.stored < 2; i++) {
          if (i > 400) throw new Error('ingest stopped after the large publishes');
          await sleep(50);
        }
      } finally {
        clearInterval(sampler);
      }
      const c = (await live()).counters;
      if (protocolVersion === 5) {
        // Never sent to us: the broker knows our Maximum Packet Size. The missing seq 2–3 is a gap.
        expect(c).toMatchObject({ stored: 2, quarantined: 0, gapsMissing: 2 });
      } else {
        // Sent, read as a stream, kept as a prefix in the quarantine with the real size; bad input fills no gap.
        expect(c).toMatchObject({ stored: 2, quarantined: 2, gapsMissing: 2 });
        const diag = (await (await fetch(`${served.url}api/rpc/diagnostics`, { method: 'POST', body: '{}' })).json()) as {
          quarantine: { reason: string; payload: string }[];
        };
        expect(diag.quarantine.map((q) => q.reason).sort()).toEqual(['payload too large (1048576 bytes)', 'payload too large (52428800 bytes)']);
        expect(Math.max(...diag.quarantine.map((q) => q.payload.length))).toBeLessThanOrEqual(1024);
      }
      // 50 MB read whole would show; 30 MiB is room for the allocator and GC timing on a loaded machine.
      console.log(`row 32, MQTT ${protocolVersion}: serve RSS ${before.toFixed(1)} MiB before, peak ${peak.toFixed(1)} MiB`);
      expect(peak - before).toBeLessThan(30);
    }, 60_000);
  }
});
