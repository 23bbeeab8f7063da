// The MQTT ingest against real brokers (aedes in this process, mosquitto as a child process) and a real
// SQLite file: exactly-once storage through QoS 1 and the persistent session, recovery from broker loss,
// errors in words, bounded backoff, and no acknowledgement while storage fails (RELIABILITY.md).
import net from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../shared/api.ts';
import { type Config, configOrThrow } from '../../shared/config.ts';
import { createPipeline, type Pipeline } from '../../main/core/ingest/pipeline.ts';
import { startIngest, type AlertCode, type Ingest, type IngestTiming } from '../../main/core/ingest/mqtt-ingest.ts';
import { Store } from '../../main/core/store/store.ts';
import { findBinary, freePort, requireBinary, startAedes, startMosquitto } from '../helpers/brokers.ts';
import { useTempDirs } from '../helpers/tmp.ts';
import { waitFor, sleep } from '../helpers/wait.ts';

const tempDir = useTempDirs();
const hasMosquitto = requireBinary('mosquitto');
const FAST: Partial<IngestTiming> = { reconnectMinMs: 50, reconnectMaxMs: 400, retryMinMs: 50, retryMaxMs: 200, connectTimeoutMs: 3000 };

let cleanups: (() => Promise<void> | void)[] = [];
const later = (fn: () => Promise<void> | void) => cleanups.push(fn);
afterEach(async () => {
  for (const fn of cleanups.reverse()) await fn();
  cleanups = [];
});

let ids = 0;
function testConfig(over: { protocolVersion?: 4 | 5; clientId?: string; username?: string; ca?: string } = {}): Config {
  return configOrThrow({
    site: 'it',
    broker: {
      clientId: over.clientId ?? `ingest-it-${process.pid}-${++ids}`,
      protocolVersion: over.protocolVersion ?? 4,
      keepaliveS: 5,
      username: over.username ?? '',
      ...(over.ca ? { ca: over.ca } : {}),
    },
    lines: [{ id: 'l1', name: 'Line 1', targetTaktS: 1, outputStation: 'out', stations: ['s1', 'out'] }],
    shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
  });
}


/** One app: store + pipeline + ingest, with every connection state and alert it reported. */
interface App {
  config: Config;
  store: Store;
  pipeline: Pipeline;
  ingest: Ingest;
  states: ConnectionState[];
  alerts: Map<AlertCode, string>;
  start(): void;
}

function app(url: string, o: { config?: Config; password?: string; timing?: Partial<IngestTiming>; busyTimeoutMs?: number; dbFile?: string } = {}): App {
  const config = o.config ?? testConfig();
  const dbFile = o.dbFile ?? path.join(tempDir('ingest'), 'db.sqlite');
  const store = Store.open(dbFile, { synchronous: 'NORMAL', quarantineRows: 100, busyTimeoutMs: o.busyTimeoutMs });
  const a: App = {
    config,
    store,
    pipeline: createPipeline({ config, store }),
    ingest: null as unknown as Ingest,
    states: [],
    alerts: new Map(),
    start() {
      a.ingest = startIngest({
        config,
        brokerUrl: url,
        password: o.password,
        pipeline: a.pipeline,
        timing: { ...FAST, ...o.timing },
        onConnection: (s) => a.states.push(s),
        onAlert: (code, message) => (message === null ? a.alerts.delete(code) : a.alerts.set(code, message)),
      });
    },
  };
  a.start();
  later(async () => {
    await a.ingest.stop();
    store.close();
  });
  return a;
}

const status = (a: App) => a.ingest.state().status;

async function publisher(url: string): Promise<MqttClient> {
  const pub = await mqtt.connectAsync(url, { clientId: `pub-${process.pid}-${++ids}`, protocolVersion: 4, reconnectPeriod: 0 });
  later(() => pub.endAsync(true));
  return pub;
}

const T = Date.now() - 10 * 60_000;
const cyclePayload = (seq: number, extra: Record<string, unknown> = {}) => JSON.stringify({ ts: T + seq, seq, cycle_ms: 900, ...extra });

async function send(pub: MqttClient, station: string, seqs: number[]): Promise<void> {
  await Promise.all(seqs.map((seq) => pub.publishAsync(`factory/it/l1/${station}/cycle`, cyclePayload(seq), { qos: 1 })));
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const rows = (a: App) => a.store.db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;

/** Publishes probes (each its own stream, so no gaps) until one is stored: the subscription is live. */
async function untilSubscribed(a: App, pub: MqttClient): Promise<void> {
  const before = a.store.writer.counters().stored;
  for (let i = 0; a.store.writer.counters().stored === before; i++) {
    if (i > 200) throw new Error('never subscribed');
    await pub.publishAsync('factory/it/probe/p/cycle', JSON.stringify({ ts: T, seq: 0, boot: `probe-${i}` }), { qos: 1 });
    await sleep(25);
  }
}

interface BrokerUnderTest {
  url: string;
  stop(): Promise<void>;
  /** A restart that loses sessions (aedes: a new in-memory broker; mosquitto: SIGKILL, no persistence). */
  crash(): Promise<void>;
}

const brokers: [string, boolean, () => Promise<BrokerUnderTest>, 4 | 5][] = [
  [
    'aedes',
    true,
    async () => {
      const b = await startAedes();
      return { url: b.url, stop: b.stop, crash: b.restart };
    },
    4,
  ],
  [
    'mosquitto',
    hasMosquitto,
    async () => {
      const b = await startMosquitto();
      return {
        url: b.url,
        stop: () => b.stop(),
        crash: async () => {
          await b.stop('SIGKILL');
          await b.restart();
        },
      };
    },
    5,
  ],
];

describe.each(brokers)('ingest through %s', (name, available, startBroker, protocolVersion) => {
  const run = available ? it : it.skip;
  const newBroker = async () => {
    const b = await startBroker();
    later(() => b.stop());
    return b;
  };

  run('stores every QoS 1 message exactly once', async () => {
    const b = await newBroker();
    const a = app(b.url, { config: testConfig({ protocolVersion }) });
    await waitFor('connected', () => status(a) === 'connected');
    const pub = await publisher(b.url);
    await untilSubscribed(a, pub);
    const base = a.store.writer.counters().stored;
    await Promise.all([send(pub, 'out', range(1, 300)), send(pub, 's1', range(1, 200))]);
    await waitFor('500 stored', () => a.store.writer.counters().stored === base + 500);
    await sleep(100);
    expect(a.store.writer.counters()).toMatchObject({ stored: base + 500, duplicates: 0, quarantined: 0, gapsMissing: 0 });
    expect(a.store.reads.outputTimes('l1', 'out', 0, Date.now())).toEqual(range(1, 300).map((s) => T + s));
    expect(a.states.map((s) => s.status)).toEqual(['connecting', 'connected']);
  });

  run('keeps going through bad payloads, quarantining each', async () => {
    const b = await newBroker();
    const a = app(b.url, { config: testConfig({ protocolVersion }) });
    await waitFor('connected', () => status(a) === 'connected');
    const pub = await publisher(b.url);
    await untilSubscribed(a, pub);
    const base = a.store.writer.counters();
    const bad: [string, string | Buffer][] = [
      ['factory/it/l1/out/cycle', '{"seq":1,'],
      ['factory/it/l1/out/cycle', Buffer.from([0xc3, 0x28])],
      ['factory/it/l1/out/cycle', Buffer.alloc(20_000, 0x20)],
      ['factory/it/l1/o@t/cycle', cyclePayload(1)],
      ['factory/it/l1/out/alarm', cyclePayload(1)],
      ['factory/it/l1/out/cycle', JSON.stringify({ ts: T, seq: 1.5 })],
    ];
    for (let i = 1; i <= 30; i++) {
      await pub.publishAsync('factory/it/l1/out/cycle', cyclePayload(i), { qos: 1 });
      const [topic, payload] = bad[i % bad.length];
      await pub.publishAsync(topic, payload, { qos: 1 });
    }
    await waitFor('30 stored', () => a.store.writer.counters().stored === base.stored + 30);
    await waitFor('30 quarantined', () => a.store.writer.counters().quarantined === base.quarantined + 30);
    expect(a.store.writer.counters()).toMatchObject({ duplicates: 0, gapsMissing: 0 });
    expect(new Set(a.store.reads.quarantineItems(100).map((q) => q.reason))).toEqual(
      new Set(['invalid JSON', 'not valid UTF-8', 'payload too large (20000 bytes)', 'bad station name in topic', 'unknown event', 'seq: Invalid input: expected int, received number']),
    );
  });

  run('gets what was published while it was down from its persistent session, nothing twice', async () => {
    const b = await newBroker();
    const a = app(b.url, { config: testConfig({ protocolVersion }) });
    await waitFor('connected', () => status(a) === 'connected');
    const pub = await publisher(b.url);
    await untilSubscribed(a, pub);
    await send(pub, 'out', range(1, 20));
    await waitFor('first 20', () => a.store.reads.outputTimes('l1', 'out', 0, Date.now()).length === 20);

    await a.ingest.stop();
    await send(pub, 'out', range(21, 10));
    await sleep(100);
    expect(a.store.reads.outputTimes('l1', 'out', 0, Date.now())).toHaveLength(20);

    a.start();
    await waitFor('the 10 from the session', () => a.store.reads.outputTimes('l1', 'out', 0, Date.now()).length === 30);
    await sleep(200);
    expect(a.store.reads.outputTimes('l1', 'out', 0, Date.now())).toEqual(range(1, 30).map((s) => T + s));
    expect(a.store.writer.counters()).toMatchObject({ duplicates: 0, gapsMissing: 0 });
  });

  run('subscribes again when the broker lost the session, and shows the gap it left', async () => {
    const b = await newBroker();
    const a = app(b.url, { config: testConfig({ protocolVersion }) });
    await waitFor('connected', () => status(a) === 'connected');
    let pub = await publisher(b.url);
    await untilSubscribed(a, pub);
    await send(pub, 'out', range(1, 5));
    await waitFor('first 5', () => a.store.reads.outputTimes('l1', 'out', 0, Date.now()).length === 5);

    const seen = a.states.length;
    await b.crash();
    await waitFor('offline, then connected again', () => {
      const after = a.states.slice(seen).map((s) => s.status);
      return after.includes('offline') && after.at(-1) === 'connected';
    }, 15_000);
    pub = await publisher(b.url);
    await untilSubscribed(a, pub);
    // 6–9 were lost with the broker; 10 arrives after the resubscription.
    await send(pub, 'out', [10, 11]);
    await waitFor('after the crash', () => a.store.reads.outputTimes('l1', 'out', 0, Date.now()).length === 7);
    expect(a.store.reads.gaps('l1')).toMatchObject([{ station: 'out', fromSeq: 6, toSeq: 9, missing: 4 }]);
    const statuses = a.states.map((s) => s.status);
    expect(statuses.slice(0, 3)).toEqual(['connecting', 'connected', 'offline']);
    expect(statuses.at(-1)).toBe('connected');
  });
});

/**
 * The few bytes of an MQTT 5 broker that accepts one client, grants its subscription and then hands its
 * client id to someone else (DISCONNECT 0x8E): the one behaviour neither aedes (3.1.1 only) nor
 * mosquitto 2.0 (closes silently) shows.
 */
async function scriptedTakeoverBroker(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        let len = 0;
        let mul = 1;
        let i = 1;
        for (; i < buf.length && i < 5; i++) {
          len += (buf[i] & 0x7f) * mul;
          mul *= 128;
          if ((buf[i] & 0x80) === 0) break;
        }
        if (i >= buf.length || buf.length < i + 1 + len) return;
        const type = buf[0] >> 4;
        const body = buf.subarray(i + 1, i + 1 + len);
        buf = buf.subarray(i + 1 + len);
        if (type === 1) socket.write(Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00]));
        if (type === 8) {
          socket.write(Buffer.from([0x90, 0x04, body[0], body[1], 0x00, 0x01]));
          setTimeout(() => socket.end(Buffer.from([0xe0, 0x02, 0x8e, 0x00])), 50);
        }
        if (type === 12) socket.write(Buffer.from([0xd0, 0x00]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('connection trouble (aedes)', () => {
  it('reports a wrong port in words, retries with backoff, and connects when the broker appears', async () => {
    const port = await freePort();
    const a = app(`mqtt://127.0.0.1:${port}`);
    await waitFor('an error', () => a.states.some((s) => s.error !== null));
    const offline = a.states.find((s) => s.status === 'offline');
    expect(offline?.error).toBe(`broker unreachable (ECONNREFUSED 127.0.0.1:${port})`);
    await waitFor('a retry', () => a.states.filter((s) => s.status === 'connecting').length >= 3);
    expect(a.states.find((s, i) => i > 0 && s.status === 'connecting')?.error).toMatch(/^broker unreachable/);

    const b = await startAedes({ port });
    later(() => b.stop());
    await waitFor('connected', () => status(a) === 'connected', 5000);
    expect(a.ingest.state().error).toBeNull();
    const pub = await publisher(b.url);
    await untilSubscribed(a, pub);
  });

  it('says "broker rejected credentials" and does not hammer the broker', async () => {
    let attempts = 0;
    const b = await startAedes({
      authenticate: (_client, username, password, done) => {
        attempts++;
        const ok = username === 'line' && password?.toString() === 'right';
        done(ok ? null : Object.assign(new Error('bad'), { returnCode: 4 as const }), ok);
      },
    });
    later(() => b.stop());
    const a = app(b.url, { config: testConfig({ username: 'line' }), password: 'wrong', timing: { refusedDelayMs: 60_000 } });
    await waitFor('refused', () => a.states.some((s) => s.status === 'offline'));
    expect(a.ingest.state()).toMatchObject({ status: 'offline', error: 'broker rejected credentials' });
    expect(a.alerts.get('broker_rejected')).toBe('broker rejected credentials');
    await sleep(1000);
    expect(attempts).toBe(1);

    const ok = app(b.url, { config: testConfig({ username: 'line' }), password: 'right' });
    await waitFor('connected with the right password', () => status(ok) === 'connected');
  });

  it('says "not authorised" when the broker refuses the client', async () => {
    const b = await startAedes({ authenticate: (_c, _u, _p, done) => done(Object.assign(new Error('no'), { returnCode: 5 as const }), false) });
    later(() => b.stop());
    const a = app(b.url);
    await waitFor('refused', () => a.states.some((s) => s.status === 'offline'));
    expect(a.ingest.state().error).toBe('not authorised');
    expect(a.alerts.get('broker_rejected')).toBe('not authorised');
  });

  it('raises subscribe_refused when the broker grants QoS 128', async () => {
    const b = await startAedes({ authorizeSubscribe: (_client, _sub, done) => done(null, null) });
    later(() => b.stop());
    const a = app(b.url);
    await waitFor('alert', () => a.alerts.has('subscribe_refused'));
    expect(a.alerts.get('subscribe_refused')).toMatch(/^broker refused the subscription to factory\/it\/\+\/\+\/\+/);
    expect(status(a)).toBe('connected');
  });

  it('raises client_taken_over on an MQTT 5 DISCONNECT with reason 142, and does not fight for the id', async () => {
    const broker = await scriptedTakeoverBroker();
    later(() => broker.close());
    const a = app(`mqtt://127.0.0.1:${broker.port}`, { config: testConfig({ protocolVersion: 5 }), timing: { refusedDelayMs: 60_000 } });
    await waitFor('alert', () => a.alerts.has('client_taken_over'));
    expect(a.alerts.get('client_taken_over')).toMatch(/^another client with the same client id took over the session \("ingest-it-/);
    await waitFor('offline', () => status(a) === 'offline');
    expect(a.ingest.state().error).toBe('another client with the same client id took over the session');
    await sleep(1000);
    expect(broker.connections()).toBe(1);
  });

  it('survives a flapping broker with bounded exponential backoff and no socket or timer leak', async () => {
    const arrivals: number[] = [];
    const flapper = net.createServer((socket) => {
      arrivals.push(Date.now());
      socket.destroy();
    });
    await new Promise<void>((resolve) => flapper.listen(0, '127.0.0.1', () => resolve()));
    const port = (flapper.address() as net.AddressInfo).port;
    const a = app(`mqtt://127.0.0.1:${port}`, { timing: { reconnectMinMs: 20, reconnectMaxMs: 160 } });
    await waitFor('2 flaps', () => arrivals.length >= 2);
    // Each attempt is a new socket with its own timers: none may outlive its attempt.
    const handles = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
    const early = handles();
    await waitFor('22 flaps', () => arrivals.length >= 22, 15_000);
    expect(handles()).toBeLessThanOrEqual(early + 2);
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
    // 20, 40, 80, 160, then capped at 160 (timers are late, never early).
    expect(gaps.slice(0, 4).every((g, i) => g >= 20 * 2 ** i - 5)).toBe(true);
    expect(Math.max(...gaps.slice(6))).toBeLessThan(160 + 400);
    expect(a.ingest.state().error).toMatch(/connection reset|no answer from the broker|connection to the broker lost/);

    await new Promise<void>((resolve) => flapper.close(() => resolve()));
    const b = await startAedes({ port });
    later(() => b.stop());
    await waitFor('connected', () => status(a) === 'connected', 5000);
  });
});

describe('storage trouble', () => {
  it('acknowledges nothing while the database is locked, raises db_locked, and stores everything once it is free', async () => {
    const b = await startAedes();
    later(() => b.stop());
    const dbFile = path.join(tempDir('locked'), 'db.sqlite');
    const a = app(b.url, { dbFile, busyTimeoutMs: 5, timing: { lockAlertAfterMs: 400 } });
    await waitFor('connected', () => status(a) === 'connected');
    const pub = await publisher(b.url);
    await untilSubscribed(a, pub);

    const other = new Database(dbFile);
    other.exec('BEGIN EXCLUSIVE');
    try {
      const lockedAt = Date.now();
      await send(pub, 'out', [1, 2, 3]);
      await waitFor('db_locked', () => a.alerts.has('db_locked'));
      // A short lock is only logged; the banner comes when it lasts.
      expect(Date.now() - lockedAt).toBeGreaterThanOrEqual(400);
      expect(a.alerts.get('db_locked')).toMatch(/^database locked by another program/);
      // Stop while the first message is held: if anything had been acknowledged, it would now be lost.
      await a.ingest.stop();
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(a.store.reads.outputTimes('l1', 'out', 0, Date.now())).toEqual([]);
    a.start();
    await waitFor('all 3', () => a.store.reads.outputTimes('l1', 'out', 0, Date.now()).length === 3);
    await sleep(100);
    expect(a.store.writer.counters()).toMatchObject({ duplicates: 0, gapsMissing: 0 });
  });

  it('retries the held message with backoff and clears the alert when the commit succeeds', async () => {
    const b = await startAedes();
    later(() => b.stop());
    const dbFile = path.join(tempDir('full'), 'db.sqlite');
    const a = app(b.url, { dbFile });
    await waitFor('connected', () => status(a) === 'connected');
    const pub = await publisher(b.url);
    await untilSubscribed(a, pub);
    const pages = a.store.db.pragma('page_count', { simple: true }) as number;
    a.store.db.pragma(`max_page_count = ${pages}`);
    // Fill the free space left in the last pages until a commit needs a new one.
    let seq = 0;
    while (!a.alerts.has('storage_full')) {
      if (seq > 2000) throw new Error('the database never filled up');
      await Promise.all(range(seq + 1, 20).map((n) => pub.publishAsync('factory/it/l1/out/cycle', cyclePayload(n, { unit: 'u'.repeat(60) }), { qos: 1 })));
      seq += 20;
      await sleep(20);
    }
    expect(a.alerts.get('storage_full')).toMatch(/^storage full/);
    const heldAt = a.store.writer.counters().stored;
    await sleep(300);
    expect(a.store.writer.counters().stored).toBe(heldAt);
    a.store.db.pragma('max_page_count = 1073741823');
    await waitFor(`all ${seq}`, () => a.store.reads.outputTimes('l1', 'out', 0, Date.now()).length === seq);
    expect(a.alerts.has('storage_full')).toBe(false);
    expect(a.store.writer.counters()).toMatchObject({ duplicates: 0, gapsMissing: 0 });
  });
});

describe.skipIf(!hasMosquitto)('mosquitto only', () => {
  it('gets messages published while the broker restarted gracefully (persistence on)', async () => {
    const b = await startMosquitto({ persistence: true });
    later(() => b.stop());
    const a = app(b.url, { config: testConfig({ protocolVersion: 5 }) });
    await waitFor('connected', () => status(a) === 'connected');
    let pub = await publisher(b.url);
    await untilSubscribed(a, pub);
    await a.ingest.stop();
    await send(pub, 'out', range(1, 5));
    await pub.endAsync();
    await b.restart();
    pub = await publisher(b.url);
    await send(pub, 'out', range(6, 5));
    a.start();
    await waitFor('all 10', () => a.store.reads.outputTimes('l1', 'out', 0, Date.now()).length === 10);
    expect(a.store.writer.counters()).toMatchObject({ duplicates: 0, gapsMissing: 0 });
  });

  it('stops two apps with the same client id from taking it from each other forever', async () => {
    // mosquitto 2.0 closes the older connection without a DISCONNECT 142: the apps see silent drops.
    const b = await startMosquitto();
    later(() => b.stop());
    const config = testConfig({ protocolVersion: 5 });
    const timing = { reconnectMinMs: 100, reconnectMaxMs: 100, refusedDelayMs: 60_000 };
    const first = app(b.url, { config, timing });
    await waitFor('first connected', () => status(first) === 'connected');
    const second = app(b.url, { config, timing });
    const both = [first, second];
    await waitFor('one gives way', () => both.some((a) => a.alerts.has('client_taken_over')), 15_000);
    const yielded = both.find((a) => a.alerts.has('client_taken_over'))!;
    const kept = both.find((a) => a !== yielded)!;
    expect(yielded.alerts.get('client_taken_over')).toMatch(new RegExp(`is another client .* using client id "${config.broker.clientId}"`));
    await waitFor('the other stays connected', () => status(kept) === 'connected');
    await sleep(1500);
    expect(status(kept)).toBe('connected');
    expect(status(yielded)).toBe('offline');
    expect(kept.alerts.has('client_taken_over')).toBe(false);
  });

  // (mosquitto 2.0's acl_file grants a denied read subscription and filters silently, so the refused
  // SUBACK is tested against aedes above.)
  it.skipIf(!requireBinary('mosquitto_passwd'))('reports a rejected password in words, once', async () => {
    const dir = tempDir('mosquitto-auth');
    const passwd = path.join(dir, 'passwd');
    execFileSync(findBinary('mosquitto_passwd')!, ['-b', '-c', passwd, 'line', 'right']);
    const b = await startMosquitto({ allowAnonymous: false, extraConf: `password_file ${passwd}` });
    later(() => b.stop());

    const wrong = app(b.url, { config: testConfig({ protocolVersion: 5, username: 'line' }), password: 'nope', timing: { refusedDelayMs: 60_000 } });
    await waitFor('refused', () => wrong.states.some((s) => s.status === 'offline'));
    // mosquitto 2.0 answers a wrong password with reason 135 (not authorised), not 134.
    expect(wrong.ingest.state().error).toBe('not authorised');
    expect(wrong.alerts.get('broker_rejected')).toBe('not authorised');
    await sleep(500);
    expect(wrong.states.map((s) => s.status)).toEqual(['connecting', 'offline']);

    const right = app(b.url, { config: testConfig({ protocolVersion: 5, username: 'line' }), password: 'right' });
    await waitFor('connected', () => status(right) === 'connected');
  });

  it.skipIf(!requireBinary('openssl'))('connects over TLS with the configured CA, and says why it cannot without it', async () => {
    const dir = tempDir('tls');
    const run = (...args: string[]) => execFileSync(findBinary('openssl') ?? 'openssl', args, { cwd: dir, stdio: 'pipe' });
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=taktboard test CA');
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'san.ext');
    const b = await startMosquitto({ extraConf: `certfile ${dir}/server.crt\nkeyfile ${dir}/server.key` });
    later(() => b.stop());
    const url = `mqtts://127.0.0.1:${b.port}`;

    const trusted = app(url, { config: testConfig({ protocolVersion: 5, ca: path.join(dir, 'ca.crt') }) });
    await waitFor('connected over TLS', () => status(trusted) === 'connected');

    const untrusted = app(url, { config: testConfig({ protocolVersion: 5 }) });
    await waitFor('refused', () => untrusted.states.some((s) => s.status === 'offline'));
    expect(untrusted.ingest.state().error).toMatch(/^TLS handshake failed: .*(self[- ]signed|unable to (get|verify))/i);

    const missing = app(url, { config: testConfig({ protocolVersion: 5, ca: path.join(dir, 'nope.crt') }) });
    expect(missing.ingest.state()).toMatchObject({ status: 'offline', error: `cannot read broker.ca file ${path.join(dir, 'nope.crt')} (ENOENT)` });
  });
});
