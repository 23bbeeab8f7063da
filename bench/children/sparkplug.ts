// A child of bench/phases/sparkplug.ts (issue 12): `pub` is a plant of Sparkplug B edge nodes (10 lines × 6
// stations as edge nodes and devices) publishing DDATA at QoS 1 — births, a paced live stream, or a burst
// as fast as the broker acknowledges (500 in flight); `sub` is the raw receive limit for the same payloads:
// an mqtt.js QoS 1 subscriber with Taktboard's connection options that acknowledges at once, stores nothing.
// Payloads are built with the reference encoder (sparkplug-payload).
import mqtt, { type IPublishPacket } from 'mqtt';
import sparkplugPayload from 'sparkplug-payload';

const [url, role, linesArg, stationsArg] = process.argv.slice(2);
if (!url || (role !== 'pub' && role !== 'sub') || !process.send) {
  console.error('usage: forked by bench/phases/sparkplug.ts with <broker url> pub|sub [lines] [stations]');
  process.exit(2);
}
const send = (m: unknown) => process.send!(m);
const LINES = Number(linesArg ?? 10);
const STATIONS = Number(stationsArg ?? 6);
const spb = sparkplugPayload.get('spBv1.0')!;
const enc = (p: unknown) => Buffer.from(spb.encodePayload(p as never));

if (role === 'sub') {
  let received = 0;
  const client = mqtt.connect(url, { clientId: `bench-spb-raw-${process.pid}`, clean: false, protocolVersion: 5, keepalive: 30, reconnectPeriod: 1000, resubscribe: false, properties: { sessionExpiryInterval: 600, receiveMaximum: 1000 } });
  client.handleMessage = (_packet: IPublishPacket, done: (err?: Error) => void) => {
    received++;
    done();
  };
  client.on('connect', () => client.subscribe('spBv1.0/raw/#', { qos: 1 }, (err) => send(err ? { type: 'error', message: err.message } : { type: 'ready' })));
  const timer = setInterval(() => send({ type: 'count', received }), 20);
  process.on('message', (m: { type: string }) => {
    if (m.type !== 'stop') return;
    clearInterval(timer);
    client.end(false, { properties: { sessionExpiryInterval: 0 } } as never, () => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
} else {
  const client = await mqtt.connectAsync(url, { clientId: `bench-spb-pub-${process.pid}`, protocolVersion: 4, clean: true });
  // Each group (serve's, the raw receiver's) is a plant of its own: its own counters and sample clock.
  const plants = new Map<string, { devices: { line: number; station: number; count: number }[]; tick: number }>();
  const plantOf = (group: string) => {
    let p = plants.get(group);
    if (!p) {
      p = { devices: [], tick: 0 };
      for (let l = 0; l < LINES; l++) for (let s = 0; s < STATIONS; s++) p.devices.push({ line: l, station: s, count: 0 });
      plants.set(group, p);
    }
    return p;
  };
  const nodeSeq = new Map<string, number>();
  const seqOf = (group: string, line: number) => {
    const k = `${group}/${line}`;
    const s = nodeSeq.get(k) ?? 0;
    nodeSeq.set(k, (s + 1) % 256);
    return s;
  };
  const base = Date.now() - 30 * 60_000;
  /** The next DDATA of the plant: devices in turn, each +1 on its counter, 10 Hz per station in sample time. */
  const next = (group: string) => {
    const p = plantOf(group);
    const { devices } = p;
    const i = p.tick % devices.length;
    const d = devices[i];
    const ts = base + Math.floor(p.tick / devices.length) * 100;
    p.tick++;
    d.count++;
    const payload = enc({ timestamp: ts, seq: seqOf(group, d.line), metrics: [{ alias: 1, type: 'UInt64', value: d.count, timestamp: ts }, { alias: 2, type: 'Int32', value: 1, timestamp: ts }, { alias: 3, type: 'Double', value: 95.5, timestamp: ts }] });
    return { topic: `spBv1.0/${group}/DDATA/line-${d.line}/st-${d.station}`, payload };
  };
  const births = async (group: string) => {
    for (let l = 0; l < LINES; l++) {
      nodeSeq.set(`${group}/${l}`, 0);
      await client.publishAsync(`spBv1.0/${group}/NBIRTH/line-${l}`, enc({ timestamp: base - 1, seq: seqOf(group, l), metrics: [{ name: 'bdSeq', type: 'Int64', value: 0 }, { name: 'Node Control/Rebirth', type: 'Boolean', value: false }] }), { qos: 1 });
      for (let s = 0; s < STATIONS; s++) {
        const d = plantOf(group).devices[l * STATIONS + s];
        const metrics = [
          { name: 'Production/PartCount', alias: 1, type: 'UInt64', value: d.count },
          { name: 'Status/State', alias: 2, type: 'Int32', value: 1 },
          { name: 'Production/CycleTimeMs', alias: 3, type: 'Double', value: 95.5 },
        ];
        await client.publishAsync(`spBv1.0/${group}/DBIRTH/line-${l}/st-${s}`, enc({ timestamp: base - 1, seq: seqOf(group, l), metrics }), { qos: 1 });
      }
    }
  };
  const burst = (group: string, count: number, window: number) =>
    new Promise<number>((resolve) => {
      let sent = 0;
      let done = 0;
      const t0 = performance.now();
      const pump = () => {
        while (sent < count && sent - done < window) {
          const m = next(group);
          sent++;
          client.publish(m.topic, m.payload, { qos: 1 }, () => {
            done++;
            if (done === count) resolve(performance.now() - t0);
            else pump();
          });
        }
      };
      pump();
    });
  process.on('message', async (m: { type: string; id?: number; group?: string; count?: number; rate?: number; durationMs?: number }) => {
    if (m.type === 'stop') {
      await client.endAsync();
      process.exit(0);
    }
    if (m.type === 'births') {
      await births(m.group!);
      send({ type: 'births-done', id: m.id });
    }
    if (m.type === 'burst') send({ type: 'burst-done', id: m.id, ms: await burst(m.group!, m.count!, 500) });
    if (m.type === 'live') {
      // rate msg/s for durationMs, in 50 ms slices.
      const t0 = performance.now();
      let sent = 0;
      while (performance.now() - t0 < m.durationMs!) {
        const due = Math.floor(((performance.now() - t0) / 1000) * m.rate!);
        while (sent < due) {
          const x = next(m.group!);
          client.publish(x.topic, x.payload, { qos: 1 });
          sent++;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      send({ type: 'live-done', id: m.id, sent });
    }
  });
  send({ type: 'ready' });
}
