// The input adapters' quarantine reasons (issue 12: Sparkplug B, EMQX Neuron / flat tag JSON) are words like
// the native path's: each stored row carries words whose English is its reason byte for byte, found again
// from that English (rows without words, quarantineByReason's counts), and said in Simplified Chinese with no
// English template left in it. Payloads are built with the reference encoder (Eclipse Tahu's sparkplug-payload).
import path from 'node:path';
import sparkplugPayload from 'sparkplug-payload';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configOrThrow } from '../../shared/config.ts';
import { ENGLISH, WORD_KEYS, english, reasonWords, type Words } from '../../shared/words.ts';
import { translateWords } from '../../renderer/src/i18n.ts';
import { createPipeline, type Pipeline } from '../../main/core/ingest/pipeline.ts';
import { Store, reasonKey } from '../../main/core/store/store.ts';
import { useTempDirs } from '../helpers/tmp.ts';

const spb = sparkplugPayload.get('spBv1.0')!;
const tempDir = useTempDirs();
const NOW = Date.UTC(2026, 11, 1, 8, 0, 0);
const T0 = NOW - 60_000;

const config = configOrThrow({
  site: 'cq',
  lines: [{ id: 'l1', name: 'Line 1', targetTaktS: 1, outputStation: 'press', stations: ['press', 'pack', 'fill'] }],
  shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
  inputs: [
    {
      id: 'plant',
      kind: 'sparkplug',
      groups: ['Plant1'],
      primaryHostId: 'taktboard',
      sources: [{ group: 'Plant1', node: 'GW1', device: 'Press', line: 'l1', station: 'press', signals: { partCounter: 'Production/PartCount' } }],
    },
    {
      id: 'neuron',
      kind: 'tags',
      topic: 'neuron/{node}',
      format: 'neuron',
      seqTag: 'heartbeat',
      sources: [{ node: 'plc-1', group: 'pack', line: 'l1', station: 'pack', signals: { partCounter: 'good', state: 'mode', stateValues: { '1': 'running' }, reason: 'alarm' } }],
    },
    {
      id: 'flat',
      kind: 'tags',
      topic: 'plc/{node}/{group}/values',
      format: 'flat',
      timestampField: 'ts',
      sources: [{ line: 'l1', station: 'fill', signals: { partCounter: 'Counter', cycleTime: 'CT' } }],
    },
  ],
});

let store: Store;
let pipeline: Pipeline;

beforeEach(() => {
  store = Store.open(path.join(tempDir('inputs-words'), 'db.sqlite'), { synchronous: 'NORMAL', quarantineRows: 10_000 });
  pipeline = createPipeline({ config, store, now: () => NOW });
  pipeline.inputs.online({ publish: () => {} });
});
afterEach(() => store.close());

type M = { name?: string; alias?: number; type: string; value: unknown; timestamp?: number };
const enc = (seq: number | undefined, ts: number, metrics: M[]) => Buffer.from(spb.encodePayload({ timestamp: ts, ...(seq === undefined ? {} : { seq }), metrics } as never));
const spTopic = (type: string, node = 'GW1', device?: string) => `spBv1.0/Plant1/${type}/${node}${device ? '/' + device : ''}`;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const neuron = (o: Record<string, unknown>) => json({ timestamp: T0, node: 'plc-1', group: 'pack', ...o });

/** The last row quarantined: its English reason and its words as stored. */
function lastRow(): { reason: string; words: Words } {
  const row = store.db.prepare('SELECT reason, words FROM quarantine ORDER BY id DESC LIMIT 1').get() as { reason: string; words: string | null };
  expect(row.words, row.reason).not.toBeNull();
  return { reason: row.reason, words: JSON.parse(row.words!) as Words };
}

function refuse(topic: string, payload: Buffer): { reason: string; words: Words } {
  expect(pipeline.handle(topic, payload, NOW), topic).toBe('quarantined');
  return lastRow();
}

/** Every key the words use, nested ones too. */
function keysOf(w: unknown): string[] {
  if (typeof w !== 'object' || w === null) return [];
  const { key, params } = w as { key: string; params?: Record<string, unknown> };
  return [key, ...Object.values(params ?? {}).flatMap(keysOf)];
}

/** English sentences of the catalogue, as their fixed text between placeholders (a few words or more). */
const ENGLISH_FRAGMENTS = [
  ...new Set(
    WORD_KEYS.flatMap((k) => ENGLISH[k].split(/\{\w+\}/))
      .map((f) => f.trim())
      .filter((f) => /[a-z]{2,}\s+[a-z]{2,}/i.test(f)),
  ),
];

/** The zh-CN rendering: Chinese, and not one English template's sentence in it. */
function expectChinese(w: Words): string {
  const zh = translateWords('zh-CN', w);
  expect(zh, english(w)).toMatch(/[\u4e00-\u9fff]/);
  expect(zh).not.toBe(english(w));
  expect(ENGLISH_FRAGMENTS.filter((f) => zh.includes(f)), zh).toEqual([]);
  return zh;
}

/** Numbers are sent as numbers and found again from the English as the same digits: compare as text. */
const asText = (w: unknown): unknown => JSON.parse(JSON.stringify(w, (_k, v: unknown) => (typeof v === 'number' ? String(v) : v)));

describe("the input adapters' quarantine reasons are words", () => {
  it('a Sparkplug payload too large: quarantine.spb_too_large, said in Chinese', () => {
    const { reason, words } = refuse(spTopic('DDATA', 'GW1', 'Press'), Buffer.alloc(300 * 1024, 0x20));
    expect(reason).toBe('Sparkplug payload too large (307200 bytes; inputs "plant" maxPayloadBytes 262144)');
    expect(words).toEqual({ key: 'quarantine.spb_too_large', params: { bytes: 307200, input: 'plant', max: 262144 } });
    expect(english(words)).toBe(reason);
    expect(expectChinese(words)).toBe('Sparkplug 消息内容过大（307200 字节；输入“plant”的 maxPayloadBytes 为 262144）');
    // Counted with its values left out, under the '.any' form.
    expect(store.reads.quarantineCounts()).toEqual([{ reason: 'Sparkplug payload too large', count: 1 }]);
    expect(reasonWords('Sparkplug payload too large')).toEqual({ key: 'quarantine.spb_too_large.any' });
  });

  it('a tag payload with a bad timestamp: quarantine.field with a problem.ts_* problem, said in Chinese', () => {
    const future = refuse('neuron/plc-1', neuron({ timestamp: NOW + 86_400_000, values: { good: 1 } }));
    expect(future.reason).toBe(`timestamp: timestamp more than 5 minutes in the future (${new Date(NOW + 86_400_000).toISOString()})`);
    expect(future.words).toEqual({ key: 'quarantine.field', params: { field: 'timestamp', problem: { key: 'problem.ts_future', params: { time: new Date(NOW + 86_400_000).toISOString() } } } });
    expect(expectChinese(future.words)).toBe(`字段 timestamp：时间戳比本机时间超前 5 分钟以上（${new Date(NOW + 86_400_000).toISOString()}）`);

    const text = refuse('neuron/plc-1', neuron({ timestamp: 'yesterday', values: { good: 1 } }));
    expect(text.reason).toBe('timestamp: must be epoch milliseconds or an RFC 3339 string with offset');
    expect(text.words).toEqual({ key: 'quarantine.field', params: { field: 'timestamp', problem: { key: 'problem.ts_epoch_or_text' } } });
    expectChinese(text.words);

    const seconds = refuse('plc/m1/g1/values', json({ ts: Math.floor(NOW / 1000), Counter: 1 }));
    expect(seconds.reason).toBe('ts: timestamp older than the raw-data retention (seconds instead of milliseconds?)');
    expect(seconds.words).toMatchObject({ key: 'quarantine.field', params: { field: 'ts', problem: { key: 'problem.ts_too_old_seconds' } } });
    expectChinese(seconds.words);
  });

  it('every refusal of both adapters: stored English and words agree, found again from the English and as counted, all in Chinese', () => {
    const sp = (type: string, payload: Buffer, device?: string, node = 'GW1') => refuse(spTopic(type, node, device), payload);
    const got: { reason: string; words: Words }[] = [];
    // Sparkplug: data by an alias before any birth (a rebirth is asked), then born.
    got.push(sp('DDATA', enc(5, T0, [{ alias: 10, type: 'UInt64', value: 5 }]), 'Press', 'GW2'));
    got.push(sp('DDATA', Buffer.alloc(300 * 1024)));
    got.push(refuse('spBv1.0/Plant1/NFOO/GW1', enc(0, T0, [])));
    got.push(refuse('spBv1.0/Plant1/DDATA/GW1', enc(0, T0, [])));
    got.push(sp('DDATA', Buffer.from([0xff, 0xff, 0xff, 0x01]), 'Press'));
    got.push(refuse('spBv1.0/STATE/taktboard', Buffer.from('online, I think')));
    expect(pipeline.handle(spTopic('NBIRTH'), enc(0, T0, [{ name: 'bdSeq', type: 'Int64', value: 1 }]), NOW)).toBe('stored');
    expect(pipeline.handle(spTopic('DBIRTH', 'GW1', 'Press'), enc(1, T0, [{ name: 'Production/PartCount', alias: 10, type: 'UInt64', value: 10 }]), NOW)).toBe('stored');
    got.push(sp('DDATA', enc(2, T0 + 1000, [{ alias: 10, type: 'String', value: 'many' }]), 'Press'));
    got.push(sp('DDATA', enc(3, NOW + 3_600_000, [{ alias: 10, type: 'UInt64', value: 11 }]), 'Press'));
    // Tags, Neuron and flat.
    got.push(refuse('neuron/plc-1', Buffer.alloc(70 * 1024, 0x20)));
    got.push(refuse('neuron/plc-1', Buffer.from('{"timestamp": 1,')));
    got.push(refuse('plc/m1/g1/values', Buffer.from([0xc3, 0x28])));
    got.push(refuse('plc/m1/g1/values', json([1, 2])));
    got.push(refuse('neuron/plc-1', json({ node: 'plc-1', values: {} })));
    got.push(refuse('neuron/plc-1', neuron({ timestamp: true, values: {} })));
    got.push(refuse('neuron/plc-1', neuron({ timestamp: -5, values: {} })));
    got.push(refuse('neuron/plc-1', neuron({ timestamp: NOW - 40 * 86_400_000, values: {} })));
    got.push(refuse('neuron/plc-1', neuron({ values: 3 })));
    got.push(refuse('neuron/plc-1', neuron({ values: {}, errors: 'none' })));
    got.push(refuse('neuron/plc-1', neuron({ values: { heartbeat: -1 } })));
    got.push(refuse('neuron/plc-1', neuron({ values: { good: { n: 1 } } })));
    got.push(refuse('neuron/plc-1', neuron({ values: { good: [1] } })));
    got.push(refuse('neuron/plc-1', neuron({ values: { mode: {} } })));
    got.push(refuse('neuron/plc-1', neuron({ values: { alarm: [] } })));
    got.push(refuse('plc/m1/g1/values', json({ ts: T0, Counter: 1, CT: -1 })));

    const keys = new Set(got.flatMap((g) => keysOf(g.words)));
    // The native path's keys where the text is the same; the adapters' own everywhere else.
    for (const k of ['quarantine.invalid_json', 'quarantine.not_utf8', 'quarantine.not_object', 'quarantine.field']) expect(keys).toContain(k);
    const own = [...keys].filter((k) => /^quarantine\.(spb|tags)_|^problem\.(missing|not_number|ts_|tag_|seq_tag|counter|state_value|reason_value|cycle_time)|^value\./.test(k));
    expect(own.sort()).toEqual(
      [
        'quarantine.spb_too_large',
        'quarantine.spb_unknown_type',
        'quarantine.spb_topic_levels',
        'quarantine.spb_undecodable',
        'quarantine.spb_unknown_alias',
        'quarantine.spb_metric',
        'quarantine.spb_values',
        'quarantine.spb_state_not_json',
        'quarantine.tags_too_large',
        'quarantine.tags_values',
        'problem.missing',
        'problem.ts_epoch_or_text',
        'problem.ts_not_epoch_ms',
        'problem.ts_future',
        'problem.ts_too_old',
        'problem.tag_values',
        'problem.tag_errors',
        'problem.seq_tag',
        'problem.counter',
        'problem.state_value',
        'problem.reason_value',
        'problem.cycle_time',
        'value.array',
        'value.object',
      ].sort(),
    );

    for (const { reason, words } of got) {
      expect(english(words)).toBe(reason);
      expect(JSON.stringify(words), reason).not.toContain('"key":"text"');
      expect(keysOf(words).every((k) => k in ENGLISH), reason).toBe(true);
      expectChinese(words);
      // A row without words (an older build's) reads as the same words.
      expect(asText(reasonWords(reason)), reason).toEqual(asText(words));
    }
    // What the screens read: the rows with their words.
    const items = store.reads.quarantineItems(100);
    expect(items).toHaveLength(got.length);
    for (const item of items) expect(item.words).not.toBeNull();

    // As counted (quarantineByReason): every count is words again, in Chinese, '.any' where values were left out.
    const counts = store.reads.quarantineCounts();
    for (const { reason } of counts) {
      const found = reasonWords(reason);
      expect(found, reason).not.toBeNull();
      expect(english(found!)).toBe(reason);
      expect(JSON.stringify(found), reason).not.toContain('"key":"text"');
      expectChinese(found!);
    }
    const counted = new Map(counts.map((c) => [c.reason, reasonWords(c.reason)]));
    expect(counted.get('Sparkplug payload too large')).toEqual({ key: 'quarantine.spb_too_large.any' });
    expect(counted.get('tag payload too large')).toEqual({ key: 'quarantine.tags_too_large.any' });
    expect(counted.get('Sparkplug topic with an unknown message type')).toEqual({ key: 'quarantine.spb_unknown_type.any' });
    expect(counted.get('Sparkplug DDATA topic must be spBv1.0/group/DDATA/edge_node/device')).toEqual({
      key: 'quarantine.spb_topic_levels.any',
      params: { type: 'DDATA', pattern: 'spBv1.0/group/DDATA/edge_node/device' },
    });
    expect(counted.get('Sparkplug payload could not be decoded')).toEqual({ key: 'quarantine.spb_undecodable.any' });
    expect(counted.get('Sparkplug DDATA uses an alias no birth defined: rebirth requested')).toEqual({ key: 'quarantine.spb_unknown_alias.any', params: { type: 'DDATA' } });
    expect(counted.get('Sparkplug metric "…": timestamp more than 5 minutes in the future')).toEqual({
      key: 'quarantine.spb_metric',
      params: { name: '…', problem: { key: 'problem.ts_future.any' } },
    });
    expect(counted.get('timestamp: timestamp older than the raw-data retention')).toMatchObject({ params: { field: 'timestamp', problem: { key: 'problem.ts_too_old' } } });
  });

  it('too many Sparkplug edge nodes: quarantine.spb_too_many_nodes, counted as its .any form', () => {
    const death = enc(undefined, T0, [{ name: 'bdSeq', type: 'Int64', value: 0 }]);
    const outcomes = pipeline.handleBatch(Array.from({ length: 2000 }, (_, i) => ({ topic: spTopic('NDEATH', `N${i}`), payload: death, receivedAt: NOW })));
    expect(outcomes.every((o) => o === 'stored')).toBe(true);
    const { reason, words } = refuse(spTopic('NDEATH', 'one-too-many'), death);
    expect(reason).toBe('too many Sparkplug edge nodes (2000 kept; "Plant1/one-too-many" refused)');
    expect(words).toEqual({ key: 'quarantine.spb_too_many_nodes', params: { max: 2000, node: 'Plant1/one-too-many' } });
    expectChinese(words);
    expect(asText(reasonWords(reason))).toEqual(asText(words));
    expect(reasonWords(reasonKey(reason))).toEqual({ key: 'quarantine.spb_too_many_nodes.any' });
  });
});
