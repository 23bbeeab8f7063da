// RELIABILITY.md row 28: unicode hazards in the free-text fields (unit, reason, boot) and in names: RTL
// override, zero-width characters, 10 000 characters, lone surrogates. RTL and zero-width characters are
// kept as text; 10 000 characters and lone surrogates are refused (quarantined, the field named); none
// breaks ingest; the daily CSV neutralises cells starting with = + - @.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Config, configOrThrow } from '../../shared/config.ts';
import { createPipeline, type Pipeline } from '../../main/core/ingest/pipeline.ts';
import { Store } from '../../main/core/store/store.ts';
import { dailyCsvOf } from '../../main/core/history.ts';
import { singleVersion } from '../../shared/versions.ts';
import { startIngest } from '../../main/core/ingest/mqtt-ingest.ts';
import { startAedes } from '../helpers/brokers.ts';
import mqtt from 'mqtt';
import { useTempDirs } from '../helpers/tmp.ts';

const tempDir = useTempDirs();
const NOW = Date.UTC(2026, 11, 1, 8, 0, 0);
const TOPIC = 'factory/uni/l1/out/cycle';

function config(lineName = 'Line 1'): Config {
  return configOrThrow({
    site: 'uni',
    timezone: 'UTC',
    lines: [{ id: 'l1', name: lineName, targetTaktS: 1, outputStation: 'out', stations: ['out'] }],
    shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
  });
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

describe('row 28: unicode hazards in payload text fields', () => {
  it('RTL override and zero-width characters are kept as text (the UI escapes them); nothing breaks', () => {
    for (const v of ['\u202eKO-1234', 'U\u200b1\u200d', '\u2066=1+1\u2069', 'Ω\u0301 电池 🔋']) {
      expect(outcome(payload({ unit: q(v), reason: q(v) }))).toEqual({ outcome: 'stored' });
    }
    expect(store.writer.counters()).toMatchObject({ stored: 4, quarantined: 0 });
    expect(store.db.prepare('SELECT unit FROM events ORDER BY seq').pluck().all()).toEqual(['\u202eKO-1234', 'U\u200b1\u200d', '\u2066=1+1\u2069', 'Ω\u0301 电池 🔋']);
  });

  it('10 000 characters in unit or reason are refused with a reason naming the field; a bounded prefix is kept', () => {
    // 10 000 characters, 14 000 bytes: under the 16 KiB payload limit, so the schema has to refuse it.
    const long = q('\u200b'.repeat(2000) + 'x'.repeat(8000));
    for (const field of ['unit', 'reason']) {
      expect(outcome(payload({ [field]: long }))).toEqual({ outcome: 'quarantined' });
      const item = store.reads.quarantineItems(1)[0];
      expect(item.reason).toMatch(new RegExp(`^${field}: `));
      expect(Buffer.byteLength(item.payload)).toBeLessThanOrEqual(1024);
      expect(item.payload.isWellFormed()).toBe(true);
    }
    expect(store.writer.counters().stored).toBe(0);
  });

  // The text fields of a payload (shared/telemetry.ts) must be well-formed Unicode: SQLite would store a lone
  // surrogate as U+FFFD, so the message is refused like any other field out of range (CONTRACT §1.4).
  it('a lone surrogate in unit or reason is refused: quarantined with the field named, its escape kept as text', () => {
    for (const field of ['unit', 'reason']) {
      for (const v of LONE) {
        expect(outcome(payload({ [field]: v })), `${field}: ${v}`).toEqual({ outcome: 'quarantined' });
        const [item] = store.reads.quarantineItems(1);
        expect(item.reason).toBe(`${field}: contains a lone surrogate (not well-formed Unicode)`);
        // The payload is shown as the publisher sent it: the escape, as well-formed text.
        expect(item.payload).toContain(`"${field}":${v}`);
        expect(item.payload.isWellFormed()).toBe(true);
      }
    }
    expect(store.writer.counters()).toMatchObject({ stored: 0, quarantined: 2 * LONE.length });
    expect(outcome(payload({ unit: q('ok') })).outcome).toBe('stored');
  });

  it('lone surrogates as raw UTF-8 bytes (ED A0 80) are invalid UTF-8: quarantined, shown as hex', () => {
    const raw = Buffer.concat([Buffer.from(`{"ts":${NOW - 1000},"seq":1,"unit":"`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);
    expect(outcome(raw)).toEqual({ outcome: 'quarantined' });
    expect(store.reads.quarantineItems(1)[0]).toMatchObject({ reason: 'not valid UTF-8' });
    expect(store.reads.quarantineItems(1)[0].payload).toMatch(/^hex:.*eda080/);
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
        const { csv } = dailyCsvOf(s.reads, { versions: singleVersion(cfg), date: '2026-12-01', now: NOW });
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

// Lone surrogates in `boot` (part of an event's identity): SQLite would store them all as U+FFFD, so two
// different ones would collide in the streams table; they are refused at the contract boundary instead.
describe('row 28: lone surrogates in boot', () => {
  it('lone surrogates in boot (part of the identity) are refused, naming the field; ingest goes on', () => {
    for (const [i, v] of LONE.entries()) {
      const r = outcome(payload({ boot: v }, 100 + i));
      expect(r, r.error).toEqual({ outcome: 'quarantined' });
      expect(store.reads.quarantineItems(1)[0].reason).toBe('boot: contains a lone surrogate (not well-formed Unicode)');
    }
    expect(store.writer.counters()).toMatchObject({ stored: 0, quarantined: LONE.length });
    expect(outcome(payload({ boot: q('after') }, 1)).outcome).toBe('stored');
    expect(store.db.prepare('SELECT boot FROM events').pluck().all()).toEqual(['after']);
  });

  it('the same lone-surrogate boot after a restart is refused again, not a storage failure', () => {
    const first = outcome(payload({ boot: '"b\\ud800"' }, 7));
    expect(first, first.error).toEqual({ outcome: 'quarantined' });
    store.close();
    store = Store.open(dbFile, { synchronous: 'NORMAL', quarantineRows: 100 });
    pipeline = createPipeline({ config: config(), store, now: () => NOW });
    const again = outcome(payload({ boot: '"b\\ud800"' }, 8));
    expect(again, again.error).toEqual({ outcome: 'quarantined' });
    expect(store.reads.quarantineItems(2).map((item) => item.reason)).toEqual([
      'boot: contains a lone surrogate (not well-formed Unicode)',
      'boot: contains a lone surrogate (not well-formed Unicode)',
    ]);
    expect(store.writer.counters()).toMatchObject({ stored: 0, quarantined: 2 });
  });
});

describe('row 28 through a broker: a hazardous message never stalls ingest', () => {
  it('after lone-surrogate boots, unit and reason hazards, the next good message is stored', async () => {
    const b = await startAedes();
    const s = Store.open(path.join(tempDir('uni-mqtt'), 'db.sqlite'), { synchronous: 'NORMAL', quarantineRows: 100 });
    const cfg = config();
    let status = 'connecting';
    const ingest = startIngest({
      config: { ...cfg, broker: { ...cfg.broker, clientId: `uni-${process.pid}`, protocolVersion: 4 } },
      brokerUrl: b.url,
      pipeline: createPipeline({ config: cfg, store: s }),
      timing: { reconnectMinMs: 50, reconnectMaxMs: 400, retryMinMs: 50, retryMaxMs: 200 },
      onConnection: (c) => (status = c.status),
      onAlert: () => {},
    });
    const pub = await mqtt.connectAsync(b.url, { clientId: `uni-pub-${process.pid}`, reconnectPeriod: 0 });
    try {
      const deadline = Date.now() + 10_000;
      while (status !== 'connected' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
      const ts = Date.now() - 60_000;
      const msg = (n: number, extra: string) => `{"ts":${ts + n},"seq":${n},"cycle_ms":900${extra}}`;
      const hazards = [
        msg(1, ',"boot":"\\ud800"'),
        msg(2, ',"boot":"\\udc00"'),
        msg(3, `,"unit":${q('\u202e'.repeat(10_000))}`),
        msg(4, ',"reason":"x\\udfff","result":"ng"'),
        msg(5, `,"unit":${q('\u200b\u202eU5')}`),
      ];
      for (const h of hazards) await pub.publishAsync(TOPIC, h, { qos: 1 });
      await pub.publishAsync(TOPIC, msg(6, ',"boot":"good"'), { qos: 1 });
      const until = Date.now() + 5000;
      const good = () => s.db.prepare("SELECT COUNT(*) FROM events WHERE boot = 'good'").pluck().get() as number;
      while (good() === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(good(), 'the good message after the hazards was never stored: ingest is stalled').toBe(1);
      // 1, 2, 4: lone surrogates; 3: 30 000 bytes, over the payload limit; 5 (zero-width, RTL) is kept as text.
      expect(s.writer.counters()).toMatchObject({ received: 6, stored: 2, quarantined: 4 });
      expect(s.db.prepare('SELECT seq FROM events ORDER BY seq').pluck().all()).toEqual([5, 6]);
    } finally {
      await pub.endAsync(true);
      await ingest.stop();
      s.close();
      await b.stop();
    }
  }, 20_000);
});
