// The simulator against a real broker: the embedded aedes on 127.0.0.1, a plain mqtt.js subscriber.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { connectAsync, type MqttClient } from 'mqtt';
import { demoConfig, type Config } from '../../shared/config.ts';
import { parsePayload, topicMatcher, type TelemetryEvent } from '../../shared/telemetry.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../main/core/embedded-broker.ts';
import { createSimulator, runSimulate, startPublishing } from '../../main/core/simulator/index.ts';
import { setLogLevel, setLogSink } from '../../main/core/log.ts';
import { roundTheClockConfig } from '../fixtures/round-the-clock.ts';


interface Received {
  topic: string;
  payload: string;
  event: TelemetryEvent;
}

async function subscriber(url: string, config: Config): Promise<{ client: MqttClient; got: Received[]; rejected: string[] }> {
  const matcher = topicMatcher(config.broker.topicPattern, config.site);
  const client = await connectAsync(url, { clientId: `test-sub-${process.pid}-${Math.random().toString(36).slice(2, 8)}`, protocolVersion: 4, clean: true, reconnectPeriod: 0 });
  const got: Received[] = [];
  const rejected: string[] = [];
  client.on('message', (topic, buf) => {
    const payload = buf.toString('utf8');
    const parts = matcher.match(topic);
    if ('error' in parts) return void rejected.push(`${topic}: ${parts.error}`);
    const r = parsePayload(parts, payload, { now: Date.now(), oldestTs: Date.now() - 35 * 86_400_000 });
    if (!r.ok) return void rejected.push(`${topic} ${payload}: ${r.reason}`);
    got.push({ topic, payload, event: r.event });
  });
  await client.subscribeAsync(matcher.subscription, { qos: 1 });
  return { client, got, rejected };
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
}

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('simulator over MQTT', () => {
  it('publishes live: a subscriber gets exactly the expected cell-line messages, about one per second per station', async () => {
    const config = roundTheClockConfig();
    const broker = await startEmbeddedBroker();
    cleanups.push(() => broker.stop());
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    const sub = await subscriber(broker.url, config);
    cleanups.push(() => sub.client.endAsync(true));

    const pub = await connectAsync(broker.url, { clientId: `taktboard-sim-test-${process.pid}`, protocolVersion: 4, clean: true });
    cleanups.push(() => pub.endAsync(true));
    const startTs = Date.now();
    const sim = createSimulator(config, { seed: 9, startTs });
    const publishing = startPublishing(sim, pub, { tickMs: 200 });
    await new Promise((r) => setTimeout(r, 3000));
    publishing.stop();
    await publishing.settled();

    // A second simulator with the same seed and start says what must have gone over the wire.
    const expected = createSimulator(config, { seed: 9, startTs }).advanceTo(sim.clock);
    await until(() => sub.got.length >= expected.length, 5000);
    expect(sub.rejected).toEqual([]);
    expect(publishing.published).toBe(expected.length);
    expect(publishing.failed).toBe(0);
    expect(sub.got.map((m) => `${m.topic} ${m.payload}`).sort()).toEqual(expected.map((m) => `${m.topic} ${m.payload}`).sort());

    const cell = config.lines[0];
    for (const station of cell.stations) {
      const mine = sub.got.filter((m) => m.topic === `factory/chongqing/yibin-cell-1/${station}/cycle`);
      expect(mine.length, station).toBeGreaterThanOrEqual(2);
      expect(mine.length, station).toBeLessThanOrEqual(4);
      // Per station the broker keeps the publisher's order: seq 0 is the running state, cycles follow.
      const seqs = sub.got.filter((m) => m.event.line === cell.id && m.event.station === station).map((m) => m.event.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i));
    }
    const states = sub.got.filter((m) => m.event.kind === 'state');
    expect(states.map((m) => m.topic).sort()).toEqual(config.lines.flatMap((l) => l.stations.map((s) => `factory/chongqing/${l.id}/${s}/state`)).sort());
    expect(states.every((m) => m.event.state === 'running' && m.event.ts === startTs)).toBe(true);
    // Live messages carry the wall clock, so the app's 5-minute future check never trips.
    expect(sub.got.every((m) => m.event.ts >= startTs && m.event.ts <= Date.now())).toBe(true);
  });

  it('runSimulate backfills history with bounded in-flight QoS 1, then continues live without a seq gap', async () => {
    const config = roundTheClockConfig();
    const broker = await startEmbeddedBroker();
    cleanups.push(() => broker.stop());
    const sub = await subscriber(broker.url, config);
    cleanups.push(() => sub.client.endAsync(true));

    const lines: string[] = [];
    cleanups.push(setLogSink((l) => lines.push(l)));
    const before = Date.now();
    const summary = await runSimulate({ brokerUrl: broker.url, config, backfillMs: 10 * 60_000, durationMs: 2500, seed: 5, maxInFlight: 50 });
    expect(summary.clientId).toMatch(/^taktboard-sim-[0-9a-f]{8}$/);
    expect(summary.failed).toBe(0);
    // 10 min of a 1 s line with 5 stations and a 60 s line with 6, plus the 11 opening states.
    expect(summary.backfilled).toBeGreaterThan(2900);
    expect(summary.backfilled).toBeLessThan(3300);
    // 2.5 s live on a 1 s line: at least two transfers of 5 stations.
    expect(summary.live, lines.join('\n')).toBeGreaterThanOrEqual(10);

    await until(() => sub.got.length >= summary.backfilled + summary.live, 5000);
    expect(sub.rejected).toEqual([]);
    expect(sub.got.length).toBe(summary.backfilled + summary.live);
    const oldest = Math.min(...sub.got.map((m) => m.event.ts));
    expect(oldest).toBeGreaterThanOrEqual(before - 10 * 60_000);
    expect(oldest).toBeLessThan(before - 10 * 60_000 + 1000);
    const perStation = new Map<string, number[]>();
    for (const m of sub.got) perStation.set(`${m.event.line}/${m.event.station}`, [...(perStation.get(`${m.event.line}/${m.event.station}`) ?? []), m.event.seq]);
    expect(perStation.size).toBe(11);
    for (const [station, seqs] of perStation) expect(seqs, station).toEqual(seqs.map((_, i) => i));
    expect(new Set(sub.got.map((m) => m.event.boot))).toEqual(new Set([summary.boot]));
    expect(lines.some((l) => l.includes('[simulate] backfill done'))).toBe(true);
    expect(lines.some((l) => l.includes('[simulate] publishing live'))).toBe(true);
  });

  it('runSimulate fails with a clear error when no broker listens', async () => {
    const spare = net.createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', () => r()));
    const port = (spare.address() as net.AddressInfo).port;
    await new Promise<void>((r) => spare.close(() => r()));
    cleanups.push(setLogSink(() => {}));
    await expect(runSimulate({ brokerUrl: `mqtt://127.0.0.1:${port}`, config: demoConfig(), durationMs: 100 })).rejects.toThrow(
      new RegExp(`cannot connect to MQTT broker mqtt://127.0.0.1:${port}`),
    );
  });

  it('runSimulate stops on its abort signal and leaves no SIGINT handler behind', async () => {
    const broker = await startEmbeddedBroker();
    cleanups.push(() => broker.stop());
    cleanups.push(setLogSink(() => {}));
    const sigint = process.listenerCount('SIGINT');
    const ac = new AbortController();
    const run = runSimulate({ brokerUrl: broker.url, config: roundTheClockConfig(), signal: ac.signal, seed: 1 });
    await new Promise((r) => setTimeout(r, 700));
    expect(process.listenerCount('SIGINT')).toBe(sigint + 1);
    ac.abort();
    const summary = await run;
    expect(summary.live).toBeGreaterThanOrEqual(11);
    expect(process.listenerCount('SIGINT')).toBe(sigint);
  });
});

describe('embedded broker', () => {
  it('logs clients at debug level, and stop() closes the port and open connections', async () => {
    const lines: string[] = [];
    cleanups.push(setLogSink((l) => lines.push(l)));
    setLogLevel('debug');
    cleanups.push(() => setLogLevel('info'));
    const broker = await startEmbeddedBroker({ port: 0 });
    const client = await connectAsync(broker.url, { clientId: 'probe-1', protocolVersion: 4, reconnectPeriod: 0 });
    // A raw socket that never sends CONNECT must not keep stop() waiting.
    const idle = net.connect(broker.port, '127.0.0.1');
    await new Promise((r) => idle.once('connect', r));
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    await broker.stop();
    await closed;
    await broker.stop();
    expect(lines.some((l) => /DEBUG \[broker\] client connected \{"id":"probe-1"\}/.test(l))).toBe(true);
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(broker.port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(false)));
      s.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    await client.endAsync(true);
    idle.destroy();
  });
});
