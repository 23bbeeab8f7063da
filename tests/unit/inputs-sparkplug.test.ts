// Sparkplug B input (issue 12) through the product's pipeline and a real SQLite file. Every payload is built
// with the reference encoder (the sparkplug-payload package of Eclipse Tahu), never with the code under test.
import path from 'node:path';
import sparkplugPayload from 'sparkplug-payload';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configOrThrow, type Config } from '../../shared/config.ts';
import type { TelemetryEvent } from '../../shared/telemetry.ts';
import { createPipeline, type Pipeline } from '../../main/core/ingest/pipeline.ts';
import { Store } from '../../main/core/store/store.ts';
import { useTempDirs } from '../helpers/tmp.ts';

const spb = sparkplugPayload.get('spBv1.0')!;
const tempDir = useTempDirs();
const NOW = Date.UTC(2026, 11, 1, 8, 0, 0);
const T0 = NOW - 60_000;

const SIGNALS = {
  partCounter: 'Production/PartCount',
  rejectCounter: 'Production/RejectCount',
  state: 'Status/State',
  stateValues: { '1': 'running', '2': 'idle', '5': 'down' },
  reason: 'Status/Reason',
  cycleTime: 'Production/CycleTime',
  cycleTimeUnit: 's',
  product: 'Recipe/Model',
};

function testConfig(extra: Record<string, unknown> = {}): Config {
  return configOrThrow({
    site: 'cq',
    lines: [{ id: 'l1', name: 'Line 1', targetTaktS: 1, outputStation: 'press', stations: ['press', 'weld'] }],
    shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
    inputs: [
      {
        id: 'plant',
        kind: 'sparkplug',
        groups: ['Plant1'],
        sources: [
          { group: 'Plant1', node: 'GW1', device: 'Press', line: 'l1', station: 'press', signals: { ...SIGNALS, maxUnitsPerSample: 100 } },
          { group: 'Plant1', node: 'GW1', line: 'l1', station: 'weld', signals: { partCounter: 'Weld/Count' } },
        ],
        ...extra,
      },
    ],
  });
}

let store: Store;
let pipeline: Pipeline;
let dbFile: string;
let events: TelemetryEvent[];
let sent: { topic: string; payload: Buffer; qos: number }[];

function open(config = testConfig()): void {
  store = Store.open(dbFile, { synchronous: 'NORMAL', quarantineRows: 100 });
  pipeline = createPipeline({ config, store, now: () => NOW });
  events = [];
  pipeline.onEvent((e) => events.push(e));
  sent = [];
  pipeline.inputs.online({ publish: (topic, payload, o) => sent.push({ topic, payload, qos: o.qos }) });
}

beforeEach(() => {
  dbFile = path.join(tempDir('inputs-spb'), 'db.sqlite');
  open();
});
afterEach(() => store.close());

type M = { name?: string; alias?: number; type: string; value: unknown; timestamp?: number };
const enc = (seq: number | undefined, ts: number, metrics: M[]) => Buffer.from(spb.encodePayload({ timestamp: ts, ...(seq === undefined ? {} : { seq }), metrics } as never));
const topic = (type: string, device?: string) => `spBv1.0/Plant1/${type}/GW1${device ? '/' + device : ''}`;

const nbirth = (seq: number, ts: number, bdSeq: number, weld = 0) =>
  enc(seq, ts, [
    { name: 'bdSeq', type: 'Int64', value: bdSeq },
    { name: 'Node Control/Rebirth', alias: 1, type: 'Boolean', value: false },
    { name: 'Weld/Count', alias: 2, type: 'UInt32', value: weld },
  ]);
const dbirth = (seq: number, ts: number, count: number, state = 1) =>
  enc(seq, ts, [
    { name: 'Production/PartCount', alias: 10, type: 'UInt64', value: count },
    { name: 'Production/RejectCount', alias: 11, type: 'UInt32', value: 0 },
    { name: 'Status/State', alias: 12, type: 'Int32', value: state },
    { name: 'Status/Reason', alias: 13, type: 'String', value: '' },
    { name: 'Production/CycleTime', alias: 14, type: 'Double', value: 0.95 },
    { name: 'Recipe/Model', alias: 15, type: 'String', value: 'M-7' },
    { name: 'Temperature', alias: 16, type: 'Float', value: 40.5 },
  ]);
const ddata = (seq: number, ts: number, metrics: M[]) => enc(seq, ts, metrics);
const count = (v: number): M => ({ alias: 10, type: 'UInt64', value: v });

const handle = (t: string, payload: Buffer, at = NOW) => pipeline.handle(t, payload, at);
const rows = (station = 'press') => store.db.prepare("SELECT kind, ts, seq, ok, state, reason, cycle_ms FROM events WHERE line = 'l1' AND station = ? ORDER BY seq").all(station) as { kind: string; ts: number; seq: number; ok: number | null; state: string | null; reason: string | null; cycle_ms: number | null }[];
const status = () => pipeline.inputs.status().inputs[0];
const sourceOf = (s: string) => status().sources.find((x) => x.source === s)!;
const quarantined = () => store.reads.quarantineItems(10).map((q) => q.reason);

function birth(count0 = 10): void {
  expect(handle(topic('NBIRTH'), nbirth(0, T0, 3))).toBe('stored');
  expect(handle(topic('DBIRTH', 'Press'), dbirth(1, T0, count0))).toBe('stored');
}

describe('Sparkplug B input', () => {
  it('births give names and aliases; DDATA by alias becomes units spread between the samples, and state events', () => {
    birth();
    // The birth is the first sample: a baseline, and the state it reports.
    expect(rows().map((r) => r.kind)).toEqual(['state']);
    expect(rows()[0]).toMatchObject({ state: 'running', seq: 0 });
    expect(handle(topic('DDATA', 'Press'), ddata(2, T0 + 3000, [count(13)]))).toBe('stored');
    const cycles = rows().filter((r) => r.kind === 'cycle');
    expect(cycles.map((r) => r.ts)).toEqual([T0 + 1000, T0 + 2000, T0 + 3000]);
    expect(cycles.every((r) => r.ok === 1 && r.cycle_ms === 950)).toBe(true);
    expect(cycles.map((r) => r.seq)).toEqual([1, 2, 3]);
    // A reject and a down state with its reason in one message.
    handle(topic('DDATA', 'Press'), ddata(3, T0 + 4000, [count(14), { alias: 11, type: 'UInt32', value: 1 }, { alias: 12, type: 'Int32', value: 5 }, { alias: 13, type: 'String', value: 'JAM' }]));
    const after = rows();
    expect(after.at(-2)).toMatchObject({ kind: 'cycle', ts: T0 + 4000, ok: 0 });
    expect(after.at(-1)).toMatchObject({ kind: 'state', ts: T0 + 4000, state: 'down', reason: 'JAM' });
    const src = sourceOf('Plant1/GW1/Press');
    expect(src).toMatchObject({ line: 'l1', station: 'press', online: true, counter: 14, product: 'M-7', state: 'down', reason: 'JAM', units: 4 });
    expect(src.signals.find((s) => s.name === 'Temperature')).toMatchObject({ alias: 16, type: 'Float', roles: null });
    expect(src.signals.find((s) => s.name === 'Production/PartCount')).toMatchObject({ roles: ['partCounter'], seen: true });
    // The node's own metrics map to another station.
    handle(topic('NDATA'), ddata(4, T0 + 5000, [{ alias: 2, type: 'UInt32', value: 2 }]));
    expect(rows('weld').filter((r) => r.kind === 'cycle')).toHaveLength(2);
    expect(sent).toHaveLength(0);
  });

  it('a device of a subscribed group that no mapping takes is shown with where it is and its birth’s metrics, nothing stored', () => {
    birth();
    expect(handle(topic('DBIRTH', 'Oven'), enc(2, T0, [{ name: 'Oven/Trays', alias: 20, type: 'UInt32', value: 7 }, { name: 'Oven/Temp', alias: 21, type: 'Float', value: 180 }]))).toBe('stored');
    expect(handle(topic('DDATA', 'Oven'), ddata(3, T0 + 1000, [{ alias: 20, type: 'UInt32', value: 8 }]))).toBe('stored');
    expect(sourceOf('Plant1/GW1/Oven')).toMatchObject({
      group: 'Plant1',
      node: 'GW1',
      device: 'Oven',
      line: null,
      station: null,
      online: true,
      units: 0,
      signals: [
        { name: 'Oven/Trays', type: 'UInt32', roles: null, seen: true },
        { name: 'Oven/Temp', type: 'Float', roles: null, seen: true },
      ],
    });
    // Mapped ones say where they are too; the node's own metrics have no device.
    expect(sourceOf('Plant1/GW1/Press')).toMatchObject({ group: 'Plant1', node: 'GW1', device: 'Press', line: 'l1', station: 'press' });
    expect(sourceOf('Plant1/GW1')).toMatchObject({ group: 'Plant1', node: 'GW1', device: null, line: 'l1', station: 'weld' });
    expect(store.db.prepare("SELECT COUNT(*) FROM events WHERE station NOT IN ('press', 'weld')").pluck().get()).toBe(0);
  });

  it('a mapping saved in Settings takes effect at once: the adapters are made anew and go on from the stored births and samples', () => {
    birth();
    handle(topic('DDATA', 'Press'), ddata(2, T0 + 3000, [count(13)]));
    expect(handle(topic('DBIRTH', 'Oven'), enc(3, T0 + 3000, [{ name: 'Oven/Trays', alias: 20, type: 'UInt32', value: 7 }]))).toBe('stored');
    handle(topic('DDATA', 'Oven'), ddata(4, T0 + 4000, [{ alias: 20, type: 'UInt32', value: 8 }]));
    const before = pipeline.inputs;
    const config = testConfig();
    const input = config.inputs![0] as Extract<NonNullable<Config['inputs']>[number], { kind: 'sparkplug' }>;
    const mapped = { ...config, inputs: [{ ...input, sources: [...input.sources, { ...input.sources[0], device: 'Oven', station: 'weld', signals: { ...input.sources[0].signals, partCounter: 'Oven/Trays', state: undefined, stateValues: undefined, reason: undefined, cycleTime: undefined, product: undefined, rejectCounter: undefined } }] }] } as Config;
    pipeline.reconfigure(config);
    expect(pipeline.inputs).toBe(before);
    pipeline.reconfigure(mapped);
    expect(pipeline.inputs).not.toBe(before);
    expect(sourceOf('Plant1/GW1/Oven')).toMatchObject({ line: 'l1', station: 'weld', signals: [{ name: 'Oven/Trays', type: 'UInt32', roles: ['partCounter'] }] });
    // By alias (the birth is in the store), continuing the node's seq: the first sample is the baseline, then units.
    expect(handle(topic('DDATA', 'Oven'), ddata(5, T0 + 5000, [{ alias: 20, type: 'UInt32', value: 9 }]))).toBe('stored');
    expect(handle(topic('DDATA', 'Oven'), ddata(6, T0 + 6000, [{ alias: 20, type: 'UInt32', value: 11 }]))).toBe('stored');
    expect(rows('weld').filter((r) => r.kind === 'cycle').map((r) => r.ts)).toEqual([T0 + 5500, T0 + 6000]);
    expect(status().counts.seqGaps).toBe(0);
    // The press goes on from its counter: no unit twice.
    handle(topic('DDATA', 'Press'), ddata(7, T0 + 7000, [count(14)]));
    expect(rows().filter((r) => r.kind === 'cycle')).toHaveLength(4);
  });

  it('data by an alias before any birth is quarantined with the reason, and a rebirth is requested (NCMD, QoS 0)', () => {
    expect(handle(topic('DDATA', 'Press'), ddata(7, T0, [count(5)]))).toBe('quarantined');
    expect(quarantined()[0]).toMatch(/alias 10 .*rebirth requested/);
    expect(sent).toHaveLength(1);
    expect(sent[0].topic).toBe('spBv1.0/Plant1/NCMD/GW1');
    expect(sent[0].qos).toBe(0);
    const cmd = spb.decodePayload(sent[0].payload);
    expect(cmd.metrics?.[0]).toMatchObject({ name: 'Node Control/Rebirth', type: 'Boolean', value: true });
    // Asked again at once: not twice within rebirthEveryS.
    handle(topic('DDATA', 'Press'), ddata(8, T0 + 10, [count(6)]));
    expect(sent).toHaveLength(1);
    // After the birth the same aliases decode; the birth's counter is the baseline, nothing double.
    birth(6);
    handle(topic('DDATA', 'Press'), ddata(2, T0 + 1000, [count(8)]));
    expect(rows().filter((r) => r.kind === 'cycle')).toHaveLength(2);
  });

  it('seq wraps from 255 to 0 without a gap; a jump is a gap recorded and shown, and a rebirth is requested', () => {
    birth();
    let c = 10;
    for (let i = 0; i < 300; i++) {
      const seq = (2 + i) % 256;
      handle(topic('DDATA', 'Press'), ddata(seq, T0 + 100 + i * 100, [count(++c)]));
    }
    expect(pipeline.counters().gapsMissing).toBe(0);
    expect(status().counts.seqGaps).toBe(0);
    expect(rows().filter((r) => r.kind === 'cycle')).toHaveLength(300);
    expect(sent).toHaveLength(0);
    // Last seq was (2 + 299) % 256 = 45: 48 next means 46 and 47 were lost.
    handle(topic('DDATA', 'Press'), ddata(48, T0 + 40_000, [count(c + 3)]));
    expect(pipeline.counters().gapsMissing).toBe(2);
    expect(store.writer.gapsByLine().get('l1')).toMatchObject({ missing: 2 });
    expect(status().counts).toMatchObject({ seqGaps: 1, seqMissing: 2, rebirthRequests: 1 });
    expect(sent.map((s) => s.topic)).toEqual(['spBv1.0/Plant1/NCMD/GW1']);
    // The counter still gives every unit: a lost sample loses timing, never units.
    expect(rows().filter((r) => r.kind === 'cycle')).toHaveLength(303);
  });

  it('a redelivered sample is a duplicate, never double units; a restart keeps aliases and the last sample', () => {
    birth();
    const msg = ddata(2, T0 + 2000, [count(12)]);
    expect(handle(topic('DDATA', 'Press'), msg)).toBe('stored');
    expect(handle(topic('DDATA', 'Press'), msg)).toBe('duplicate');
    expect(rows().filter((r) => r.kind === 'cycle')).toHaveLength(2);
    expect(status().counts.duplicates).toBe(1);
    store.close();
    open();
    // The same message once more after the restart (redelivered by the broker): still a duplicate.
    expect(handle(topic('DDATA', 'Press'), msg)).toBe('duplicate');
    expect(handle(topic('DDATA', 'Press'), ddata(3, T0 + 4000, [count(14)]))).toBe('stored');
    const cycles = rows().filter((r) => r.kind === 'cycle');
    expect(cycles.map((r) => r.ts)).toEqual([T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000]);
    expect(new Set(cycles.map((r) => r.seq)).size).toBe(4);
    expect(sent).toHaveLength(0);
    expect(pipeline.counters().gapsMissing).toBe(0);
  });

  it('a counter decrease is a reset, counted and shown, never negative units; a huge jump is a gap, not invented units', () => {
    birth(100);
    handle(topic('DDATA', 'Press'), ddata(2, T0 + 1000, [count(103)]));
    handle(topic('DDATA', 'Press'), ddata(3, T0 + 5000, [count(2)]));
    const cycles = rows().filter((r) => r.kind === 'cycle');
    // 3 units, then the reset: from zero, 2 more.
    expect(cycles).toHaveLength(5);
    expect(sourceOf('Plant1/GW1/Press')).toMatchObject({ counterResets: 1, counter: 2 });
    expect(status().counts.counterResets).toBe(1);
    // maxUnitsPerSample is 100 here: 5 000 more in one sample is a jump.
    handle(topic('DDATA', 'Press'), ddata(4, T0 + 6000, [count(5002)]));
    handle(topic('DDATA', 'Press'), ddata(5, T0 + 7000, [count(5003)]));
    expect(rows().filter((r) => r.kind === 'cycle')).toHaveLength(6);
    expect(sourceOf('Plant1/GW1/Press')).toMatchObject({ counterJumps: 1, jumpUnits: 5000 });
    expect(pipeline.counters().gapsMissing).toBe(5000);
  });

  it('NDEATH with the birth bdSeq marks the node and its devices offline; an older bdSeq is ignored; a rebirth continues the counter', () => {
    birth();
    handle(topic('NDEATH'), enc(undefined, T0 + 500, [{ name: 'bdSeq', type: 'Int64', value: 2 }]));
    expect(status().nodes[0]).toMatchObject({ online: true });
    expect(status().counts.staleDeaths).toBe(1);
    handle(topic('NDEATH'), enc(undefined, T0 + 600, [{ name: 'bdSeq', type: 'Int64', value: 3 }]));
    expect(status().nodes[0]).toMatchObject({ online: false, deathAt: T0 + 600, bdSeq: 3 });
    expect(status().nodes[0].devices[0]).toMatchObject({ device: 'Press', online: false });
    expect(sourceOf('Plant1/GW1/Press').online).toBe(false);
    // Born again (new bdSeq, seq 0): the counter went on meanwhile.
    handle(topic('NBIRTH'), nbirth(0, T0 + 10_000, 4));
    handle(topic('DBIRTH', 'Press'), dbirth(1, T0 + 10_000, 15));
    expect(status().nodes[0]).toMatchObject({ online: true, bdSeq: 4, birthAt: T0 + 10_000 });
    expect(rows().filter((r) => r.kind === 'cycle')).toHaveLength(5);
    expect(pipeline.counters().gapsMissing).toBe(0);
  });

  it('refuses what it cannot read, with the reason: bytes that are no Sparkplug payload, a wrong value type, a bad topic', () => {
    expect(handle(topic('DDATA', 'Press'), Buffer.from([0xff, 0xff, 0xff, 0x01]))).toBe('quarantined');
    expect(quarantined()[0]).toMatch(/could not be decoded/);
    expect(store.reads.quarantineItems(1)[0].payload).toMatch(/^hex:/);
    birth();
    expect(handle(topic('DDATA', 'Press'), ddata(2, T0 + 1000, [{ alias: 10, type: 'String', value: 'many' }]))).toBe('quarantined');
    expect(quarantined()[0]).toMatch(/Production\/PartCount: a counter must be a whole number/);
    expect(handle('spBv1.0/Plant1/DDATA/GW1', ddata(3, T0 + 1000, [count(11)]))).toBe('quarantined');
    expect(handle(topic('DDATA', 'Press'), ddata(4, NOW + 3_600_000, [count(11)]))).toBe('quarantined');
    expect(quarantined()[0]).toMatch(/future/);
    expect(status().counts.decodeErrors).toBe(1);
    // None of it moved the counter.
    expect(sourceOf('Plant1/GW1/Press').counter).toBe(10);
  });

  it('a batch whose commit fails is derived again, to the same identities, when it is retried', () => {
    birth();
    const msgs = [2, 3, 4].map((i) => ({ topic: topic('DDATA', 'Press'), payload: ddata(i, T0 + i * 1000, [count(10 + i)]), receivedAt: NOW }));
    const real = store.writer.commitEvent.bind(store.writer);
    let calls = 0;
    store.writer.commitEvent = (e, at) => {
      if (++calls === 3) throw Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' });
      return real(e, at);
    };
    expect(() => pipeline.handleBatch(msgs)).toThrow(/disk full/);
    store.writer.commitEvent = real;
    expect(pipeline.handleBatch(msgs)).toEqual(['stored', 'stored', 'stored']);
    const cycles = rows().filter((r) => r.kind === 'cycle');
    // 10 → 12 → 13 → 14: four units, seq 1–4 after the birth's state (0), as if the failure never happened.
    expect(cycles.map((r) => [r.seq, r.ts])).toEqual([[1, T0 + 1000], [2, T0 + 2000], [3, T0 + 3000], [4, T0 + 4000]]);
    expect(pipeline.counters()).toMatchObject({ stored: 5, duplicates: 0, gapsMissing: 0 });
    expect(status().counts.messages).toBe(5);
  });

  it('as primary host: a will with the STATE death and a retained STATE birth with the same timestamp', () => {
    store.close();
    open(testConfig({ primaryHostId: 'taktboard-1' }));
    const will = pipeline.inputs.will(NOW)!;
    expect(will).toMatchObject({ topic: 'spBv1.0/STATE/taktboard-1', qos: 1, retain: true });
    expect(JSON.parse(will.payload.toString())).toEqual({ online: false, timestamp: NOW });
    const published: { topic: string; payload: Buffer; qos: number; retain: boolean }[] = [];
    pipeline.inputs.online({ publish: (t, p, o) => published.push({ topic: t, payload: p, ...o }) });
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ topic: 'spBv1.0/STATE/taktboard-1', qos: 1, retain: true });
    expect(JSON.parse(published[0].payload.toString())).toEqual({ online: true, timestamp: NOW });
    expect(pipeline.inputs.filters()).toEqual(['spBv1.0/Plant1/#', 'spBv1.0/STATE/taktboard-1']);
    // Declared offline by someone while we are connected: we say online again.
    handle('spBv1.0/STATE/taktboard-1', Buffer.from(JSON.stringify({ online: false, timestamp: NOW })));
    expect(published).toHaveLength(2);
    expect(status().primaryHost).toMatchObject({ hostId: 'taktboard-1', online: true });
  });
});

describe('inputs configuration', () => {
  it('refuses a wrong mapping with a message that names the field', () => {
    const bad = (inputs: unknown) => {
      try {
        configOrThrow({ site: 'cq', lines: [{ id: 'l1', name: 'L', targetTaktS: 1, outputStation: 'a', stations: ['a'] }], shifts: [{ name: 'A', start: '06:00', end: '18:00' }], inputs });
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(bad([{ id: 'x', kind: 'sparkplug', groups: ['G'], sources: [{ group: 'H', node: 'n', line: 'l1', station: 'a', signals: { partCounter: 'c' } }] }])).toMatch(/inputs\[0\]\.sources\[0\]\.group: "H" is not one of this input's groups/);
    expect(bad([{ id: 'x', kind: 'sparkplug', groups: ['G'], sources: [{ group: 'G', node: 'n', line: 'l1', station: 'a', signals: {} }] }])).toMatch(/inputs\[0\]\.sources\[0\]\.signals\.partCounter/);
    expect(bad([{ id: 'x', kind: 'sparkplug', groups: ['G'], sources: [{ group: 'G', node: 'n', line: 'l1', station: 'a', signals: { partCounter: 'c', stateValues: { '1': 'runing' } } }] }])).toMatch(/inputs\[0\]\.sources\[0\]\.signals\.stateValues\.1: "runing" is not a state/);
    expect(bad([{ id: 'x', kind: 'tags', topic: 'a/{node}/{node}', format: 'flat', sources: [{ line: 'l1', station: 'a', signals: { partCounter: 'c' } }] }])).toMatch(/inputs\[0\]\.topic/);
    expect(bad([{ id: 'x', kind: 'modbus' }])).toMatch(/inputs\[0\]\.kind/);
    expect(bad([])).toBe('');
  });
});
