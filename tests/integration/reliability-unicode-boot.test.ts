// RELIABILITY.md row 28, lone surrogates in `boot` (part of an event's identity). FAILS on the current
// product: SQLite stores every lone surrogate as U+FFFD, so "\ud800" and "\udc00" collide in the
// streams table's UNIQUE (line, station, boot) while the in-memory map keeps them apart. commitEvent then
// throws SQLITE_CONSTRAINT, the pipeline treats it as a storage failure, the message is never acknowledged
// and the connection stalls on it forever. See tests/RELIABILITY-MATRIX.md.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../shared/config.ts';
import { createPipeline, type Pipeline } from '../../main/core/ingest/pipeline.ts';
import { Store } from '../../main/core/store/store.ts';
import { startIngest } from '../../main/core/ingest/mqtt-ingest.ts';
import { startAedes } from '../helpers/brokers.ts';
import mqtt from 'mqtt';
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

describe('row 28: lone surrogates in boot', () => {
  it('lone surrogates in boot (part of the identity) never break the store: two different ones are two streams or refused', () => {
    // SQLite stores a lone surrogate as U+FFFD: "\ud800" and "\udc00" would become the same boot.
    const results = LONE.map((v, i) => outcome(payload({ boot: v }, 100 + i)));
    for (const r of results) expect(r.outcome, r.error).not.toBe('threw');
    expect(outcome(payload({ boot: q('after') }, 1)).outcome).toBe('stored');
  });

  it('the same lone-surrogate boot after a restart is still a duplicate or refused, not a storage failure', () => {
    const first = outcome(payload({ boot: '"b\\ud800"' }, 7));
    expect(first.outcome).not.toBe('threw');
    store.close();
    store = Store.open(dbFile, { synchronous: 'NORMAL', quarantineRows: 100 });
    pipeline = createPipeline({ config: config(), store, now: () => NOW });
    const again = outcome(payload({ boot: '"b\\ud800"' }, 8));
    expect(again.outcome, again.error).not.toBe('threw');
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
      expect(s.counters().received).toBe(6);
    } finally {
      await pub.endAsync(true);
      await ingest.stop();
      s.close();
      await b.stop();
    }
  }, 20_000);
});
