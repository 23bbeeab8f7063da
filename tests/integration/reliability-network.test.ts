// RELIABILITY.md rows 1, 2 and 8: the link to the broker drops, goes half-open, or the broker restarts while
// everything is online. Real brokers (aedes in-process, mosquitto as a child), a loopback proxy between the
// app and the broker, a real SQLite file. NL = every message stored exactly once.
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../shared/api.ts';
import { type Config, configOrThrow } from '../../shared/config.ts';
import { createPipeline } from '../../main/core/ingest/pipeline.ts';
import { startIngest, type Ingest, type IngestTiming } from '../../main/core/ingest/mqtt-ingest.ts';
import { Store } from '../../main/core/store/store.ts';
import { requireBinary, startAedes, startMosquitto } from '../helpers/brokers.ts';
import { startProxy } from '../helpers/proxy.ts';
import { useTempDirs } from '../helpers/tmp.ts';
import { waitFor, sleep } from '../helpers/wait.ts';

const tempDir = useTempDirs();
const hasMosquitto = requireBinary('mosquitto');
const FAST: Partial<IngestTiming> = { reconnectMinMs: 50, reconnectMaxMs: 400, retryMinMs: 50, retryMaxMs: 200, connectTimeoutMs: 3000 };

let cleanups: (() => Promise<unknown> | unknown)[] = [];
const later = (fn: () => Promise<unknown> | unknown) => cleanups.push(fn);
afterEach(async () => {
  for (const fn of cleanups.reverse()) await fn();
  cleanups = [];
});

let ids = 0;
function config(o: { keepaliveS?: number; protocolVersion?: 4 | 5 } = {}): Config {
  return configOrThrow({
    site: 'rel',
    broker: { clientId: `rel-net-${process.pid}-${++ids}`, protocolVersion: o.protocolVersion ?? 4, keepaliveS: o.keepaliveS ?? 5 },
    lines: [{ id: 'l1', name: 'Line 1', targetTaktS: 1, outputStation: 'out', stations: ['out'] }],
    shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
  });
}


function app(url: string, cfg: Config) {
  const store = Store.open(path.join(tempDir('rel-net'), 'db.sqlite'), { synchronous: 'NORMAL', quarantineRows: 100 });
  const states: ConnectionState[] = [];
  const ingest: Ingest = startIngest({
    config: cfg,
    brokerUrl: url,
    pipeline: createPipeline({ config: cfg, store }),
    timing: FAST,
    onConnection: (s) => states.push(s),
    onAlert: () => {},
  });
  later(async () => {
    await ingest.stop();
    store.close();
  });
  const seqs = () => store.db.prepare("SELECT seq FROM events WHERE station = 'out' ORDER BY seq").pluck().all() as number[];
  return { store, states, ingest, seqs, status: () => ingest.state().status };
}

async function publisher(url: string, o: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const pub = await mqtt.connectAsync(url, { clientId: `rel-pub-${process.pid}-${++ids}`, protocolVersion: 4, reconnectPeriod: 0, ...o });
  later(() => pub.endAsync(true));
  return pub;
}

const T = Date.now() - 10 * 60_000;
const publish = (pub: MqttClient, seq: number) =>
  pub.publishAsync('factory/rel/l1/out/cycle', JSON.stringify({ ts: T + seq, seq, cycle_ms: 900 }), { qos: 1 });
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

async function untilSubscribed(a: ReturnType<typeof app>, pub: MqttClient): Promise<void> {
  const before = a.store.writer.counters().stored;
  for (let i = 0; a.store.writer.counters().stored === before; i++) {
    if (i > 200) throw new Error('never subscribed');
    await pub.publishAsync('factory/rel/probe/p/cycle', JSON.stringify({ ts: T, seq: 0, boot: `probe-${i}` }), { qos: 1 });
    await sleep(25);
  }
}

describe('row 1: network drop (proxy)', () => {
  for (const how of ['drop', 'reset'] as const) {
    it(`${how}: 10 published while the link is down are all stored once; connecting → connected`, async () => {
      const b = await startAedes();
      later(() => b.stop());
      const proxy = await startProxy(b.port);
      later(() => proxy.close());
      const a = app(proxy.url, config());
      await waitFor('connected', () => a.status() === 'connected');
      const pub = await publisher(b.url);
      await untilSubscribed(a, pub);
      await Promise.all(range(1, 5).map((s) => publish(pub, s)));
      await waitFor('first 5', () => a.seqs().length === 5);

      const seen = a.states.length;
      proxy.setDown(true);
      proxy[how]();
      await waitFor('offline', () => a.status() !== 'connected');
      await Promise.all(range(6, 10).map((s) => publish(pub, s)));
      // Let the app fail a few reconnects against the dead link.
      await waitFor('reconnecting', () => a.states.slice(seen).filter((s) => s.status === 'connecting').length >= 2);
      expect(a.seqs()).toHaveLength(5);
      proxy.setDown(false);
      await waitFor('connected again', () => a.status() === 'connected', 10_000);
      await waitFor('all 15', () => a.seqs().length === 15);
      await sleep(200);
      expect(a.seqs()).toEqual(range(1, 15));
      expect(a.store.writer.counters()).toMatchObject({ gapsMissing: 0, quarantined: 0 });
      // A PUBACK written just before the drop can go down with the link: the broker sends that message
      // again, it is counted as a duplicate and stored once (above). Only the first five can be such.
      expect(a.store.writer.counters().duplicates).toBeLessThanOrEqual(5);
      const after = a.states.slice(seen).map((s) => s.status);
      expect(after[0]).toBe('offline');
      expect(after).toContain('connecting');
      expect(after.at(-1)).toBe('connected');
      expect(after.at(-2)).toBe('connecting');
    });
  }
});

const halfOpenBrokers: [string, boolean, () => Promise<{ url: string; port: number; stop: () => Promise<void> }>][] = [
  ['aedes', true, () => startAedes()],
  ['mosquitto', hasMosquitto, () => startMosquitto()],
];

describe.each(halfOpenBrokers)('row 2: half-open link through %s', (_name, available, startBroker) => {
  it.skipIf(!available)('notices within ~1.5 × keepalive (2 s), reconnects, and loses nothing', async () => {
    const b = await startBroker();
    later(() => b.stop());
    const proxy = await startProxy(b.port);
    later(() => proxy.close());
    const keepaliveS = 2;
    const a = app(proxy.url, config({ keepaliveS }));
    await waitFor('connected', () => a.status() === 'connected');
    const pub = await publisher(b.url);
    await untilSubscribed(a, pub);
    await Promise.all(range(1, 5).map((s) => publish(pub, s)));
    await waitFor('first 5', () => a.seqs().length === 5);

    proxy.pause();
    const pausedAt = Date.now();
    await Promise.all(range(6, 10).map((s) => publish(pub, s)));
    await waitFor('offline', () => a.status() === 'offline', 10_000);
    const detectedMs = Date.now() - pausedAt;
    console.log(`row 2: half-open link noticed after ${detectedMs} ms (keepalive ${keepaliveS} s)`);
    // mqtt.js gives up 1.5 × keepalive after the last packet it saw, checked every keepalive / 2.
    expect(detectedMs).toBeLessThanOrEqual(1.5 * keepaliveS * 1000 + (keepaliveS * 1000) / 2 + 500);
    expect(a.seqs()).toHaveLength(5);
    await waitFor('connected again', () => a.status() === 'connected', 5000);
    await waitFor('all 15', () => a.seqs().length === 15, 10_000);
    await Promise.all(range(16, 5).map((s) => publish(pub, s)));
    await waitFor('all 20', () => a.seqs().length === 20);
    await sleep(200);
    expect(a.seqs()).toEqual(range(1, 20));
    expect(a.store.writer.counters()).toMatchObject({ gapsMissing: 0, quarantined: 0 });
  }, 30_000);
});

describe.skipIf(!hasMosquitto)('row 8: broker restart while all are online (mosquitto, persistence on)', () => {
  it('the publisher queues while the broker is down; the app reconnects; all stored once, no gap', async () => {
    const b = await startMosquitto({ persistence: true });
    later(() => b.stop());
    const a = app(b.url, config({ protocolVersion: 5 }));
    await waitFor('connected', () => a.status() === 'connected');
    // A publisher the way a station runs one: persistent session, reconnecting by itself.
    const pub = await publisher(b.url, { clean: false, reconnectPeriod: 200 });
    await untilSubscribed(a, pub);
    await Promise.all(range(1, 5).map((s) => publish(pub, s)));
    await waitFor('first 5', () => a.seqs().length === 5);

    const seen = a.states.length;
    await b.stop('SIGTERM');
    await waitFor('app offline', () => a.status() !== 'connected');
    await waitFor('publisher offline', () => !pub.connected);
    // Queued by the publisher while nothing listens.
    const queued = Promise.all(range(6, 10).map((s) => publish(pub, s)));
    await sleep(1000);
    await b.restart();
    await queued;
    await Promise.all(range(16, 5).map((s) => publish(pub, s)));
    await waitFor('app connected again', () => a.status() === 'connected', 10_000);
    await waitFor('all 20', () => a.seqs().length === 20, 15_000);
    await sleep(300);
    expect(a.seqs()).toEqual(range(1, 20));
    expect(a.store.writer.counters()).toMatchObject({ gapsMissing: 0, quarantined: 0 });
    const after = a.states.slice(seen).map((s) => s.status);
    expect(after[0]).toBe('offline');
    expect(after.at(-1)).toBe('connected');
  }, 40_000);
});
