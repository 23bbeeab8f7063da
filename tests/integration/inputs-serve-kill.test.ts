// Issue 12 under the reliability rules, through `taktboard serve` as a plant runs it: a Sparkplug edge node
// publishing DDATA at QoS 1 through mosquitto (persistence on) while serve is killed with SIGKILL again and
// again. Every sample the broker had acknowledged ends up as exactly its units, once: the unit of counter
// value k at the ts of the sample that counted it, no unit twice, no gap.
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import sparkplugPayload from 'sparkplug-payload';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../helpers/brokers.ts';
import { PlantUnderKill } from '../helpers/serve.ts';
import { createRng } from '../../main/core/simulator/prng.ts';

const spb = sparkplugPayload.get('spBv1.0')!;
const enc = (p: unknown) => Buffer.from(spb.encodePayload(p as never));

const config = {
  site: 'zigong',
  timezone: 'Asia/Shanghai',
  broker: { clientId: 'taktboard-it-spb-kill', protocolVersion: 5, keepaliveS: 5 },
  lines: [{ id: 'cell-3', name: '电芯3线', targetTaktS: 1, outputStation: 'grade', stations: ['stack', 'grade'] }],
  shifts: [{ name: 'All day', start: '00:00', end: '00:00' }],
  inputs: [
    {
      id: 'gw',
      kind: 'sparkplug',
      groups: ['Zigong'],
      sources: [{ group: 'Zigong', node: 'GW3', device: 'Grader', line: 'cell-3', station: 'grade', signals: { partCounter: 'Parts', state: 'State', stateValues: { '1': 'running', '5': 'down' } } }],
    },
  ],
};

describe.skipIf(!requireBinary('mosquitto'))('serve with a Sparkplug input under kill -9', () => {
  const plant = new PlantUnderKill('serve-spb-kill', config);
  const { dbFile } = plant;
  beforeAll(plant.setUp);
  afterAll(plant.tearDown);

  it('SIGKILL of serve at random during a QoS 1 DDATA stream loses no acknowledged sample and counts no unit twice', async () => {
    const rand = createRng(12);
    await plant.start();
    // The persistent session exists before the edge node is born: nothing it publishes is missed.
    const deadline0 = Date.now() + 10_000;
    while ((await (await fetch(plant.served.url + 'api/health')).json()).broker !== 'connected' && Date.now() < deadline0) await new Promise((r) => setTimeout(r, 100));
    const edge = await mqtt.connectAsync(plant.brokerUrl, { clientId: 'edge-gw3', protocolVersion: 4 });
    const N = 2000;
    const base = Date.now() - 60_000;
    const ts = (i: number) => base + 20 * i;
    await edge.publishAsync('spBv1.0/Zigong/NBIRTH/GW3', enc({ timestamp: base - 10, seq: 0, metrics: [{ name: 'bdSeq', type: 'Int64', value: 0 }, { name: 'Node Control/Rebirth', type: 'Boolean', value: false }] }), { qos: 1 });
    await edge.publishAsync('spBv1.0/Zigong/DBIRTH/GW3/Grader', enc({ timestamp: base - 10, seq: 1, metrics: [{ name: 'Parts', alias: 1, type: 'UInt32', value: 500 }, { name: 'State', alias: 2, type: 'Int32', value: 1 }] }), { qos: 1 });
    let acked = 0;
    const publishing = (async () => {
      for (let i = 1; i <= N; i++) {
        await edge.publishAsync('spBv1.0/Zigong/DDATA/GW3/Grader', enc({ timestamp: ts(i), seq: (1 + i) % 256, metrics: [{ alias: 1, type: 'UInt32', value: 500 + i }] }), { qos: 1 });
        acked++;
        if (i % 25 === 0) await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const killsMidStream = await plant.killAndRestart(6, rand, () => acked < N);
    await publishing;
    expect(killsMidStream).toBe(6);
    await edge.endAsync();
    const count = () => {
      const db = new Database(dbFile, { readonly: true });
      try {
        return db.prepare("SELECT COUNT(*) FROM events WHERE line = 'cell-3' AND station = 'grade' AND kind = 'cycle'").pluck().get() as number;
      } finally {
        db.close();
      }
    };
    const deadline = Date.now() + 30_000;
    while (count() < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const diag = await (await fetch(plant.served.url + 'api/live')).json();
    await plant.stop();
    const db = new Database(dbFile, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const cycles = db.prepare("SELECT ts, seq FROM events WHERE line = 'cell-3' AND station = 'grade' AND kind = 'cycle' ORDER BY ts").all() as { ts: number; seq: number }[];
      // One unit per sample (the counter went up by one each time), at the sample's ts.
      expect(cycles.map((c) => c.ts)).toEqual(Array.from({ length: N }, (_, i) => ts(i + 1)));
      expect(new Set(cycles.map((c) => c.seq)).size).toBe(N);
      expect(db.prepare('SELECT COUNT(*) FROM gaps').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
    expect(diag.counters).toMatchObject({ gapsMissing: 0 });
  }, 120_000);
});
