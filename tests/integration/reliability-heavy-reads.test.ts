// RELIABILITY row 35 through `serve`: daily CSVs of a database holding weeks of a 1 s line are requested in a
// loop while telemetry streams in through mosquitto. The reads run in the read workers, so the engine thread
// — ingest, PUBACKs, live pushes — keeps its pace: its event-loop delay stays small, a message's arrival →
// PUBACK stays short, /api/live answers quickly and live snapshots keep their interval.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { configOrThrow } from '../../shared/config.ts';
import { addDays, localDate } from '../../shared/shifts.ts';
import { createSimulator } from '../../main/core/simulator/simulator.ts';
import { Store } from '../../main/core/store/store.ts';
import { requireBinary, startMosquitto } from '../helpers/brokers.ts';
import { useTempDirs } from '../helpers/tmp.ts';
import { startServe, type Served } from '../helpers/serve.ts';
import { untilConnected } from '../fixtures/known-day.ts';

const tempDir = useTempDirs();
const hasMosquitto = requireBinary('mosquitto');
const DAY = 86_400_000;
const DAYS = 12;

const input = {
  site: 'yibin',
  timezone: 'Asia/Shanghai',
  retention: { rawDays: 60 },
  broker: { clientId: 'taktboard-it-heavy-reads', protocolVersion: 5 },
  lines: [{ id: 'cell-1', name: 'Cell 1', targetTaktS: 1, outputStation: 'grade', stations: ['stack', 'grade'] }],
  shifts: [
    { name: 'A', start: '08:00', end: '20:00', breaks: [{ start: '12:00', end: '12:30' }] },
    { name: 'B', start: '20:00', end: '08:00', breaks: [{ start: '00:00', end: '00:30' }] },
  ],
};

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

describe.skipIf(!hasMosquitto)('row 35: heavy reads while ingesting', () => {
  const dir = tempDir('heavy-reads');
  const cfgFile = path.join(dir, 'plant.json');
  const dbFile = path.join(dir, 'plant.sqlite');
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let served: Served | undefined;
  const start = Date.now() - DAYS * DAY;

  beforeAll(async () => {
    writeFileSync(cfgFile, JSON.stringify(input));
    // Weeks of history, written the way the demo's backfill is (the product's commit path, large transactions).
    const config = configOrThrow(input);
    const store = Store.open(dbFile, { synchronous: 'NORMAL', quarantineRows: 100 });
    const sim = createSimulator(config, { startTs: start, seed: 3, boot: 'history' });
    for (let t = start; t < Date.now() - 60_000; ) {
      t = Math.min(Date.now() - 60_000, t + 6 * 3600_000);
      store.writer.commitEvents(sim.advanceTo(t).map((m) => m.event), null);
    }
    store.close();
    broker = await startMosquitto({ extraConf: 'max_queued_messages 0' });
    served = await startServe(['--config', cfgFile, '--db', dbFile, '--broker', broker.url]);
    await untilConnected(served.url);
  }, 180_000);
  afterAll(async () => {
    await served?.stop();
    await broker?.stop();
  });

  it('keeps ingest, /api/live and the live pushes at their pace while daily CSVs are read in a loop', async () => {
    const url = served!.url;
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'heavy-reads-pub', protocolVersion: 5 });
    const snapshots: number[] = [];
    const ws = new WebSocket(url.replace('http', 'ws') + 'api/events');
    ws.on('message', (d) => {
      if (JSON.parse(String(d)).event === 'live') snapshots.push(Date.now());
    });
    let stop = false;
    // 1 000 msg/s of live telemetry.
    let seq = 0;
    const publishing = (async () => {
      while (!stop) {
        const t = Date.now();
        await Promise.all(Array.from({ length: 100 }, () => pub.publishAsync('factory/yibin/cell-1/stack/cycle', JSON.stringify({ ts: Date.now(), seq: seq++, boot: 'live', cycle_ms: 900 }), { qos: 1 })));
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - t))));
      }
    })();
    // Daily CSVs of the past days, one after another, by two clients.
    let csvs = 0;
    const today = localDate(input.timezone, Date.now());
    const reading = Array.from({ length: 2 }, async (_, k) => {
      for (let i = k; !stop; i += 2) {
        const r = await fetch(`${url}api/export/daily.csv?date=${addDays(today, -1 - (i % (DAYS - 2)))}`);
        expect(r.status).toBe(200);
        await r.arrayBuffer();
        csvs++;
      }
    });
    // /api/live as a wall display polls it.
    const liveMs: number[] = [];
    const polling = (async () => {
      while (!stop) {
        const t0 = performance.now();
        await (await fetch(`${url}api/live`)).json();
        liveMs.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    // Two full 10 s windows of the engine's event-loop monitor.
    await new Promise((r) => setTimeout(r, 21_000));
    const diag = await (await fetch(`${url}api/rpc/diagnostics`, { method: 'POST', body: '{}' })).json();
    stop = true;
    await Promise.all([publishing, polling, ...reading]);
    ws.close();
    await pub.endAsync();

    const gaps = snapshots.slice(1).map((t, i) => t - snapshots[i]);
    const report = {
      csvs,
      liveP99Ms: Math.round(pct(liveMs, 99)),
      pushGapP99Ms: pct(gaps, 99),
      ack: diag.ingest.ackLatencyMs,
      engine: diag.engine,
    };
    console.log('row 35:', JSON.stringify(report));
    // The reads really ran: many days' CSVs, each ~400 000 rows of a 1 s line.
    expect(csvs).toBeGreaterThan(5);
    expect(diag.ingest.messages).toBeGreaterThan(15_000);
    // The done-means of issue 8, and RELIABILITY row 35 (the engine thread never waits > 50 ms on a read).
    expect(report.liveP99Ms).toBeLessThan(250);
    expect(report.pushGapP99Ms).toBeLessThan(800);
    // The engine thread's event loop over the last 10 s window: a read on it would hold it ~50–100 ms for
    // every CSV, back to back (p99 far over 50 ms); a worker leaves only the scheduler's hiccups on a busy
    // 2-core machine, which the max allows for.
    expect(diag.engine.loopDelayP99Ms).toBeLessThan(50);
    expect(diag.engine.loopDelayMaxMs).toBeLessThan(150);
    expect(diag.ingest.ackLatencyMs.p99).toBeLessThan(100);
  }, 90_000);
});
