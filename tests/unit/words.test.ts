// The message catalogue (shared/words.ts): every key has English and Chinese with the same placeholders, and
// every message the core makes is words whose English is exactly the text sent beside them — above all the
// quarantine reasons, which are public (CONTRACT §1.4): the pipeline is driven with the bad input of
// pipeline.test.ts and each stored reason is checked against its words, as stored and as counted.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseArgs } from '../../shared/api-schemas.ts';
import { configOrThrow, type Config } from '../../shared/config.ts';
import { ENGLISH, WORD_KEYS, english, isWordKey, matchWords, placeholdersOf, problemWords, reasonWords, words, type WordKey, type WordParam, type Words } from '../../shared/words.ts';
import { wordTemplates } from '../../renderer/src/i18n.ts';
import { createPipeline, MAX_UNCONFIGURED_LINES, MAX_UNCONFIGURED_STATIONS, type Pipeline } from '../../main/core/ingest/pipeline.ts';
import { describeConnectionError, describeDisconnect, describeSubscribeRefusal, storageAlert } from '../../main/core/ingest/words.ts';
import { Store, reasonKey } from '../../main/core/store/store.ts';
import { useTempDirs } from '../helpers/tmp.ts';

describe('the catalogue', () => {
  const zh = wordTemplates['zh-CN'];

  it('has an English and a zh-CN template for every key, with the same placeholders, none blank', () => {
    expect(Object.keys(zh).sort()).toEqual([...WORD_KEYS].sort());
    for (const key of WORD_KEYS) {
      expect(ENGLISH[key].trim(), key).not.toBe('');
      expect(zh[key].trim(), key).not.toBe('');
      expect(placeholdersOf(zh[key]), key).toEqual(placeholdersOf(ENGLISH[key]));
    }
  });

  it('really translates: every template with words of its own is Chinese', () => {
    // Only pure compositions of other words have no Chinese of their own: a list, a request's name before its reason, plain text.
    expect(WORD_KEYS.filter((k) => !/[\u4e00-\u9fff]/.test(zh[k])).sort()).toEqual(['join', 'refusal.request', 'text']);
  });

  it('renders nested words and lists, and leaves a missing parameter visible', () => {
    const w: Words = { key: 'join', params: { first: { key: 'quarantine.field', params: { field: 'ts', problem: { key: 'problem.ts_type' } } }, rest: { key: 'quarantine.invalid_json' } } };
    expect(english(w)).toBe('ts: must be integer epoch milliseconds or an RFC 3339 string with offset; invalid JSON');
    expect(english({ key: 'broker.unreachable' })).toBe('broker unreachable ({detail})');
    expect(english({ key: 'refusal.http', params: { status: 503 } })).toBe('HTTP 503');
  });

  it('matches English back to words only when the words give the same English', () => {
    expect(matchWords('payload too large (52428800 bytes)', ['quarantine.too_large'])).toEqual({ key: 'quarantine.too_large', params: { bytes: '52428800' } });
    expect(matchWords('payload too large', ['quarantine.too_large'])).toBeNull();
    expect(problemWords('Invalid input: expected number, received string')).toEqual({ key: 'problem.expected_type', params: { expected: 'number', received: 'string' } });
    expect(problemWords('Something zod says one day')).toEqual({ key: 'text', params: { text: 'Something zod says one day' } });
    expect(reasonWords('nonsense: that no template has; more: also')).toMatchObject({ key: 'join' });
    expect(reasonWords('nonsense: that no template has; and more')).toBeNull();
    expect(reasonWords('nothing like a reason')).toBeNull();
  });

  /** Words of a quarantine reason with a value for each placeholder; nested words where a reason nests them. */
  const sample = (key: WordKey, value: (name: string) => string): Words => {
    const names = placeholdersOf(ENGLISH[key]);
    const params: Record<string, WordParam> = {};
    for (const name of names) {
      if (name === 'problem') params[name] = { key: 'problem.ts_future', params: { time: '2026-12-01T09:00:00.000Z' } };
      else if (name === 'reason') params[name] = { key: 'quarantine.field', params: { field: 'good', problem: { key: 'problem.counter', params: { got: { key: 'value.object' } } } } };
      else params[name] = value(name);
    }
    return words(key, names.length ? params : undefined);
  };
  const QUARANTINE_KEYS = WORD_KEYS.filter((k) => k.startsWith('quarantine.'));

  it('finds the very words of every quarantine reason again from its English (a row stored without words)', () => {
    for (const key of QUARANTINE_KEYS) {
      const w = sample(key, (name) => `v-${name}`);
      expect(reasonWords(english(w)), key).toEqual(w);
    }
  });

  it('...also when a value carries parentheses, colons, semicolons, quotes or braces (an error text, a name)', () => {
    const details = [
      'SqliteError: CHECK constraint failed: (ts > 0)',
      'NOT NULL constraint failed: events.kind',
      'a; b: c',
      '(x)',
      ')(',
      '"quoted" {detail} $1 $&',
      '',
    ];
    for (const detail of details) {
      const w = words('quarantine.not_stored', { detail });
      expect(english(w)).toBe(`could not be stored (${detail})`);
      expect(reasonWords(english(w)), detail).toEqual(w);
    }
    expect(reasonWords('could not be stored (SqliteError: CHECK constraint failed: (ts > 0))')).toEqual({
      key: 'quarantine.not_stored',
      params: { detail: 'SqliteError: CHECK constraint failed: (ts > 0)' },
    });
    // Any reason with a single value, that value as awkward as above.
    for (const key of QUARANTINE_KEYS.filter((k) => placeholdersOf(ENGLISH[k]).length === 1 && !/\{(problem|reason)\}/.test(ENGLISH[k]))) {
      for (const detail of details) {
        const w = sample(key, () => detail);
        expect(reasonWords(english(w)), `${key}: ${detail}`).toEqual(w);
      }
    }
  });

  it('finds words for every quarantine reason as counted (its values left out): the .any form where there is one', () => {
    for (const key of QUARANTINE_KEYS.filter((k) => !k.endsWith('.any'))) {
      const counted = reasonKey(english(sample(key, (name) => `v-${name}`)));
      const found = reasonWords(counted);
      expect(found, `${key}: ${counted}`).not.toBeNull();
      expect(english(found!)).toBe(counted);
      expect(JSON.stringify(found), counted).not.toContain('"key":"text"');
      if (isWordKey(`${key}.any`)) expect(found!.key, counted).toBe(`${key}.any`);
    }
  });
});

describe('every quarantine reason the pipeline makes is words with the same English', () => {
  const tempDir = useTempDirs();
  const NOW = Date.UTC(2026, 11, 1, 8, 0, 0);
  const TOPIC = 'factory/cq/l1/out/cycle';
  const STATE_TOPIC = 'factory/cq/l1/out/state';
  let store: Store;
  let pipeline: Pipeline;

  const config = (): Config =>
    configOrThrow({
      site: 'cq',
      lines: [{ id: 'l1', name: 'Line 1', targetTaktS: 1, outputStation: 'out', stations: ['s1', 'out'] }],
      shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
      retention: { rawDays: 35, quarantineRows: 1000 },
    });

  beforeEach(() => {
    store = Store.open(path.join(tempDir('words'), 'db.sqlite'), { synchronous: 'NORMAL', quarantineRows: 1000 });
    pipeline = createPipeline({ config: config(), store, now: () => NOW });
  });
  afterEach(() => store.close());

  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const good = (seq: number, extra: Record<string, unknown> = {}) => json({ ts: NOW - 60_000 + seq, seq, cycle_ms: 950, ...extra });

  /** The bad input of pipeline.test.ts (RELIABILITY rows 20–27), and the bounds of unknown lines and stations. */
  function feedBadInput(): void {
    const bad: [Buffer | Uint8Array, string?][] = [
      [Buffer.from('{"seq":1,')],
      [Buffer.concat([randomBytes(200), Buffer.from([0xff])])],
      [Buffer.from([0xc3, 0x28])],
      [Buffer.alloc(50 * 1024 * 1024, 0x20)],
      [good(1, { cycle_ms: 'abc' })],
      [good(1, { seq: 1.5 })],
      [json({})],
      [json([1, 2])],
      [Buffer.from('null')],
      [json({ ts: null, seq: 1 })],
      [good(1, { cycle_ms: null })],
      [good(1, { result: null })],
      [json({ ts: NOW, seq: 1, state: null }), STATE_TOPIC],
      [json({ ts: NOW, seq: 1, state: 'asleep' }), STATE_TOPIC],
      [good(1, { cycle_ms: -5 })],
      [Buffer.from(`{"ts":${NOW},"seq":1,"cycle_ms":1e999}`)],
      [good(1, { cycle_ms: 86_400_000 })],
      [good(1, { seq: -1 })],
      [Buffer.from(`{"ts":${NOW},"seq":9007199254740992}`)],
      [good(1, { unit: 'x'.repeat(65) })],
      [good(1, { boot: '\ud800' })],
      [json({ ts: '2026-12-01 08:00', seq: 1 })],
      [json({ ts: NOW + 86_400_000, seq: 1 })],
      [json({ ts: Number.MAX_SAFE_INTEGER, seq: 1 })],
      [json({ ts: 0, seq: 1 })],
      [json({ ts: Math.floor(NOW / 1000), seq: 1 })],
      [json({ ts: NOW - 36 * 86_400_000, seq: 1 })],
      [good(1), 'factory/cq/l1/out/cycle/extra'],
      [good(1), 'factory/cq/l1/cycle'],
      [good(1), 'factory/cq/l 1/out/cycle'],
      [good(1), 'factory/cq/l1/-out/cycle'],
      [good(1), 'factory/cq/l1/o\u202eut/cycle'],
      [good(1), 'factory/other/l1/out/cycle'],
      [good(1), 'plant/cq/l1/out/cycle'],
      [good(1), 'factory/cq/l1/out/alarm'],
    ];
    for (const [payload, topic] of bad) expect(pipeline.handle(topic ?? TOPIC, payload, NOW), topic).toBe('quarantined');
    for (let i = 0; i < MAX_UNCONFIGURED_STATIONS; i++) pipeline.handle(`factory/cq/l1/ghost${i}/cycle`, good(1), NOW);
    expect(pipeline.handle('factory/cq/l1/one-too-many/cycle', good(1), NOW)).toBe('quarantined');
    for (let i = 0; i < MAX_UNCONFIGURED_LINES; i++) pipeline.handle(`factory/cq/line-${i}/st/cycle`, good(1), NOW);
    expect(pipeline.handle('factory/cq/line-x/st/cycle', good(1), NOW)).toBe('quarantined');
    pipeline.quarantinePoison({ topic: TOPIC, payload: good(2), receivedAt: NOW }, new Error('NOT NULL constraint failed: events.kind'));
  }

  it('as stored: the words in the row give back the reason byte for byte', () => {
    feedBadInput();
    const items = store.reads.quarantineItems(1000);
    expect(items.length).toBe(38);
    const raw = store.db.prepare('SELECT reason, words FROM quarantine').all() as { reason: string; words: string | null }[];
    for (const row of raw) {
      expect(row.words, row.reason).not.toBeNull();
      const words = JSON.parse(row.words!) as Words;
      expect(english(words)).toBe(row.reason);
      // ...and every key it uses, nested ones too, is in the catalogue (so the screens can translate it).
      expect(JSON.stringify(words).match(/"key":"[^"]+"/g)!.every((k) => k.slice(7, -1) in ENGLISH), row.words!).toBe(true);
    }
    // A sample of what CONTRACT §1.4 and pipeline.test.ts pin, with the key it was given.
    const byReason = new Map(items.map((i) => [i.reason, i.words]));
    expect(byReason.get('invalid JSON')).toEqual({ key: 'quarantine.invalid_json' });
    expect(byReason.get(`payload too large (${50 * 1024 * 1024} bytes)`)).toEqual({ key: 'quarantine.too_large', params: { bytes: 50 * 1024 * 1024 } });
    expect(byReason.get('cycle_ms: Invalid input: expected number, received string')).toEqual({
      key: 'quarantine.field',
      params: { field: 'cycle_ms', problem: { key: 'problem.expected_type', params: { expected: 'number', received: 'string' } } },
    });
    expect(byReason.get('ts: older than the raw-data retention (seconds instead of milliseconds?)')).toEqual({ key: 'quarantine.too_old_seconds' });
    expect(byReason.get(`too many unknown stations (${MAX_UNCONFIGURED_STATIONS} kept for line "l1"; "one-too-many" refused)`)).toMatchObject({ key: 'quarantine.too_many_stations' });
    expect(byReason.get('ts: more than 5 minutes in the future (9007199254740991)')).toMatchObject({ key: 'quarantine.future' });
    // No schema issue fell back to untranslatable text: each problem the schemas produce has a key.
    expect(raw.filter((r) => r.words!.includes('"key":"text"')).map((r) => r.reason)).toEqual([]);
  });

  it('as found again from the English (rows an older build stored) and as counted (quarantineByReason)', () => {
    feedBadInput();
    for (const { reason } of store.reads.quarantineItems(1000)) {
      const found = reasonWords(reason);
      expect(found, reason).not.toBeNull();
      expect(english(found!)).toBe(reason);
    }
    const counts = store.reads.quarantineCounts();
    expect(counts.length).toBeGreaterThan(20);
    for (const { reason } of counts) {
      const found = reasonWords(reason);
      expect(found, reason).not.toBeNull();
      expect(english(found!)).toBe(reason);
    }
    const count = (reason: string) => reasonWords(reason);
    expect(count('payload too large')).toEqual({ key: 'quarantine.too_large.any' });
    expect(count('ts: more than 5 minutes in the future')).toEqual({ key: 'quarantine.future.any' });
    expect(count('too many unknown lines')).toEqual({ key: 'quarantine.too_many_lines.any' });
    expect(count('site "…" is not this plant\'s site "…"')).toEqual({ key: 'quarantine.wrong_site', params: { site: '…', expected: '…' } });
    expect(count('boot: contains a lone surrogate')).toMatchObject({ params: { field: 'boot', problem: { key: 'problem.lone_surrogate.any' } } });
  });

  it('a row without words (written before the words column) is read with words found from its English', () => {
    store.writer.quarantine({ topic: TOPIC, payloadPrefix: '', reason: 'bad station name in topic', receivedAt: NOW });
    expect(store.reads.quarantineItems(1)[0].words).toEqual({ key: 'quarantine.bad_name', params: { part: 'station' } });
    store.writer.quarantine({ topic: TOPIC, payloadPrefix: '', reason: 'some reason of long ago', receivedAt: NOW });
    expect(store.reads.quarantineItems(1)[0].words).toBeNull();
  });
});

describe('broker errors, alerts and refusals are words with the same English', () => {
  const coded = (message: string, code: unknown) => Object.assign(new Error(message), { code });

  it('broker connection errors, disconnects, refused subscriptions and storage alerts', () => {
    const all: Words[] = [
      describeConnectionError(coded('connect ECONNREFUSED 127.0.0.1:1883', 'ECONNREFUSED')).words,
      describeConnectionError(coded('x', 4)).words,
      describeConnectionError(coded('Connection refused: Quota exceeded', 151)).words,
      describeConnectionError(new Error('something else entirely')).words,
      describeDisconnect(152),
      describeSubscribeRefusal('factory/cq/+/+/+', 135),
      storageAlert(coded('database or disk is full', 'SQLITE_FULL')).words,
    ];
    expect(all.map(english)).toEqual([
      'broker unreachable (ECONNREFUSED 127.0.0.1:1883)',
      'broker rejected credentials',
      'broker refused the connection (Quota exceeded)',
      'something else entirely',
      'broker closed the connection (reason 152)',
      "broker refused the subscription to factory/cq/+/+/+ (not authorised): no telemetry will arrive; check the broker's ACL for this user",
      'storage full: the disk holding the database has no space left; telemetry waits at the broker until space is freed',
    ]);
  });

  it('bad request arguments: the words give back the `error` scripts read', () => {
    const cases: [Parameters<typeof parseArgs>[0], unknown][] = [
      ['history', { date: 'x', shift: 'A' }],
      ['history', { date: '2026-02-30', shift: 'A' }],
      ['history', { date: '2026-02-01' }],
      ['trend', { lineId: '', minutes: 5 }],
      ['live', { x: 1, y: 2 }],
      ['history', 5],
    ];
    for (const [name, args] of cases) {
      const r = parseArgs(name, args);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(english(r.words)).toBe(r.error);
      expect(JSON.stringify(r.words), r.error).not.toContain('"key":"text"');
    }
    const r = parseArgs('history', { date: '2026-02-30', shift: 'A' });
    expect(!r.ok && r.words).toEqual({ key: 'refusal.field', params: { field: 'date', problem: { key: 'problem.no_such_date', params: { value: '"2026-02-30"' } } } });
  });
});
