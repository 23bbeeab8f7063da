// History that stays true when the plant changes (issue 9, CONTRACT §1.4, §2.1–§2.3, §5), on a real
// SQLite file: two weeks of telemetry through mosquitto into `serve`, then configuration versions
// recorded with `taktboard config apply` and every date exported again with `taktboard export`.
//
// The plant runs in Australia/Adelaide (UTC+9:30, +10:30 from 02:00 on Sunday 2026-10-04), so shift
// windows have a half-hour offset and one night shift is an hour short. Calendar: Day and Late run
// Monday–Friday, Night on Saturdays; Monday 2026-10-05 is a holiday; Saturday 2026-10-10 is worked as
// a Monday (its Saturday Night does not run). Every expected figure below is worked out by hand from
// the telemetry this file publishes; dates are fixed, and "now" is only ever faked in the figures.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import mqtt from 'mqtt';
import { DateTime } from 'luxon';
import { requireBinary, startMosquitto } from '../helpers/brokers.ts';
import { tempDir } from '../helpers/tmp.ts';
import { startServe, type Served } from '../helpers/serve.ts';
import { untilConnected } from '../fixtures/known-day.ts';
import { openReadOnly } from '../../main/core/store/db.ts';
import { Reads } from '../../main/core/store/reads.ts';
import { listVersions } from '../../main/core/store/versions.ts';
import { dailyCsvOf } from '../../main/core/history.ts';
import { addDays } from '../../shared/shifts.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/taktboard.mjs');
const run = promisify(execFile);
const ZONE = 'Australia/Adelaide';
const FIRST = '2026-09-26';
const LAST = '2026-10-11';
const DATES: string[] = [];
for (let d = FIRST; d <= LAST; d = addDays(d, 1)) DATES.push(d);

/** Local Adelaide wall time on a date as epoch ms. */
const at = (date: string, hhmm: string) => DateTime.fromISO(`${date}T${hhmm}`, { zone: ZONE }).toMillis();

const C1 = {
  site: 'adl',
  timezone: ZONE,
  retention: { rawDays: 3650 },
  broker: { clientId: 'taktboard-history-versions', protocolVersion: 5 },
  lines: [
    { id: 'A', name: 'Cells A', targetTaktS: 60, outputStation: 'out', stations: ['s1', 'out'] },
    { id: 'B', name: 'Packs B', targetTaktS: 60, outputStation: 'b1', stations: ['b1'] },
  ],
  shifts: [
    { name: 'Day', start: '08:00', end: '16:00', breaks: [{ start: '12:00', end: '12:30' }], days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
    { name: 'Late', start: '16:00', end: '22:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
    { name: 'Night', start: '22:00', end: '06:00', days: ['sat'] },
  ],
  calendar: { holidays: ['2026-10-05'], workdays: [{ date: '2026-10-10', as: 'mon' }] },
};
type Plant = typeof C1;
const withTarget = (c: Plant, line: string, targetTaktS: number): Plant => ({ ...c, lines: c.lines.map((l) => (l.id === line ? { ...l, targetTaktS } : l)) });
/** C2: line A's target raised to 30 s. */
const C2 = withTarget(C1, 'A', 30);
/** C3: C2 with Day ending at 15:00 (a correction applied from a past date). */
const C3: Plant = { ...C2, shifts: C2.shifts.map((s) => (s.name === 'Day' ? { ...s, end: '15:00' } : s)) };
/** C4: C3 with station b0, which published all along, adopted into line B. */
const C4: Plant = { ...C3, lines: C3.lines.map((l) => (l.id === 'B' ? { ...l, stations: ['b0', 'b1'] } : l)) };
/** C5: C4 with line A at 45 s, scheduled. */
const C5 = withTarget(C4, 'A', 45);

/**
 * Every date of the fortnight, whatever its calendar (so a holiday's and a Sunday's telemetry is there
 * and must not count): A's output `out` makes 60 units 08:00–09:58 (one per 120 s) and, on Saturdays,
 * 24 units 22:00–23:55 (one per 300 s); B's `b1` the same 60 day units; b0, not configured at first,
 * is down for "jam" 09:00–09:30.
 */
function fortnight(): { topic: string; payload: string }[] {
  const seq = new Map<string, number>();
  const out: { topic: string; payload: string }[] = [];
  const send = (line: string, station: string, event: 'cycle' | 'state', body: Record<string, unknown>) => {
    const key = `${line}/${station}`;
    const n = (seq.get(key) ?? 0) + 1;
    seq.set(key, n);
    out.push({ topic: `factory/adl/${line}/${station}/${event}`, payload: JSON.stringify({ seq: n, ...body }) });
  };
  for (const date of DATES) {
    const t0 = at(date, '08:00');
    for (let k = 0; k < 60; k++) {
      send('A', 'out', 'cycle', { ts: t0 + k * 120_000, cycle_ms: 50_000 });
      send('B', 'b1', 'cycle', { ts: t0 + k * 120_000, cycle_ms: 40_000 });
    }
    send('B', 'b0', 'state', { ts: at(date, '09:00'), state: 'down', reason: 'jam' });
    send('B', 'b0', 'state', { ts: at(date, '09:30'), state: 'running' });
    if (DateTime.fromISO(date).weekday === 6) {
      const n0 = at(date, '22:00');
      for (let k = 0; k < 24; k++) send('A', 'out', 'cycle', { ts: n0 + k * 300_000, cycle_ms: 50_000 });
    }
  }
  return out;
}

type Row = Record<string, string>;
/** The daily CSV's rows by "line/shift" (CONTRACT §4; no cell here needs quoting). */
function rows(csv: string): Map<string, Row> {
  const [header, ...lines] = csv.replace(/^\uFEFF/, '').split('\r\n').filter((l) => l !== '');
  const cols = header.split(',');
  const byKey = new Map<string, Row>();
  for (const l of lines) {
    const cells = l.split(',');
    const row = Object.fromEntries(cols.map((c, i) => [c, cells[i]]));
    byKey.set(`${row.line}/${row.shift}`, row);
  }
  return byKey;
}
const shiftsOf = (csv: string, line: string) => [...rows(csv).values()].filter((r) => r.line === line).map((r) => r.shift);

describe.skipIf(!requireBinary('mosquitto'))('configuration versions, the working calendar and shifts so far, on a real SQLite file', () => {
  const dir = tempDir('history-versions');
  const dbFile = path.join(dir, 'plant.sqlite');
  const file = (name: string, c: Plant) => {
    const f = path.join(dir, `${name}.json`);
    writeFileSync(f, JSON.stringify(c));
    return f;
  };
  const cli = async (...args: string[]) => {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    return { stdout, stderr };
  };
  /**
   * Every date's daily CSV as `taktboard export` makes it (the database's versions, now): in-process for
   * the fortnight, and one date (`viaCli`) through the command itself, which must give the same bytes.
   */
  const exportAll = async (viaCli: string) => {
    const db = openReadOnly(dbFile);
    const csv = new Map<string, string>();
    try {
      const versions = listVersions(db);
      for (const date of DATES) csv.set(date, dailyCsvOf(new Reads(db), { versions, date, now: Date.now() }).csv);
    } finally {
      db.close();
    }
    expect((await cli('export', '--date', viaCli, '--db', dbFile)).stdout).toBe(csv.get(viaCli));
    return csv;
  };
  const history = async () => (await cli('config', 'history', '--db', dbFile)).stdout.trimEnd().split('\n');
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let served: Served | undefined;
  let unconfiguredSeen: { line: string; station: string; lineConfigured: boolean; messages: number }[] = [];
  const exports: Map<string, string>[] = [];

  beforeAll(async () => {
    // The plant's first version, effective long before its telemetry; serve then runs the same file
    // (so it records nothing new) and stores the fortnight.
    await cli('config', 'apply', '--config', file('c1', C1), '--from', '2026-09-01', '--db', dbFile);
    broker = await startMosquitto({ extraConf: 'max_queued_messages 0' }); // the fortnight is published at once: keep every queued message
    served = await startServe(['--config', path.join(dir, 'c1.json'), '--db', dbFile, '--broker', broker.url]);
    await untilConnected(served.url);
    const msgs = fortnight();
    const pub = await mqtt.connectAsync(broker.url, { clientId: `history-versions-pub-${process.pid}` });
    await Promise.all(msgs.map((m) => pub.publishAsync(m.topic, m.payload, { qos: 1 })));
    await pub.endAsync();
    const deadline = Date.now() + 60_000;
    let stored = 0;
    while ((stored = (await (await fetch(served.url + 'api/live')).json()).counters.stored) < msgs.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(stored).toBe(msgs.length);
    unconfiguredSeen = (await (await fetch(served.url + 'api/rpc/diagnostics', { method: 'POST', body: '{}' })).json()).unconfigured;
    expect(await served.stop()).toBe(0);
    served = undefined;
    exports.push(await exportAll('2026-09-28'));
  }, 180_000);
  afterAll(async () => {
    await served?.stop();
    await broker?.stop();
  });

  it('keeps and shows a station telemetry names before the configuration lists it', () => {
    expect(unconfiguredSeen).toEqual([expect.objectContaining({ line: 'B', station: 'b0', lineConfigured: true, messages: 2 * DATES.length })]);
    // …and it takes no part in line B's figures while no version lists it.
    for (const date of DATES) for (const r of rows(exports[0].get(date)!).values()) if (r.line === 'B') expect(r.downtime_s, `${date} ${r.shift}`).toBe('0.0');
  });

  it('runs shifts on their weekdays, none on a holiday, and a make-up Saturday as a Monday, in a half-hour zone across DST', () => {
    const csv = exports[0];
    expect(shiftsOf(csv.get('2026-09-28')!, 'A')).toEqual(['Day', 'Late', 'ALL']); // Monday
    expect(shiftsOf(csv.get('2026-09-26')!, 'A')).toEqual(['Night', 'ALL']); // Saturday
    expect(shiftsOf(csv.get('2026-10-10')!, 'A')).toEqual(['Day', 'Late', 'ALL']); // Saturday worked as a Monday: no Night
    for (const offDay of ['2026-10-04', '2026-10-05', '2026-10-11']) {
      // Sundays and the holiday: only ALL rows, no planned time, no target, and the day's telemetry counts nowhere.
      const all = rows(csv.get(offDay)!);
      expect([...all.keys()], offDay).toEqual(['A/ALL', 'B/ALL']);
      expect(all.get('A/ALL')).toMatchObject({ planned_s: '0.0', units: '0', target_units: '0', status: 'complete' });
    }
    const monday = rows(csv.get('2026-09-28')!);
    expect(monday.get('A/Day')).toMatchObject({ target_takt_s: '60.000', planned_s: '27000.0', units: '60', target_units: '450', status: 'complete' });
    expect(monday.get('A/Late')).toMatchObject({ planned_s: '21600.0', units: '0', target_units: '360' });
    expect(monday.get('A/ALL')).toMatchObject({ planned_s: '48600.0', units: '60', target_units: '810' });
    // Saturday Night before the change: 8 h; the night into Sunday 2026-10-04 loses the hour the clocks skip.
    expect(rows(csv.get('2026-09-26')!).get('A/Night')).toMatchObject({ planned_s: '28800.0', units: '24', target_units: '480' });
    expect(rows(csv.get('2026-10-03')!).get('A/Night')).toMatchObject({ planned_s: '25200.0', units: '24', target_units: '420' });
    expect(rows(csv.get('2026-10-10')!).get('A/Day')).toMatchObject({ planned_s: '27000.0', units: '60', target_units: '450' });
  });

  it('a raised target leaves every earlier date byte-identical and applies from its date on', async () => {
    const applied = await cli('config', 'apply', '--config', file('c2', C2), '--from', '2026-10-07', '--db', dbFile);
    expect(applied.stdout).toMatch(/^recorded version 2, effective from 2026-10-07: /);
    expect(applied.stderr).toMatch(/effective from a past date: the figures of 2026-10-07 to \d{4}-\d\d-\d\d change with it/);
    exports.push(await exportAll('2026-10-08'));
    for (const date of DATES) {
      if (date < '2026-10-07') expect(exports[1].get(date), date).toBe(exports[0].get(date));
      else expect(exports[1].get(date), date).not.toBe(exports[0].get(date));
    }
    const thursday = rows(exports[1].get('2026-10-08')!);
    expect(thursday.get('A/Day')).toMatchObject({ target_takt_s: '30.000', planned_s: '27000.0', target_units: '900', units: '60' });
    expect(thursday.get('B/Day')).toMatchObject({ target_takt_s: '60.000', target_units: '450' });
    const lines = await history();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\s+1 {2}effective 2026-09-01 {2}recorded \S+ by config apply/);
    expect(lines[1]).toMatch(/^\s+2 {2}effective 2026-10-07 {2}recorded \S+ by config apply .*A/);
  });

  it('a correction from a past date changes exactly the dates from it on, replacing what was saved before for them', async () => {
    await cli('config', 'apply', '--config', file('c3', C3), '--from', '2026-10-01', '--db', dbFile);
    exports.push(await exportAll('2026-10-02'));
    // From 2026-10-01 the correction (recorded last) decides, also over the change saved before it from
    // 2026-10-07: Day ends at 15:00 and, as the correction holds, A runs at 30 s.
    for (const date of DATES) {
      const csv = exports[2].get(date)!;
      if (date < '2026-10-01') expect(csv, date).toBe(exports[0].get(date));
      else {
        expect(csv, date).not.toBe(exports[0].get(date));
        expect(rows(csv).get('A/ALL')!.target_takt_s, date).toBe('30.000');
        if (rows(csv).has('A/Day')) expect(rows(csv).get('A/Day')!.planned_s, date).toBe('23400.0');
      }
    }
    expect(rows(exports[2].get('2026-10-01')!).get('A/Day')).toMatchObject({ target_takt_s: '30.000', planned_s: '23400.0', target_units: '780' });
    expect(rows(exports[2].get('2026-10-09')!).get('A/Day')).toMatchObject({ target_takt_s: '30.000', planned_s: '23400.0', target_units: '780' });
    expect(rows(exports[2].get('2026-09-30')!).get('A/Day')).toMatchObject({ target_takt_s: '60.000', planned_s: '27000.0', target_units: '450' });
  });

  it('an adopted station counts from the effective date of the version that lists it, with the events stored before', async () => {
    await cli('config', 'apply', '--config', file('c4', C4), '--from', '2026-10-08', '--db', dbFile);
    exports.push(await exportAll('2026-10-09'));
    for (const date of DATES.filter((d) => d < '2026-10-08')) expect(exports[3].get(date), date).toBe(exports[2].get(date));
    expect(rows(exports[3].get('2026-10-07')!).get('B/Day')).toMatchObject({ downtime_s: '0.0', top_down_reason: '' });
    for (const date of ['2026-10-08', '2026-10-09', '2026-10-10']) {
      expect(rows(exports[3].get(date)!).get('B/Day'), date).toMatchObject({ downtime_s: '1800.0', top_down_reason: 'jam', top_down_reason_s: '1800.0' });
    }
    const stops = async (date: string) => (await cli('export', '--stops', '--date', date, '--db', dbFile)).stdout;
    expect(await stops('2026-10-07')).not.toMatch(/,b0,/);
    expect(await stops('2026-10-08')).toMatch(/,B,b0,.*jam/);
  });

  it('a scheduled version takes effect on its date; a shift not over is taken so far and says so', async () => {
    await cli('config', 'apply', '--config', file('c5', C5), '--from', '2026-10-09', '--db', dbFile);
    const lines = await history();
    expect(lines.map((l) => /effective (\S+)/.exec(l)![1])).toEqual(['2026-09-01', '2026-10-07', '2026-10-01', '2026-10-08', '2026-10-09']);
    const db = openReadOnly(dbFile);
    try {
      const versions = listVersions(db);
      const csvAt = (date: string, now: string) => rows(dailyCsvOf(new Reads(db), { versions, date, now: at(now.slice(0, 10), now.slice(11)) }).csv);
      // Thursday 12:00: the Day shift so far (08:00–12:00, 4 h) on the version in force; Late not begun.
      const thursday = csvAt('2026-10-08', '2026-10-08T12:00');
      expect(thursday.get('A/Day')).toMatchObject({ target_takt_s: '30.000', planned_s: '14400.0', units: '60', target_units: '480', status: 'in_progress' });
      expect(thursday.get('A/Late')).toMatchObject({ planned_s: '0.0', units: '0', target_units: '0', attainment_pct: '', status: 'not_started' });
      expect(thursday.get('A/ALL')).toMatchObject({ planned_s: '14400.0', status: 'in_progress' });
      // The next day, not begun at that time, is already planned on the scheduled version.
      expect(csvAt('2026-10-09', '2026-10-08T12:00').get('A/ALL')).toMatchObject({ target_takt_s: '45.000', planned_s: '0.0', status: 'not_started' });
      // Friday 10:00: the scheduled target holds; two hours so far, 60 units made.
      const friday = csvAt('2026-10-09', '2026-10-09T10:00');
      expect(friday.get('A/Day')).toMatchObject({ target_takt_s: '45.000', planned_s: '7200.0', units: '60', target_units: '160', status: 'in_progress' });
      // Thursday is over by then and is the same as the CLI's export of it.
      const over = dailyCsvOf(new Reads(db), { versions, date: '2026-10-08', now: at('2026-10-09', '10:00') }).csv;
      expect(over).toBe(exports[3].get('2026-10-08'));
      expect(rows(over).get('A/ALL')!.status).toBe('complete');
    } finally {
      db.close();
    }
  });
});
