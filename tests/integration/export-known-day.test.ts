// A known day published through mosquitto into `serve`, then `taktboard export`: the file must equal
// the hand-worked expectation byte for byte (tests/fixtures/known-day.md shows the arithmetic).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto } from '../helpers/brokers.ts';
import { tempDir } from '../helpers/tmp.ts';
import { startServe, type Served } from '../helpers/serve.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

const config = {
  site: 'plant-9',
  timezone: 'America/Chicago',
  retention: { rawDays: 3650 },
  broker: { clientId: 'taktboard-it-known-day', protocolVersion: 5 },
  lines: [
    { id: 'L1', name: 'Line one', targetTaktS: 60, outputStation: 'out', stations: ['s1', 'out'] },
    { id: 'L2', name: '=二号线, "快"', targetTaktS: 30, outputStation: 'q', stations: ['q'] },
  ],
  shifts: [
    { name: 'Day', start: '08:00', end: '16:00', breaks: [{ start: '12:00', end: '12:30' }] },
    { name: 'Night', start: '22:00', end: '06:00', breaks: [{ start: '01:00', end: '01:30' }] },
  ],
};

/** Local Chicago time on 2026-11-20 (or the 21st), as RFC 3339 with its offset: the payloads use both ts forms. */
const at = (hhmmss: string, day = 20) => `2026-11-${day}T${hhmmss}-06:00`;
const ms = (hhmmss: string, day = 20) => Date.parse(at(hhmmss, day));

type Msg = { station: string; event: 'cycle' | 'state'; body: Record<string, unknown> };
const day: Msg[] = [
  { station: 'out', event: 'state', body: { ts: at('07:00:00'), state: 'running' } },
  { station: 's1', event: 'state', body: { ts: at('07:50:00'), state: 'down', reason: 'E-STOP' } },
  { station: 'out', event: 'cycle', body: { ts: ms('08:00:00'), cycle_ms: 50000, unit: 'V1' } },
  { station: 's1', event: 'cycle', body: { ts: ms('08:00:10'), cycle_ms: 40000 } },
  { station: 'out', event: 'cycle', body: { ts: ms('08:01:00'), cycle_ms: 50000 } },
  { station: 's1', event: 'cycle', body: { ts: ms('08:01:10'), cycle_ms: 40000 } },
  { station: 'out', event: 'cycle', body: { ts: at('08:02:30'), cycle_ms: 50000 } },
  { station: 'out', event: 'state', body: { ts: ms('08:05:00'), state: 'down' } },
  { station: 's1', event: 'state', body: { ts: ms('08:10:00'), state: 'running' } },
  { station: 'out', event: 'state', body: { ts: ms('08:15:00'), state: 'running' } },
  { station: 's1', event: 'state', body: { ts: ms('11:50:00'), state: 'down', reason: 'jam' } },
  { station: 'out', event: 'cycle', body: { ts: ms('11:59:30'), cycle_ms: 50000 } },
  { station: 's1', event: 'state', body: { ts: ms('12:20:00'), state: 'running' } },
  { station: 'out', event: 'cycle', body: { ts: ms('12:30:30'), cycle_ms: 50000 } },
  { station: 'out', event: 'cycle', body: { ts: ms('17:00:00'), cycle_ms: 50000 } },
  { station: 'out', event: 'cycle', body: { ts: ms('00:59:00', 21), cycle_ms: 50000 } },
  { station: 'out', event: 'cycle', body: { ts: ms('01:31:00', 21), cycle_ms: 50000 } },
  { station: 'out', event: 'cycle', body: { ts: ms('05:59:00', 21), cycle_ms: 50000 } },
  // Out of order: the reject at 08:03:30 arrives last.
  { station: 'out', event: 'cycle', body: { ts: ms('08:03:30'), cycle_ms: 50000, result: 'ng', reason: 'leak test' } },
];

describe('daily CSV of a known day, through mosquitto and serve', () => {
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let served: Served | undefined;
  const dir = tempDir('known-day');
  const cfgFile = path.join(dir, 'plant.json');
  const dbFile = path.join(dir, 'plant.sqlite');

  beforeAll(async () => {
    broker = await startMosquitto();
    writeFileSync(cfgFile, JSON.stringify(config));
    served = await startServe(['--config', cfgFile, '--db', dbFile, '--broker', broker.url]);
  });
  afterAll(async () => {
    await served?.stop();
    await broker?.stop();
  });

  it('exports exactly the hand-worked file', async () => {
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'known-day-pub' });
    const seq = new Map<string, number>();
    const payloads = day.map((m) => {
      const n = (seq.get(m.station) ?? 0) + 1;
      seq.set(m.station, n);
      return { topic: `factory/plant-9/L1/${m.station}/${m.event}`, payload: JSON.stringify({ seq: n, ...m.body }) };
    });
    for (const p of payloads) await pub.publishAsync(p.topic, p.payload, { qos: 1 });
    await pub.publishAsync(payloads[2].topic, payloads[2].payload, { qos: 1 }); // a retry: must not count twice
    await pub.endAsync();

    const deadline = Date.now() + 20_000;
    let stored = 0;
    while (Date.now() < deadline) {
      const live = await (await fetch(served!.url + 'api/live')).json();
      stored = live.counters.stored;
      if (stored === day.length && live.counters.duplicates === 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(stored).toBe(day.length);

    const viaApi = Buffer.from(await (await fetch(served!.url + 'api/export/daily.csv?date=2026-11-20')).arrayBuffer());
    expect(await served!.stop()).toBe(0);
    served = undefined;

    const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--date', '2026-11-20', '--config', cfgFile, '--db', dbFile], { encoding: 'buffer' });
    const expected = readFileSync(path.join(ROOT, 'tests/fixtures/known-day.expected.csv'));
    expect(stdout.toString('utf8')).toBe(expected.toString('utf8'));
    expect(Buffer.compare(stdout, expected)).toBe(0);
    expect(Buffer.compare(viaApi, expected)).toBe(0);

    const outFile = path.join(dir, 'day.csv');
    await run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--date', '2026-11-20', '--config', cfgFile, '--db', dbFile, '--out', outFile]);
    expect(Buffer.compare(readFileSync(outFile), expected)).toBe(0);
  });

  it('refuses bad usage with exit status 2 and words', async () => {
    const bad = await run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--date', '20-11-2026', '--db', dbFile]).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--date YYYY-MM-DD/);
    writeFileSync(path.join(dir, 'broken.json'), JSON.stringify({ ...config, lines: [{ ...config.lines[0], targetTaktS: 'fast' }] }));
    const cfg = await run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--date', '2026-11-20', '--config', path.join(dir, 'broken.json'), '--db', dbFile]).catch((e) => e);
    expect(cfg.code).toBe(2);
    expect(cfg.stderr).toMatch(/lines\[0\]\.targetTaktS/);
  });
});
