// Issue 4's "done means", through `taktboard serve` as a plant runs it, against mosquitto with persistence:
// SIGKILL at random during a long QoS 1 stream loses nothing acknowledged and stores nothing twice; ten
// thousand random and hostile payloads and topics neither crash it nor stop it, and every one is counted.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { requireBinary } from '../helpers/brokers.ts';
import { PlantUnderKill, type Served } from '../helpers/serve.ts';
// Seeded randomness (the simulator's): a failing run can be repeated exactly.
import { createRng } from '../../main/core/simulator/prng.ts';

const config = {
  site: 'zigong',
  timezone: 'Asia/Shanghai',
  broker: { clientId: 'taktboard-it-hostile', protocolVersion: 5, keepaliveS: 5 },
  lines: [{ id: 'cell-3', name: '电芯3线', targetTaktS: 1, outputStation: 'grade', stations: ['stack', 'grade'] }],
  shifts: [{ name: 'All day', start: '00:00', end: '00:00' }],
};

async function counters(s: Served) {
  return (await (await fetch(s.url + 'api/live')).json()).counters as { stored: number; duplicates: number; quarantined: number };
}

describe.skipIf(!requireBinary('mosquitto'))('serve under kills and hostile input', () => {
  const plant = new PlantUnderKill('serve-hostile', config);
  const { dbFile } = plant;
  beforeAll(plant.setUp);
  afterAll(plant.tearDown);

  it('SIGKILL of serve at random during a QoS 1 stream loses no acknowledged message and stores none twice', async () => {
    const rand = createRng(7);
    await plant.start();
    const pub = await mqtt.connectAsync(plant.brokerUrl, { clientId: 'hostile-stream', protocolVersion: 5 });
    const N = 3000;
    let acked = 0;
    const base = Date.now() - 60_000;
    const publishing = (async () => {
      for (let i = 0; i < N; i++) {
        await pub.publishAsync('factory/zigong/cell-3/grade/cycle', JSON.stringify({ ts: base + i * 10, seq: i, boot: 'b1', cycle_ms: 900 }), { qos: 1 });
        acked++;
        // ~250 msg/s for ~12 s, so every kill lands while the stream is flowing.
        if (i % 25 === 0) await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const killsMidStream = await plant.killAndRestart(8, rand, () => acked < N);
    await publishing;
    expect(killsMidStream).toBe(8);
    await pub.endAsync();
    const deadline = Date.now() + 30_000;
    let c = await counters(plant.served);
    while (c.stored < N && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      c = await counters(plant.served);
    }
    expect(acked).toBe(N);
    expect(c.stored).toBe(N);
    await plant.stop();
    const db = new Database(dbFile, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const row = db.prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT seq) AS d, MIN(seq) AS lo, MAX(seq) AS hi FROM events WHERE line = 'cell-3' AND station = 'grade'").get() as { n: number; d: number; lo: number; hi: number };
      expect(row).toEqual({ n: N, d: N, lo: 0, hi: N - 1 });
    } finally {
      db.close();
    }
  }, 120_000);

  it('ten thousand random and hostile messages are all counted, and the valid telemetry between them all stored', async () => {
    const served = await plant.start();
    const before = await counters(served);
    const rand = createRng(42);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
    const hostilePayloads: (() => Buffer | string)[] = [
      () => '{"seq":1,',
      () => randomBytes(1 + Math.floor(rand() * 200)),
      () => Buffer.from([0xc3, 0x28]),
      () => JSON.stringify({ ts: Date.now(), seq: 'x' }),
      () => JSON.stringify({ ts: Date.now(), seq: 1.5 }),
      () => JSON.stringify({}),
      () => JSON.stringify(null),
      () => JSON.stringify([1, 2]),
      () => JSON.stringify({ ts: Date.now(), seq: -1 }),
      () => JSON.stringify({ ts: Date.now(), seq: 1, cycle_ms: -5 }),
      () => '{"ts": 1, "seq": 1, "cycle_ms": 1e999}',
      () => JSON.stringify({ ts: Date.now() + 86_400_000, seq: 1 }),
      () => JSON.stringify({ ts: Math.floor(Date.now() / 1000), seq: 1 }),
      () => JSON.stringify({ ts: Date.now(), seq: 1, unit: null }),
      () => JSON.stringify({ ts: Date.now(), seq: 1, result: 'maybe' }),
      () => JSON.stringify({ ts: Date.now(), seq: 1, unit: 'x'.repeat(10_000) }),
      () => JSON.stringify({ ts: Date.now(), seq: 1, boot: '\ud800' }),
      () => JSON.stringify({ ts: '2026-13-40T99:00:00Z', seq: 1 }),
      () => 'x'.repeat(17 * 1024),
    ];
    const hostileTopics = [
      'factory/zigong/cell-3/ghost/cycle',
      'factory/zigong/cell-3/grade/explode',
      'factory/zigong/-bad/grade/cycle',
      'factory/zigong/cell 3/grade/cycle',
      'factory/zigong/cell-3/gr@de/cycle',
      'factory/zigong/\u202ecell/grade/cycle',
    ];
    const pub = await mqtt.connectAsync(plant.brokerUrl, { clientId: 'hostile-fuzz', protocolVersion: 5 });
    const HOSTILE = 10_000;
    let valid = 0;
    // A good payload on the topic of a station the configuration does not list is kept (CONTRACT §1.4).
    let unconfigured = 0;
    let seq = 0;
    const now = Date.now();
    for (let i = 0; i < HOSTILE; i++) {
      const onGoodTopic = rand() < 0.7;
      const topic = onGoodTopic ? `factory/zigong/cell-3/${pick(['stack', 'grade'])}/${pick(['cycle', 'state'])}` : pick(hostileTopics);
      // A topic that is fine gets a bad payload; a bad topic may even carry a good payload.
      const payload = onGoodTopic ? pick(hostilePayloads)() : JSON.stringify({ ts: now, seq: i, boot: 'fuzz' });
      pub.publish(topic, payload, { qos: 1 });
      if (topic === hostileTopics[0]) unconfigured++;
      if (i % 10 === 0) {
        await pub.publishAsync('factory/zigong/cell-3/stack/cycle', JSON.stringify({ ts: now - 30_000 + seq, seq, boot: 'fuzz-valid', cycle_ms: 800 }), { qos: 1 });
        seq++;
        valid++;
      }
    }
    await pub.endAsync();
    const deadline = Date.now() + 60_000;
    let c = await counters(served);
    while (c.stored - before.stored + c.quarantined - before.quarantined < HOSTILE + valid && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      c = await counters(served);
    }
    expect(unconfigured).toBeGreaterThan(0);
    expect(c.stored - before.stored).toBe(valid + unconfigured);
    expect(c.quarantined - before.quarantined).toBe(HOSTILE - unconfigured);
    const health = await fetch(served.url + 'api/health');
    expect(health.status).toBe(200);
    const diag = await (await fetch(served.url + 'api/rpc/diagnostics', { method: 'POST', body: '{}' })).json();
    expect(diag.quarantineByReason.length).toBeGreaterThan(10);
    expect(diag.quarantine.length).toBeLessThanOrEqual(1000);
  }, 120_000);
});
