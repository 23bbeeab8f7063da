// RELIABILITY.md row 28: unicode hazards in the free-text fields (unit, reason, boot) and in names: RTL
// override, zero-width characters, 10 000 characters, lone surrogates. Each must be stored normalised or
// refused with a reason, never break ingest; the daily CSV neutralises cells starting with = + - @.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../shared/config.ts';
import { createPipeline, type Pipeline } from '../../main/core/ingest/pipeline.ts';
import { Store } from '../../main/core/store/store.ts';
import { dailyCsvOf } from '../../main/core/history.ts';
import { useTempDirs } from '../helpers/tmp.ts';

const tempDir = useTempDirs();
const NOW = Date.UTC(2026, 11, 1, 8, 0, 0);
const TOPIC = 'factory/uni/l1/out/cycle';

function config(lineName = 'Line 1'): Config {
  const r = parseConfig({
    site: 'uni',
    timezone: 'UTC',
    lines: [{ id: 'l1', name: lineName, targetTaktS: 1, outputStation: 'out', stations: ['out'] }],
    shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
  });
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.config;
}

let store: Store;
let pipeline: Pipeline;
let dbFile: string;
beforeEach(() => {
  dbFile = path.join(tempDir('uni'), 'db.sqlite');
  store = Store.open(dbFile, { synchronous: 'NORMAL', quarantineRows: 100 });
  pipeline = createPipeline({ config: config(), store, now: () => NOW });
});
afterEach(() => store.close());

let seq = 0;
/** JSON text built by hand so lone surrogates reach the parser as `\uD800` escapes, as a publisher sends them. */
const payload = (fields: Record<string, string>, s = ++seq) =>
  Buffer.from(`{"ts":${NOW - 60_000 + s},"seq":${s},"cycle_ms":900,"result":"ng"` + Object.entries(fields).map(([k, v]) => `,"${k}":${v}`).join('') + '}');
const q = (text: string) => JSON.stringify(text);
const LONE = ['"\\ud800"', '"x\\udc00y"', '"\\udbff"', '"a\\ud83d"'];

function outcome(p: Buffer): { outcome: string; error?: string } {
  try {
    return { outcome: pipeline.handle(TOPIC, p, NOW) };
  } catch (err) {
    return { outcome: 'threw', error: String(err) };
  }
}

function storedTexts(): string[] {
  return (store.db.prepare('SELECT unit, reason, boot FROM events').raw().all() as (string | null)[][]).flat().filter((v): v is string => v !== null);
}

describe('row 28: unicode hazards in payload text fields', () => {
  it('RTL override and zero-width characters are kept as text (the UI escapes them); nothing breaks', () => {
    for (const v of ['\u202eKO-1234', 'U\u200b1\u200d', '\u2066=1+1\u2069', 'Ω\u0301 电池 🔋']) {
      expect(outcome(payload({ unit: q(v), reason: q(v) }))).toEqual({ outcome: 'stored' });
    }
    expect(store.counters()).toMatchObject({ stored: 4, quarantined: 0 });
    expect(store.db.prepare('SELECT unit FROM events ORDER BY seq').pluck().all()).toEqual(['\u202eKO-1234', 'U\u200b1\u200d', '\u2066=1+1\u2069', 'Ω\u0301 电池 🔋']);
  });

  it('10 000 characters in unit or reason are refused with a reason naming the field; a bounded prefix is kept', () => {
    // 10 000 characters, 14 000 bytes: under the 16 KiB payload limit, so the schema has to refuse it.
    const long = q('\u200b'.repeat(2000) + 'x'.repeat(8000));
    for (const field of ['unit', 'reason']) {
      expect(outcome(payload({ [field]: long }))).toEqual({ outcome: 'quarantined' });
      const item = store.quarantineItems(1)[0];
      expect(item.reason).toMatch(new RegExp(`^${field}: `));
      expect(Buffer.byteLength(item.payload)).toBeLessThanOrEqual(1024);
      expect(item.payload.isWellFormed()).toBe(true);
    }
    expect(store.counters().stored).toBe(0);
  });

  it('a lone surrogate in unit or reason is stored normalised (well-formed text) or refused', () => {
    for (const field of ['unit', 'reason']) {
      for (const v of LONE) expect(['stored', 'quarantined']).toContain(outcome(payload({ [field]: v })).outcome);
    }
    for (const t of storedTexts()) expect(t.isWellFormed()).toBe(true);
    for (const item of store.quarantineItems(100)) expect(item.payload.isWellFormed() && item.reason.isWellFormed()).toBe(true);
    expect(outcome(payload({ unit: q('ok') })).outcome).toBe('stored');
  });

  it('lone surrogates as raw UTF-8 bytes (ED A0 80) are invalid UTF-8: quarantined, shown as hex', () => {
    const raw = Buffer.concat([Buffer.from(`{"ts":${NOW - 1000},"seq":1,"unit":"`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);
    expect(outcome(raw)).toEqual({ outcome: 'quarantined' });
    expect(store.quarantineItems(1)[0]).toMatchObject({ reason: 'not valid UTF-8' });
    expect(store.quarantineItems(1)[0].payload).toMatch(/^hex:.*eda080/);
  });

});

describe('row 28: names in the daily CSV', () => {
  it('a line name starting with = + - @, with bidi and zero-width characters, is neutralised and kept as text', () => {
    for (const name of ['=HYPERLINK("http://x","y")', '+SUM(A1)', '-1+2', '@cmd', '\u202e=1+1', '\u200b=1']) {
      const s = Store.open(path.join(tempDir('uni-csv'), 'db.sqlite'), { synchronous: 'NORMAL', quarantineRows: 100 });
      try {
        const cfg = config(name);
        const p = createPipeline({ config: cfg, store: s, now: () => NOW });
        for (let i = 1; i <= 5; i++) expect(p.handle(TOPIC, Buffer.from(JSON.stringify({ ts: NOW - 60_000 + i * 1000, seq: i, cycle_ms: 900 })), NOW)).toBe('stored');
        const { csv } = dailyCsvOf(s, cfg, '2026-12-01');
        const rows = csv.split('\r\n').slice(1).filter(Boolean);
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) {
          const cell = row.split(',').slice(3).join(',');
          // Every dangerous first character sits behind an apostrophe (inside the quotes if quoted).
          expect(cell).not.toMatch(/^"?[=+\-@]/);
          expect(cell.includes(name.replaceAll('"', '""'))).toBe(true);
        }
      } finally {
        s.close();
      }
    }
  });
});
