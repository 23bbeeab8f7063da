// Tag JSON input (issue 12): EMQX Neuron's upload format and flat {tag: value} objects, through the pipeline
// and a real SQLite file.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configOrThrow } from '../../shared/config.ts';
import { createPipeline, type Pipeline } from '../../main/core/ingest/pipeline.ts';
import { Store } from '../../main/core/store/store.ts';
import { useTempDirs } from '../helpers/tmp.ts';

const tempDir = useTempDirs();
const NOW = Date.UTC(2026, 11, 1, 8, 0, 0);
const T0 = NOW - 60_000;

const config = configOrThrow({
  site: 'cq',
  lines: [{ id: 'l1', name: 'Line 1', targetTaktS: 1, outputStation: 'pack', stations: ['fill', 'pack'] }],
  shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
  inputs: [
    {
      id: 'neuron',
      kind: 'tags',
      topic: 'neuron/{node}',
      format: 'neuron',
      seqTag: 'heartbeat',
      sources: [
        {
          node: 'plc-1',
          group: 'pack',
          line: 'l1',
          station: 'pack',
          signals: { partCounter: 'good', partCounterCounts: 'good', rejectCounter: 'bad', state: 'mode', stateValues: { '0': 'idle', '1': 'running', '3': 'down' }, reason: 'alarm', reasonValues: { '17': 'door open' } },
        },
      ],
    },
    {
      id: 'flat',
      kind: 'tags',
      topic: 'plc/{node}/{group}/values',
      format: 'flat',
      timestampField: 'ts',
      timestampUnit: 's',
      sources: [{ line: 'l1', station: 'fill', signals: { partCounter: 'Counter', state: 'State' } }],
    },
  ],
});

let store: Store;
let pipeline: Pipeline;

beforeEach(() => {
  store = Store.open(path.join(tempDir('inputs-tags'), 'db.sqlite'), { synchronous: 'NORMAL', quarantineRows: 100 });
  pipeline = createPipeline({ config, store, now: () => NOW });
});
afterEach(() => store.close());

const neuron = (ts: number, values: Record<string, unknown>, errors?: Record<string, unknown>) => Buffer.from(JSON.stringify({ timestamp: ts, node: 'plc-1', group: 'pack', values, ...(errors ? { errors } : {}) }));
const rows = (station: string) => store.db.prepare("SELECT kind, ts, seq, ok, state, reason FROM events WHERE line = 'l1' AND station = ? ORDER BY seq").all(station) as { kind: string; ts: number; seq: number; ok: number | null; state: string | null; reason: string | null }[];
const input = (id: string) => pipeline.inputs.status().inputs.find((i) => i.id === id)!;

describe('tag JSON input', () => {
  it('Neuron values become units and states; good and bad counters are units of their own; per-tag errors are counted and shown', () => {
    expect(pipeline.handle('neuron/plc-1', neuron(T0, { good: 100, bad: 5, mode: 1, heartbeat: 1 }), NOW)).toBe('stored');
    expect(pipeline.handle('neuron/plc-1', neuron(T0 + 4000, { good: 103, bad: 6, mode: 3, alarm: 17, heartbeat: 2 }, { temperature: 2014 }), NOW)).toBe('stored');
    const r = rows('pack');
    expect(r.filter((x) => x.kind === 'cycle').map((x) => [x.ts, x.ok])).toEqual([
      [T0 + 1333, 1],
      [T0 + 2667, 1],
      [T0 + 4000, 0],
      [T0 + 4000, 1],
    ]);
    expect(r.at(-1)).toMatchObject({ kind: 'state', state: 'down', reason: 'door open', ts: T0 + 4000 });
    const status = input('neuron');
    expect(status.counts).toMatchObject({ messages: 2, tagErrors: 1, events: 6 });
    const src = status.sources.find((s) => s.source === 'plc-1/pack')!;
    expect(src.tagErrors).toEqual([{ tag: 'temperature', code: '2014', count: 1, lastAt: NOW }]);
    expect(src).toMatchObject({ line: 'l1', station: 'pack', counter: 103, rejects: 6, state: 'down' });
    expect(src.signals.find((s) => s.name === 'good')).toMatchObject({ roles: ['partCounter'], seen: true });
  });

  it('a redelivered sample is a duplicate; a jump of the sequence tag is a gap; a sample of an unmapped source is shown, not stored', () => {
    const first = neuron(T0, { good: 1, heartbeat: 10 });
    pipeline.handle('neuron/plc-1', first, NOW);
    pipeline.handle('neuron/plc-1', neuron(T0 + 1000, { good: 2, heartbeat: 11 }), NOW);
    expect(pipeline.handle('neuron/plc-1', neuron(T0 + 1000, { good: 2, heartbeat: 11 }), NOW)).toBe('duplicate');
    expect(pipeline.handle('neuron/plc-1', first, NOW)).toBe('duplicate');
    pipeline.handle('neuron/plc-1', neuron(T0 + 5000, { good: 6, heartbeat: 15 }), NOW);
    expect(rows('pack').filter((x) => x.kind === 'cycle')).toHaveLength(5);
    expect(pipeline.counters().gapsMissing).toBe(3);
    expect(input('neuron').counts).toMatchObject({ seqGaps: 1, seqMissing: 3, duplicates: 2 });
    pipeline.handle('neuron/plc-2', Buffer.from(JSON.stringify({ timestamp: T0, node: 'plc-2', group: 'press', values: { count: 4 } })), NOW);
    expect(input('neuron').sources.find((s) => s.source === 'plc-2/press')).toMatchObject({
      node: 'plc-2',
      group: 'press',
      device: null,
      line: null,
      station: null,
      signals: [{ name: 'count', roles: null, seen: true }],
    });
  });

  it('flat objects with a seconds timestamp; node and group from the topic', () => {
    const flat = (ts: number, v: Record<string, unknown>) => Buffer.from(JSON.stringify({ ts, ...v }));
    pipeline.handle('plc/m1/g1/values', flat(T0 / 1000, { Counter: 7, State: 'running' }), NOW);
    pipeline.handle('plc/m1/g1/values', flat(T0 / 1000 + 2, { Counter: 9, State: 'idle' }), NOW);
    expect(rows('fill').map((x) => [x.kind, x.ts, x.state])).toEqual([
      ['state', T0, 'running'],
      ['cycle', T0 + 1000, null],
      ['cycle', T0 + 2000, null],
      ['state', T0 + 2000, 'idle'],
    ]);
    expect(input('flat').sources[0]).toMatchObject({ source: 'm1/g1', line: 'l1', station: 'fill' });
  });

  it('bad input is quarantined with a reason that names it', () => {
    const refuse = (t: string, payload: Buffer | string) => {
      expect(pipeline.handle(t, Buffer.from(payload), NOW)).toBe('quarantined');
      return store.reads.quarantineItems(1)[0].reason;
    };
    expect(refuse('neuron/plc-1', '{"timestamp": 1,')).toBe('invalid JSON');
    expect(refuse('neuron/plc-1', JSON.stringify({ node: 'plc-1', group: 'pack', values: {} }))).toBe('timestamp: missing');
    expect(refuse('neuron/plc-1', JSON.stringify({ timestamp: T0, node: 'plc-1', group: 'pack', values: 3 }))).toMatch(/^values: must be an object/);
    expect(refuse('neuron/plc-1', neuron(T0, { good: -1 }))).toMatch(/good: a counter must be a whole number ≥ 0, got -1/);
    expect(refuse('neuron/plc-1', neuron(NOW + 86_400_000, { good: 1 }))).toMatch(/timestamp: timestamp more than 5 minutes in the future/);
    expect(refuse('plc/m1/g1/values', Buffer.from([0xc3, 0x28]))).toBe('not valid UTF-8');
    expect(rows('pack')).toHaveLength(0);
  });
});
