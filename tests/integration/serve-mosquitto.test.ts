// `taktboard serve` as a plant integrator runs it: own config, a separately started mosquitto,
// telemetry with duplicates and garbage in between; /api/live must show exactly what was published.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { requireBinary, startMosquitto } from '../helpers/brokers.ts';
import { tempDir } from '../helpers/tmp.ts';
import { startServe, type Served } from '../helpers/serve.ts';

// Two 12-hour shifts placed so that the test runs in the middle of one, never at a shift change.
const berlinHour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
const hh = (h: number) => String(((h % 24) + 24) % 24).padStart(2, '0') + ':00';

const config = {
  site: 'hefei',
  timezone: 'Europe/Berlin',
  broker: { url: 'mqtt://127.0.0.1:1', clientId: 'taktboard-it-serve', protocolVersion: 5 },
  lines: [
    { id: 'pack.L7', name: 'Pack line 7 · 电池包7线', targetTaktS: 12, outputStation: 'eol', stations: ['weld', 'eol'] },
    { id: 'module-2', name: 'Module line 2', targetTaktS: 4.5, outputStation: 'test_3', stations: ['stack', 'test_3'] },
  ],
  shifts: [
    { name: 'Day', start: hh(berlinHour - 6), end: hh(berlinHour + 6), breaks: [{ start: hh(berlinHour + 3), end: hh(berlinHour + 4) }] },
    { name: 'Night', start: hh(berlinHour + 6), end: hh(berlinHour - 6) },
  ],
};

async function live(s: Served) {
  const r = await fetch(s.url + 'api/live');
  return (await r.json()) as { lines: { id: string; shiftUnits: number; shiftRejects: number; configured: boolean }[]; counters: { duplicates: number; quarantined: number }; broker: { status: string } };
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await fn();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    v = await fn();
  }
  return v;
}

describe.skipIf(!requireBinary('mosquitto'))('serve against mosquitto with a plant configuration', () => {
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let served: Served | undefined;
  let pub: mqtt.MqttClient;
  let cfgFile: string;
  let dbFile: string;
  const seq = new Map<string, number>();

  beforeAll(async () => {
    broker = await startMosquitto({ persistence: true });
    const dir = tempDir('serve-it');
    cfgFile = path.join(dir, 'plant.json');
    dbFile = path.join(dir, 'plant.sqlite');
    writeFileSync(cfgFile, JSON.stringify(config));
    pub = await mqtt.connectAsync(broker.url, { clientId: 'it-publisher', protocolVersion: 5 });
  });

  afterAll(async () => {
    await served?.stop();
    await pub?.endAsync();
    await broker?.stop();
  });

  function cycle(line: string, station: string, extra: Record<string, unknown> = {}) {
    const key = `${line}/${station}`;
    const n = (seq.get(key) ?? -1) + 1;
    seq.set(key, n);
    return { topic: `factory/hefei/${line}/${station}/cycle`, payload: { ts: Date.now() - 1000 + n, seq: n, unit: `U${n}`, cycle_ms: 4000, ...extra } };
  }

  it('shows exactly the configured lines, with unit counts equal to what was published', async () => {
    served = await startServe(['--config', cfgFile, '--db', dbFile, '--broker', broker.url]);
    const first = await until(() => live(served!), (l) => l.broker.status === 'connected');
    expect(first.broker.status).toBe('connected');
    expect(first.lines.map((l) => l.id)).toEqual(['pack.L7', 'module-2']);

    const sent: { topic: string; payload: Record<string, unknown> }[] = [];
    for (let i = 0; i < 30; i++) sent.push(cycle('pack.L7', 'eol', i % 10 === 0 ? { result: 'ng', reason: '=HYPERLINK("x")' } : {}));
    for (let i = 0; i < 12; i++) sent.push(cycle('module-2', 'test_3'));
    for (let i = 0; i < 5; i++) sent.push(cycle('pack.L7', 'weld'));
    for (const m of sent) await pub.publishAsync(m.topic, JSON.stringify(m.payload), { qos: 1 });
    // Redeliveries and retries: the same events again.
    for (const m of sent.slice(0, 7)) await pub.publishAsync(m.topic, JSON.stringify(m.payload), { qos: 1 });
    // Garbage between them.
    await pub.publishAsync('factory/hefei/pack.L7/eol/cycle', '{"seq":1,', { qos: 1 });
    await pub.publishAsync('factory/hefei/pack.L7/eol/cycle', Buffer.from([0xc3, 0x28]), { qos: 1 });
    await pub.publishAsync('factory/hefei/pack.L7/eol/cycle', JSON.stringify({ ts: Date.now(), seq: 'x' }), { qos: 1 });
    await pub.publishAsync('factory/hefei/pack.L7/eol/cycle', Buffer.alloc(20_000, 0x61), { qos: 1 });
    await pub.publishAsync('factory/hefei/pack.L7/nowhere/cycle', JSON.stringify({ ts: Date.now(), seq: 1 }), { qos: 1 });
    const last = cycle('module-2', 'test_3');
    await pub.publishAsync(last.topic, JSON.stringify(last.payload), { qos: 1 });

    const l = await until(() => live(served!), (v) => v.lines.find((x) => x.id === 'module-2')?.shiftUnits === 13 && v.counters.quarantined >= 4);
    expect(l.lines.find((x) => x.id === 'pack.L7')).toMatchObject({ shiftUnits: 30, shiftRejects: 3 });
    expect(l.lines.find((x) => x.id === 'module-2')).toMatchObject({ shiftUnits: 13, shiftRejects: 0 });
    expect(l.counters.duplicates).toBe(7);
    expect(l.counters.quarantined).toBe(4);
    // A station the configuration does not list is kept and shown, not quarantined (CONTRACT §1.4), and no part of the line's figures.
    const pack = (l as unknown as { lines: { id: string; stations: { id: string; configured: boolean }[] }[] }).lines.find((x) => x.id === 'pack.L7')!;
    expect(pack.stations.find((s) => s.id === 'nowhere')).toMatchObject({ configured: false });

    const diag = await (await fetch(served!.url + 'api/rpc/diagnostics', { method: 'POST', body: '{}' })).json();
    const reasons = diag.quarantineByReason.map((r: { reason: string }) => r.reason).join('\n');
    expect(reasons).toMatch(/invalid JSON/);
    expect(reasons).toMatch(/UTF-8/);
    expect(reasons).toMatch(/seq/);
    expect(reasons).toMatch(/too large/);
    expect(reasons).not.toMatch(/unknown station/);
    expect(diag.unconfigured).toEqual([expect.objectContaining({ line: 'pack.L7', station: 'nowhere', lineConfigured: true, messages: 1 })]);
  });

  it('loses nothing while it is down: the persistent session delivers on restart', async () => {
    expect(await served!.stop()).toBe(0);
    for (let i = 0; i < 10; i++) {
      const m = cycle('pack.L7', 'eol');
      await pub.publishAsync(m.topic, JSON.stringify(m.payload), { qos: 1 });
    }
    served = await startServe(['--config', cfgFile, '--db', dbFile, '--broker', broker.url]);
    const l = await until(() => live(served!), (v) => v.lines.find((x) => x.id === 'pack.L7')?.shiftUnits === 40);
    expect(l.lines.find((x) => x.id === 'pack.L7')?.shiftUnits).toBe(40);
    expect(l.counters.duplicates).toBe(7);
  });

  it('shows a line that telemetry names but the configuration does not', async () => {
    const m = cycle('stray-9', 'robot');
    await pub.publishAsync(m.topic, JSON.stringify(m.payload), { qos: 1 });
    const l = await until(() => live(served!), (v) => v.lines.some((x) => x.id === 'stray-9'));
    expect(l.lines.find((x) => x.id === 'stray-9')).toMatchObject({ configured: false });
  });
});
