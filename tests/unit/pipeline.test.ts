// The ingest pipeline with a real SQLite file: every kind of bad input from RELIABILITY.md rows 20–27 is
// quarantined with a reason that names what is wrong, nothing is stored for it, and the next good message
// is stored. Storage failures are the one thing that is thrown.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Config, configOrThrow } from '../../shared/config.ts';
import type { TelemetryEvent } from '../../shared/telemetry.ts';
import { createPipeline, MAX_UNCONFIGURED_LINES, MAX_UNCONFIGURED_STATIONS, type Pipeline } from '../../main/core/ingest/pipeline.ts';
import { Store } from '../../main/core/store/store.ts';
import { useTempDirs } from '../helpers/tmp.ts';

const tempDir = useTempDirs();
const NOW = Date.UTC(2026, 11, 1, 8, 0, 0);
const TOPIC = 'factory/cq/l1/out/cycle';

function testConfig(): Config {
  return configOrThrow({
    site: 'cq',
    lines: [{ id: 'l1', name: 'Line 1', targetTaktS: 1, outputStation: 'out', stations: ['s1', 'out'] }],
    shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
    retention: { rawDays: 35, quarantineRows: 100 },
  });
}

let store: Store;
let pipeline: Pipeline;
let dbFile: string;

beforeEach(() => {
  dbFile = path.join(tempDir('pipeline'), 'db.sqlite');
  store = Store.open(dbFile, { synchronous: 'NORMAL', quarantineRows: 100 });
  pipeline = createPipeline({ config: testConfig(), store, now: () => NOW });
});

afterEach(() => {
  store.close();
});

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const good = (seq: number, extra: Record<string, unknown> = {}) => json({ ts: NOW - 60_000 + seq, seq, cycle_ms: 950, ...extra });
const rows = () => store.db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;
const lastReason = () => store.reads.quarantineItems(1)[0]?.reason;

/** Handles one bad message and returns its quarantine reason, after checking nothing was stored for it. */
function refuse(payload: Buffer | Uint8Array, topic = TOPIC): string {
  const before = rows();
  expect(pipeline.handle(topic, payload, NOW)).toBe('quarantined');
  expect(rows()).toBe(before);
  return lastReason();
}

describe('bad payloads are quarantined with a reason', () => {
  it('malformed JSON', () => {
    expect(refuse(Buffer.from('{"seq":1,'))).toBe('invalid JSON');
  });

  it('invalid UTF-8: random bytes and the 0xC3 0x28 pair, kept as hex so the bad bytes stay visible', () => {
    expect(refuse(Buffer.concat([randomBytes(200), Buffer.from([0xff])]))).toBe('not valid UTF-8');
    expect(refuse(Buffer.from([0xc3, 0x28]))).toBe('not valid UTF-8');
    expect(store.reads.quarantineItems(1)[0].payload).toBe('hex:c328');
  });

  it('a 50 MB payload is refused before parsing and only its first KiB is kept', () => {
    // Valid JSON of a valid event, padded: had it been parsed, it would have been stored.
    const head = Buffer.from(`{"ts":${NOW - 1000},"seq":1,"cycle_ms":900}`);
    const big = Buffer.alloc(50 * 1024 * 1024, 0x20);
    head.copy(big);
    expect(refuse(big)).toBe(`payload too large (${50 * 1024 * 1024} bytes)`);
    const kept = store.reads.quarantineItems(1)[0];
    expect(Buffer.byteLength(kept.payload)).toBeLessThanOrEqual(1024);
    expect(kept.payload.startsWith('{"ts":')).toBe(true);
    // Exactly at the limit is still read.
    const atLimit = Buffer.alloc(16 * 1024, 0x20);
    head.copy(atLimit);
    expect(pipeline.handle(TOPIC, atLimit, NOW)).toBe('stored');
  });

  it('wrong types and missing fields name the field', () => {
    expect(refuse(good(1, { cycle_ms: 'abc' }))).toMatch(/^cycle_ms: /);
    expect(refuse(good(1, { seq: 1.5 }))).toMatch(/^seq: /);
    const empty = refuse(json({}));
    expect(empty).toMatch(/ts: /);
    expect(empty).toMatch(/seq: /);
    expect(refuse(json([1, 2]))).toBe('payload is not a JSON object');
    expect(refuse(Buffer.from('null'))).toBe('payload is not a JSON object');
  });

  it('null counts as wrong', () => {
    expect(refuse(json({ ts: null, seq: 1 }))).toMatch(/^ts: /);
    expect(refuse(good(1, { cycle_ms: null }))).toMatch(/^cycle_ms: /);
    expect(refuse(good(1, { result: null }))).toMatch(/^result: /);
    expect(refuse(json({ ts: NOW, seq: 1, state: null }), 'factory/cq/l1/out/state')).toMatch(/^state: /);
  });

  it('numbers out of range', () => {
    expect(refuse(good(1, { cycle_ms: -5 }))).toMatch(/^cycle_ms: /);
    expect(refuse(Buffer.from(`{"ts":${NOW},"seq":1,"cycle_ms":1e999}`))).toMatch(/^cycle_ms: /);
    expect(refuse(good(1, { cycle_ms: 86_400_000 }))).toMatch(/^cycle_ms: /);
    expect(refuse(good(1, { seq: -1 }))).toMatch(/^seq: /);
    expect(refuse(Buffer.from(`{"ts":${NOW},"seq":9007199254740992}`))).toMatch(/^seq: /);
  });

  it('timestamps: in the future, zero, seconds instead of milliseconds', () => {
    expect(refuse(json({ ts: NOW + 86_400_000, seq: 1 }))).toMatch(/^ts: more than 5 minutes in the future/);
    expect(refuse(json({ ts: 0, seq: 1 }))).toBe('ts: older than the raw-data retention (seconds instead of milliseconds?)');
    expect(refuse(json({ ts: Math.floor(NOW / 1000), seq: 1 }))).toBe('ts: older than the raw-data retention (seconds instead of milliseconds?)');
    expect(refuse(json({ ts: NOW - 36 * 86_400_000, seq: 1 }))).toBe('ts: older than the raw-data retention');
    // Up to 5 minutes ahead is clock drift, not an error; RFC 3339 with an offset is accepted.
    expect(pipeline.handle(TOPIC, json({ ts: NOW + 4 * 60_000, seq: 1 }), NOW)).toBe('stored');
    expect(pipeline.handle(TOPIC, json({ ts: '2026-12-01T15:59:00+08:00', seq: 2 }), NOW)).toBe('stored');
    expect(store.reads.outputTimes('l1', 'out', 0, NOW + 1e6)).toEqual([NOW - 60_000, NOW + 4 * 60_000]);
  });

  it('topics: extra or missing levels, bad characters, another site, unknown event', () => {
    const payload = good(1);
    expect(refuse(payload, 'factory/cq/l1/out/cycle/extra')).toMatch(/topic has 6 levels/);
    expect(refuse(payload, 'factory/cq/l1/cycle')).toMatch(/topic has 4 levels/);
    expect(refuse(payload, 'factory/cq/l 1/out/cycle')).toBe('bad line name in topic');
    expect(refuse(payload, 'factory/cq/l1/-out/cycle')).toBe('bad station name in topic');
    expect(refuse(payload, 'factory/cq/l1/o\u202eut/cycle')).toBe('bad station name in topic');
    expect(refuse(payload, 'factory/other/l1/out/cycle')).toMatch(/^site "other" is not this plant's site/);
    expect(refuse(payload, 'plant/cq/l1/out/cycle')).toMatch(/^topic level 1/);
    expect(refuse(payload, 'factory/cq/l1/out/alarm')).toBe('unknown event');
    expect(store.reads.stationsSeen('l1')).toEqual([]);
  });

  it('keeps telemetry of stations and lines the configuration does not name, up to their bounds (CONTRACT §1.4)', () => {
    expect(pipeline.handle('factory/cq/l1/ghost/cycle', good(1), NOW)).toBe('stored');
    expect(pipeline.handle('factory/cq/new-line/st/cycle', good(1), NOW)).toBe('stored');
    expect(store.reads.stationsSeen('l1')).toEqual(['ghost']);
    // 32 unconfigured stations per line are kept; the 33rd new one is refused, the known ones go on.
    for (let i = 1; i < MAX_UNCONFIGURED_STATIONS; i++) expect(pipeline.handle(`factory/cq/l1/ghost${i}/cycle`, good(1), NOW)).toBe('stored');
    expect(refuse(good(1), 'factory/cq/l1/one-too-many/cycle')).toBe(`too many unknown stations (${MAX_UNCONFIGURED_STATIONS} kept for line "l1"; "one-too-many" refused)`);
    expect(pipeline.handle('factory/cq/l1/ghost/cycle', good(2), NOW)).toBe('stored');
    // The configured stations are never refused.
    expect(pipeline.handle(TOPIC, good(1), NOW)).toBe('stored');
    // 64 unconfigured lines are kept; the 65th is refused.
    for (let i = 1; i < MAX_UNCONFIGURED_LINES; i++) expect(pipeline.handle(`factory/cq/line-${i}/st/cycle`, good(1), NOW)).toBe('stored');
    expect(refuse(good(1), 'factory/cq/line-x/st/cycle')).toBe(`too many unknown lines (${MAX_UNCONFIGURED_LINES} kept; "line-x" refused)`);
    // A newer configuration version that lists a station: it is configured from then on.
    const l1 = testConfig().lines[0];
    pipeline.setLines([{ ...l1, stations: [...l1.stations, 'one-too-many'] }]);
    expect(pipeline.handle('factory/cq/l1/one-too-many/cycle', good(1), NOW)).toBe('stored');
  });

  it('keeps topic, reason and receive time; counts by reason; and the next good message is stored', () => {
    pipeline.handle(TOPIC, Buffer.from('{"seq":1,'), NOW - 5);
    pipeline.handle(TOPIC, Buffer.from('nope'), NOW - 4);
    expect(store.reads.quarantineItems(5)[0]).toEqual({ receivedAt: NOW - 4, topic: TOPIC, payload: 'nope', reason: 'invalid JSON', words: { key: 'quarantine.invalid_json' } });
    expect(pipeline.handle(TOPIC, good(1), NOW)).toBe('stored');
    expect(store.reads.quarantineCounts()).toEqual([{ reason: 'invalid JSON', count: 2 }]);
    expect(pipeline.counters()).toEqual({ received: 3, stored: 1, duplicates: 0, quarantined: 2, gapsMissing: 0 });
  });
});

describe('good messages', () => {
  it('1,2,2,4,3: four rows, one duplicate, no gap', () => {
    const outcomes = [1, 2, 2, 4, 3].map((n) => pipeline.handle(TOPIC, good(n), NOW));
    expect(outcomes).toEqual(['stored', 'stored', 'duplicate', 'stored', 'stored']);
    expect(rows()).toBe(4);
    expect(store.reads.gaps()).toEqual([]);
    expect(pipeline.counters()).toMatchObject({ stored: 4, duplicates: 1, gapsMissing: 0 });
  });

  it('10 → 20 is the gap 11–19; a new boot at 0 is accepted', () => {
    pipeline.handle(TOPIC, good(10, { boot: 'A' }), NOW);
    pipeline.handle(TOPIC, good(20, { boot: 'A' }), NOW);
    expect(store.reads.gaps()).toMatchObject([{ line: 'l1', station: 'out', boot: 'A', fromSeq: 11, toSeq: 19, missing: 9 }]);
    expect(pipeline.handle(TOPIC, good(0, { boot: 'B' }), NOW)).toBe('stored');
    expect(pipeline.handle(TOPIC, good(1, { boot: 'B' }), NOW)).toBe('stored');
    expect(pipeline.counters()).toMatchObject({ stored: 4, duplicates: 0, gapsMissing: 9 });
  });

  it('stores a line the configuration does not name, and lists it', () => {
    expect(pipeline.handle('factory/cq/new-line/any-station/cycle', good(1), NOW)).toBe('stored');
    expect(store.reads.linesSeen()).toEqual(['new-line']);
    expect(store.reads.stationsSeen('new-line')).toEqual(['any-station']);
  });

  it('stores state events', () => {
    expect(pipeline.handle('factory/cq/l1/s1/state', json({ ts: NOW - 10, seq: 5, state: 'down', reason: 'E-STOP' }), NOW)).toBe('stored');
    expect(store.reads.states('l1', store.reads.stationsSeen('l1'), NOW - 100, NOW)).toEqual([{ station: 's1', ts: NOW - 10, state: 'down', reason: 'E-STOP' }]);
  });

  it('tells listeners about each newly stored event only; a failing listener changes nothing', () => {
    const seen: TelemetryEvent[] = [];
    const off = pipeline.onEvent((e) => seen.push(e));
    pipeline.onEvent(() => {
      throw new Error('listener bug');
    });
    pipeline.handle(TOPIC, good(1), NOW);
    pipeline.handle(TOPIC, good(1), NOW);
    pipeline.handle(TOPIC, Buffer.from('x'), NOW);
    expect(seen).toEqual([{ line: 'l1', station: 'out', kind: 'cycle', ts: NOW - 60_000 + 1, seq: 1, boot: '', unit: undefined, cycleMs: 950, ok: true, reason: undefined }]);
    off();
    pipeline.handle(TOPIC, good(2), NOW);
    expect(seen).toHaveLength(1);
    expect(rows()).toBe(2);
  });
});

describe('storage failures', () => {
  it('are thrown, so the message is not acknowledged; the same message is stored once storage works', () => {
    const other = new Database(dbFile);
    const locked = Store.open(dbFile, { synchronous: 'NORMAL', quarantineRows: 100, busyTimeoutMs: 10 });
    const p = createPipeline({ config: testConfig(), store: locked, now: () => NOW });
    try {
      other.exec('BEGIN EXCLUSIVE');
      expect(() => p.handle(TOPIC, good(1), NOW)).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
      // Bad input needs the store too (quarantine): also thrown, not silently dropped.
      expect(() => p.handle(TOPIC, Buffer.from('{'), NOW)).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
      other.exec('ROLLBACK');
      expect(p.handle(TOPIC, good(1), NOW)).toBe('stored');
      expect(p.counters()).toMatchObject({ received: 1, stored: 1, quarantined: 0 });
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      locked.close();
    }
  });
});
