// (9) Configuration versions don't slow History (issue 9): the History day's database (bench/lib/day.ts) in
// two copies, one with a single configuration version and one with 20, each recorded as a user does it,
// `taktboard config apply --config FILE --db FILE --from DATE`:
// - both: version 1 = the bench plant, effective from 20 days before the day;
// - the 20-version copy, then 18 small changes (one line's target takt, a line's name, a break moved by a
//   few minutes), alternating effective dates before the day (which then use the latest of them) and after
//   it (which the day must skip), and last the bench plant again, effective from the day after: serve, which
//   runs with the bench plant, records nothing more (its configuration equals the newest version).
// Two serves, one per copy, are then asked the same History questions in interleaved order (A B B A …):
// the shift view (POST /api/rpc/history {date, shift: 'A'}, its own computeMs) and the daily CSV (GET
// /api/export/daily.csv, round trip). After two warm-up requests of each kind (the first is cold: page cache;
// serve's two read workers have a line cache each), the medians; the ratio is 20 versions / 1 version.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { addDays } from '../../shared/shifts.ts';
import { benchConfig } from '../lib/plant.ts';
import { PRODUCT_ROOT, removeTempDir, tempDir, type Serve } from '../lib/procs.ts';
import { median } from '../lib/stats.ts';

export const VERSIONS = 20;

export interface VersionsSide {
  versions: number;
  /** The version the day's figures use (configHistory lists them; the day's is the last recorded among those effective on or before it). */
  dayVersionId: number | null;
  firstShiftMs: number;
  firstCsvMs: number;
  shift: { computeMs: number[]; httpMs: number[] };
  csv: { httpMs: number[]; bytes: number };
}

export interface VersionsResult {
  date: string;
  applyMs: number[];
  one: VersionsSide;
  twenty: VersionsSide;
  shiftRatio: number;
  csvRatio: number;
}

type Cfg = ReturnType<typeof benchConfig>;

/** The i-th small change (1 … 18) of the bench plant. */
function changed(base: Cfg, i: number): Cfg {
  const c = structuredClone(base);
  const line = c.lines[i % c.lines.length];
  if (i % 3 === 0) line.name = `${line.name} (rev ${i})`;
  else if (i % 3 === 1) line.targetTaktS = Math.round((1 + 0.01 * i) * 1000) / 1000;
  else {
    const shift = c.shifts[i % c.shifts.length];
    const [h, m] = shift.breaks![0].start.split(':').map(Number);
    const [eh, em] = shift.breaks![0].end.split(':').map(Number);
    const fmt = (hh: number, mm: number) => `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
    shift.breaks = [{ start: fmt(h, m + (i % 10)), end: fmt(eh, em + (i % 10)) }];
  }
  return c;
}

function apply(cliConfig: string, db: string, from: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(PRODUCT_ROOT, 'bin', 'taktboard.mjs'), 'config', 'apply', '--config', cliConfig, '--db', db, '--from', from], { cwd: PRODUCT_ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`taktboard config apply --from ${from} exited with ${r.status}: ${r.stderr || r.stdout}`);
  return performance.now() - t0;
}

async function post<T>(url: string, body: unknown): Promise<{ ms: number; json: T }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`);
  return { ms, json: JSON.parse(text) as T };
}

async function csv(url: string, date: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const res = await fetch(`${url}api/export/daily.csv?date=${date}`);
  const buf = Buffer.from(await res.arrayBuffer());
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(`daily.csv: ${res.status} ${buf.toString().slice(0, 300)}`);
  return { ms, bytes: buf.length };
}

/**
 * `startServe(tag, config, db)` starts serve on a copy (run.ts adds the broker and profiling), `stopServe`
 * stops it (and collects its profile). The plant
 * config it is given is the bench plant without scheduled backups: an online copy of the day's file at
 * start would run in the middle of the measurement, in one serve and not yet in the other.
 */
export async function runVersions(
  dayFile: string,
  date: string,
  startServe: (tag: string, config: string, db: string) => Promise<Serve>,
  stopServe: (serve: Serve, tag: string) => Promise<void>,
  opts: { reps: number; csvReps: number; brokerUrl: string; log: (s: string) => void },
): Promise<VersionsResult> {
  const dir = tempDir('versions');
  try {
    const base = benchConfig({ clientId: 'taktboard-bench-versions', brokerUrl: opts.brokerUrl, extra: { storage: { backupEveryH: 0 } } });
    const write = (name: string, c: Cfg) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, JSON.stringify(c, null, 2));
      return f;
    };
    const baseFile = write('v01.json', base);
    const oneDb = path.join(dir, 'one.sqlite');
    const twentyDb = path.join(dir, 'twenty.sqlite');
    fs.copyFileSync(dayFile, oneDb);
    fs.copyFileSync(dayFile, twentyDb);
    const applyMs: number[] = [];
    applyMs.push(apply(baseFile, oneDb, addDays(date, -20)));
    applyMs.push(apply(baseFile, twentyDb, addDays(date, -20)));
    for (let i = 1; i <= VERSIONS - 2; i++) {
      // Odd: effective before the day (closer to it each time); even: after it.
      const from = i % 2 === 1 ? addDays(date, -(VERSIONS - i)) : addDays(date, 1 + (i % 5));
      applyMs.push(apply(write(`v${String(i + 1).padStart(2, '0')}.json`, changed(base, i)), twentyDb, from));
    }
    applyMs.push(apply(baseFile, twentyDb, addDays(date, 1)));
    opts.log(`  ${VERSIONS} versions recorded with taktboard config apply (${Math.round(median(applyMs))} ms each)`);

    const one = await startServe('versions-1', write('serve-1.json', { ...base, broker: { ...base.broker!, clientId: 'taktboard-bench-versions-1' } }), oneDb);
    let twenty: Serve | null = null;
    try {
      twenty = await startServe('versions-20', write('serve-20.json', { ...base, broker: { ...base.broker!, clientId: 'taktboard-bench-versions-20' } }), twentyDb);
      const sides = [
        { serve: one, side: null as VersionsSide | null },
        { serve: twenty, side: null as VersionsSide | null },
      ];
      for (const s of sides) {
        const h = await post<{ versions: { id: number; effectiveDate: string }[] }>(s.serve.url + 'api/rpc/configHistory', {});
        const applicable = h.json.versions.filter((v) => v.effectiveDate <= date);
        const dayVersion = applicable.length ? applicable[applicable.length - 1] : h.json.versions[0];
        // Warm-up, twice each: serve has two read workers, each with its own connection and line cache.
        const first = await post<{ computeMs: number }>(s.serve.url + 'api/rpc/history', { date, shift: 'A' });
        await post(s.serve.url + 'api/rpc/history', { date, shift: 'A' });
        const firstCsv = await csv(s.serve.url, date);
        await csv(s.serve.url, date);
        s.side = { versions: h.json.versions.length, dayVersionId: dayVersion?.id ?? null, firstShiftMs: first.json.computeMs, firstCsvMs: firstCsv.ms, shift: { computeMs: [], httpMs: [] }, csv: { httpMs: [], bytes: firstCsv.bytes } };
      }
      const [a, b] = sides as { serve: Serve; side: VersionsSide }[];
      if (a.side.versions !== 1 || b.side.versions !== VERSIONS) throw new Error(`expected 1 and ${VERSIONS} recorded versions, serve reports ${a.side.versions} and ${b.side.versions}`);
      // A B B A …: neither side always goes first.
      const order = (i: number) => (i % 2 === 0 ? [a, b] : [b, a]);
      for (let i = 0; i < opts.reps; i++) {
        for (const s of order(i)) {
          const r = await post<{ computeMs: number }>(s.serve.url + 'api/rpc/history', { date, shift: 'A' });
          s.side.shift.computeMs.push(r.json.computeMs);
          s.side.shift.httpMs.push(r.ms);
        }
      }
      for (let i = 0; i < opts.csvReps; i++) {
        for (const s of order(i)) {
          const r = await csv(s.serve.url, date);
          s.side.csv.httpMs.push(r.ms);
        }
      }
      for (const s of [a, b]) {
        opts.log(
          `  ${s.side.versions} version${s.side.versions > 1 ? 's' : ''} (the day uses version ${s.side.dayVersionId}): shift view compute ${s.side.shift.computeMs.map((x) => Math.round(x)).join(', ')} ms (first ${Math.round(s.side.firstShiftMs)}); daily CSV ${s.side.csv.httpMs.map((x) => Math.round(x)).join(', ')} ms (first ${Math.round(s.side.firstCsvMs)})`,
        );
      }
      return {
        date,
        applyMs,
        one: a.side,
        twenty: b.side,
        shiftRatio: median(b.side.shift.computeMs) / median(a.side.shift.computeMs),
        csvRatio: median(b.side.csv.httpMs) / median(a.side.csv.httpMs),
      };
    } finally {
      if (twenty) await stopServe(twenty, 'versions-20');
      await stopServe(one, 'versions-1');
    }
  } finally {
    removeTempDir(dir);
  }
}
