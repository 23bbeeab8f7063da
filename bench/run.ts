// `npm run bench` — Taktboard's throughput, latency, history, memory and screen figures, each against the
// raw limits measured in the same run, with pass/fail against the goals of issue 5. Real components only:
// mosquitto and `taktboard serve` as child processes, mqtt.js publishers, Debian's Chromium.
//
//   npm run bench                       full run (~7 min on the 2-core machine)
//   npm run bench -- --quick            ~1–2 min: fewer repetitions, shorter steps
//   npm run bench -- --only=ingest,latency   some phases (sqlite, ingest, external, latency, memory, history, screens)
//   npm run bench -- --profile          serve runs with --cpu-prof; top functions printed per phase
//   npm run bench -- --fresh-day        regenerate the History day even if bench/.cache has it
//
// Prints a Markdown table (figure, value, goal, ratio, result) and writes bench/results.json.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setLogLevel } from '../main/core/log.ts';
import { localDate } from '../shared/shifts.ts';
import { SCHEMA_VERSION } from '../main/core/store/db.ts';
import { LINES, RAW_SITE, SITE, TIMEZONE, writeConfig } from './lib/plant.ts';
import { PRODUCT_ROOT, ROOT, forkChild, killAllSync, startMosquitto, startServe, sleep, stopProcess, tempDir, type Child, type Mosquitto, type Serve } from './lib/procs.ts';
import { fmt, markdownTable, passes, pct, type Figure } from './lib/report.ts';
import { median, spread, round } from './lib/stats.ts';
import { newestProfile, summarizeProfile, type ProfileSummary } from './lib/profile.ts';
import { describeSqlite, runSqlite, type SqliteResult } from './phases/sqlite.ts';
import { runIngest, storedCounter, type IngestResult } from './phases/ingest.ts';
import { externalFigures, runExternal, type ExternalResult } from './phases/external.ts';
import { runLatency, type LatencyResult } from './phases/latency.ts';
import { runMemory, type MemoryResult } from './phases/memory.ts';
import { runHistory, type HistoryResult } from './phases/history.ts';
import { CHROMIUM, runScreens, type ScreensResult } from './phases/screens.ts';
import type { DayInfo } from './lib/day.ts';

const PHASES = ['sqlite', 'ingest', 'external', 'latency', 'memory', 'history', 'screens'] as const;
type Phase = (typeof PHASES)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'fresh-day': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(ROOT, 'bench', 'results.json') },
  },
});
const quick = values.quick!;
const only = new Set<Phase>((values.only?.split(',').map((s) => s.trim()) ?? PHASES) as Phase[]);
for (const p of only) if (!PHASES.includes(p)) throw new Error(`--only: unknown phase "${p}" (${PHASES.join(', ')})`);

const S = quick
  ? {
      sqlite: { reps: 1, perTxRows: 8_000, batchRows: 100_000 },
      ingest: { rawReps: 1, rawMs: 2500, ladder: [2000, 6000, 10_000, 14_000], refine: 1, stepMs: 2500, maxInflight: 2000 },
      external: { rounds: 2, messages: 40_000, roundTimeoutMs: 60_000 },
      latency: { rates: [300, 5000], reps: 1, durationMs: 3000 },
      memory: { wallMs: 15_000, rate: 1000 },
      history: { reps: 2, csvReps: 1 },
      screens: { loads: 2, windows: 2, windowMs: 3000 },
    }
  : {
      sqlite: { reps: 3, perTxRows: 20_000, batchRows: 200_000 },
      ingest: { rawReps: 3, rawMs: 4000, ladder: [2000, 5000, 8000, 10_000, 12_000, 14_000, 16_000, 18_000, 20_000], refine: 2, stepMs: 4000, maxInflight: 2000 },
      // One mosquitto_pub per round: it cannot send more than 65 535 lines reliably (see external.ts).
      external: { rounds: 5, messages: 60_000, roundTimeoutMs: 90_000 },
      latency: { rates: [300, 5000], reps: 3, durationMs: 5000 },
      memory: { wallMs: 90_000, rate: 1000 },
      history: { reps: 5, csvReps: 3 },
      screens: { loads: 5, windows: 3, windowMs: 5000 },
    };

// The product's own logger in this process (SQLite baseline, day generation) stays quiet but for errors.
setLogLevel('error');
const started = Date.now();
const log = (s: string) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${s}`);
const WATCHDOG_MS = quick ? 8 * 60_000 : 15 * 60_000;

process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`bench: ${sig}, stopping every process it started`);
    killAllSync();
    process.exit(130);
  });
}
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 60_000} min, giving up`);
  killAllSync();
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

const errors: { phase: string; error: string }[] = [];
const profiles: Record<string, ProfileSummary> = {};
const work = tempDir('run');
const profileRoot = path.join(ROOT, 'bench', 'profiles');

async function phase<T>(name: Phase, fn: () => Promise<T>): Promise<T | null> {
  if (!only.has(name)) return null;
  log(`${name} …`);
  const t0 = performance.now();
  try {
    const r = await fn();
    log(`${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return r;
  } catch (e) {
    const msg = (e as Error).stack ?? String(e);
    errors.push({ phase: name, error: msg });
    log(`${name} FAILED: ${msg}`);
    return null;
  }
}

function profileArgs(tag: string): string[] {
  if (!values.profile) return [];
  const dir = path.join(profileRoot, tag);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', '--cpu-prof-dir', dir];
}

async function stopServe(s: Serve, tag: string): Promise<void> {
  const code = await s.stop();
  if (code !== 0) log(`serve (${tag}) exited with ${code}:\n${s.output().slice(-3000)}`);
  if (values.profile) {
    const file = newestProfile(path.join(profileRoot, tag));
    if (file) profiles[tag] = summarizeProfile(file, ['commitEvent', 'groupCommit', 'handleBatch', 'handle', 'parsePayload', 'onEvent', 'snapshot', 'historyView', 'dailyCsvOf', 'computeFigures', 'cycles', 'states']);
  }
}

async function newServe(tag: string, mq: Mosquitto, extra: { db?: string } = {}): Promise<Serve> {
  const dir = path.join(work, tag);
  fs.mkdirSync(dir, { recursive: true });
  const config = writeConfig(dir, { clientId: `taktboard-bench-${tag}`, brokerUrl: mq.url });
  return startServe({ config, db: extra.db ?? path.join(dir, 'serve.sqlite'), broker: mq.url, nodeArgs: profileArgs(tag) });
}

// ---- the History day: cached by what it depends on ------------------------------------------------

const dayDate = localDate(TIMEZONE, Date.now() - 48 * 3600_000);
function dayCacheFile(): string {
  const h = crypto.createHash('sha256');
  for (const f of ['bench/lib/day.ts', 'bench/lib/plant.ts', 'main/core/store/store.ts', 'main/core/store/db.ts', 'main/core/simulator/simulator.ts', 'main/core/simulator/calendar.ts']) {
    h.update(fs.readFileSync(path.join(ROOT, f)));
  }
  h.update(`schema ${SCHEMA_VERSION}`);
  return path.join(ROOT, 'bench', '.cache', `day-${dayDate}-${h.digest('hex').slice(0, 12)}.sqlite`);
}

interface DayJob {
  file: string;
  reused: boolean;
  done: Promise<DayInfo | null>;
}

async function startDay(): Promise<DayJob> {
  const file = dayCacheFile();
  const infoFile = file.replace(/\.sqlite$/, '.json');
  if (!values['fresh-day'] && fs.existsSync(file) && fs.existsSync(infoFile)) {
    return { file, reused: true, done: Promise.resolve(JSON.parse(fs.readFileSync(infoFile, 'utf8')) as DayInfo) };
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Old cached days are of no further use.
  for (const f of fs.readdirSync(path.dirname(file))) if (f.startsWith('day-')) fs.rmSync(path.join(path.dirname(file), f), { force: true });
  const tmp = file + '.partial';
  const child = await forkChild('gen-day.ts', [tmp, dayDate]);
  child.send({ type: 'run' });
  const done = child
    .next<{ info: DayInfo }>((m) => m.type === 'generated', 10 * 60_000)
    .then(async (m) => {
      await child.stop();
      fs.renameSync(tmp, file);
      for (const sfx of ['-wal', '-shm']) fs.rmSync(tmp + sfx, { force: true });
      fs.writeFileSync(infoFile, JSON.stringify(m.info));
      return m.info;
    });
  return { file, reused: false, done };
}

// ---- the run -----------------------------------------------------------------------------------

const results: {
  sqlite?: SqliteResult | null;
  ingest?: IngestResult | null;
  external?: ExternalResult | null;
  latency?: LatencyResult | null;
  memory?: (MemoryResult & { day?: string }) | null;
  history?: (HistoryResult & { day: DayInfo | null; reused: boolean; startMs: number; emptyStartMs: number | null }) | null;
  screens?: ScreensResult | null;
} = {};

if (PRODUCT_ROOT !== ROOT) log(`benchmarking the product in ${PRODUCT_ROOT} (TAKTBOARD_BENCH_PRODUCT); in-process baselines use this checkout`);
log(`${quick ? 'quick' : 'full'} run on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; node ${process.version}`);

results.sqlite = await phase('sqlite', async () => runSqlite(S.sqlite));

let mq: Mosquitto | null = null;
let pub: Child | null = null;
const needBroker = ['ingest', 'latency', 'memory', 'history', 'screens'].some((p) => only.has(p as Phase));
if (needBroker) {
  mq = await startMosquitto();
  pub = await forkChild('publisher.ts', [mq.url, `bench-pub-${process.pid}`]);
}

if (only.has('ingest') || only.has('latency')) {
  const serve = await newServe('ingest', mq!);
  const counter = storedCounter(serve.dbPath);
  try {
    results.ingest = await phase('ingest', async () => {
      const raw = await forkChild('raw-sub.ts', [mq!.url, RAW_SITE]);
      let rawCount = 0;
      raw.on((m) => {
        if (m.type === 'count') rawCount = m.received as number;
      });
      try {
        await sleep(500);
        const r = await runIngest(pub!, { name: 'raw', site: RAW_SITE, count: () => rawCount, pid: raw.pid }, { name: 'serve', site: SITE, count: counter.count, pid: serve.pid }, { broker: mq!.pid }, { ...S.ingest, log });
        const t = counter.totals();
        return { ...r, ...t };
      } finally {
        await raw.stop();
      }
    });
    results.latency = await phase('latency', () => runLatency(pub!, serve.url, SITE, counter.count, { ...S.latency, log }));
  } finally {
    counter.close();
    await stopServe(serve, 'ingest');
  }
}

// A broker of its own: the shared one still holds the ingest serve's persistent session, which would
// queue every message published to the plant's topics; and nothing else is connected to it.
if (only.has('external')) {
  results.external = await phase('external', async () => {
    const broker = await startMosquitto();
    try {
      const serve = await newServe('external', broker);
      try {
        return await runExternal(broker, serve, { ...S.external, log });
      } finally {
        await stopServe(serve, 'external');
      }
    } finally {
      await broker.stop();
    }
  });
}

let day: DayJob | null = null;
if (only.has('history')) {
  day = await startDay();
  log(day.reused ? `History day ${dayDate} reused from ${path.relative(ROOT, day.file)}` : `generating the History day ${dayDate} in a child process (while the memory phase runs)`);
}

/** serve's start on an empty database, the reference for its start on the History day's. */
let emptyStartMs: number | null = null;
if (only.has('memory')) {
  const serve = await newServe('memory', mq!);
  emptyStartMs = serve.startMs;
  const counter = storedCounter(serve.dbPath);
  try {
    results.memory = await phase('memory', () => runMemory(pub!, serve, SITE, counter.count, { ...S.memory, log }));
  } finally {
    counter.close();
    await stopServe(serve, 'memory');
  }
}

if (only.has('history')) {
  results.history = await phase('history', async () => {
    const info = await day!.done;
    log(`History day: ${info?.events ?? '?'} events${day!.reused ? ' (cached)' : ` generated in ${round((info?.generateMs ?? 0) / 1000, 1)} s`}`);
    // serve gets its own copy, so the cached file is never touched by a running app (WAL, migrations).
    const dir = path.join(work, 'history');
    fs.mkdirSync(dir, { recursive: true });
    const db = path.join(dir, 'day.sqlite');
    fs.copyFileSync(day!.file, db);
    const serve = await newServe('history', mq!, { db });
    try {
      log(`  serve ready with the day's database in ${Math.round(serve.startMs)} ms (empty database: ${emptyStartMs === null ? 'not measured' : `${Math.round(emptyStartMs)} ms`})`);
      const r = await runHistory(serve.url, dayDate, { ...S.history, log });
      return { ...r, day: info, reused: day!.reused, startMs: serve.startMs, emptyStartMs };
    } finally {
      await stopServe(serve, 'history');
    }
  });
}

if (only.has('screens')) {
  results.screens = await phase('screens', async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
    const serve = await newServe('screens', mq!);
    const counter = storedCounter(serve.dbPath);
    const config = path.join(work, 'screens', `taktboard-bench-screens.json`);
    const { spawn } = await import('node:child_process');
    // `taktboard simulate` publishes the 10 lines live, after 10 minutes of backfill for the sparklines.
    const sim = spawn(process.execPath, [path.join(PRODUCT_ROOT, 'bin', 'taktboard.mjs'), 'simulate', '--broker', mq!.url, '--config', config, '--backfill', '10m', '--seed', '7'], {
      cwd: PRODUCT_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let simOut = '';
    sim.stderr!.on('data', (d) => (simOut = (simOut + d).slice(-5000)));
    try {
      const until = performance.now() + 60_000;
      // Backfill stored (10 lines × 5 stations × ~600 s) and the live feed going.
      while (performance.now() < until && counter.count() < LINES * 5 * 500) await sleep(200);
      if (counter.count() < LINES * 5 * 500) throw new Error(`simulate did not fill the lines (stored ${counter.count()}):\n${simOut}`);
      await sleep(2000);
      return await runScreens(serve.url, { ...S.screens, lines: LINES, log });
    } finally {
      await stopProcess(sim, 'SIGTERM', 5000);
      counter.close();
      await stopServe(serve, 'screens');
    }
  });
}

await pub?.stop();
await mq?.stop();

// ---- the table ---------------------------------------------------------------------------------

const figures: Figure[] = [];
const ratioToGoal = (v: number, target: number) => (Number.isFinite(v) ? `${(v / target).toFixed(2)}× goal` : '—');
const sq = results.sqlite;
const ing = results.ingest;
if (ing) {
  figures.push({
    id: 'raw.mqtt_qos1_receive',
    section: '1',
    name: 'Raw: mqtt.js QoS 1 receive, no storage (same broker and publisher, saturated)',
    value: ing.rawRate,
    unit: 'msg/s',
    ratio: 'reference',
    detail: `${ing.raw.map((r) => Math.round(r.delivered)).join(', ')} msg/s; publisher offered ${spread(ing.raw.map((r) => r.offered))} msg/s; CPU (cores) subscriber ${median(ing.raw.map((r) => r.cpu.receiver)).toFixed(2)}, mosquitto ${median(ing.raw.map((r) => r.cpu.broker)).toFixed(2)}, publisher ${median(ing.raw.map((r) => r.cpu.publisher)).toFixed(2)}`,
  });
}
if (sq) {
  figures.push({ id: 'raw.sqlite_1_per_tx', section: '1', name: 'Raw: better-sqlite3 INSERT of the same rows, 1 row per transaction', value: median(sq.oneRowPerTx), unit: 'rows/s', ratio: 'reference', detail: describeSqlite(sq) });
  figures.push({ id: 'raw.sqlite_1000_per_tx', section: '1', name: 'Raw: better-sqlite3 INSERT of the same rows, 1 000 rows per transaction', value: median(sq.batch1000), unit: 'rows/s', ratio: 'reference' });
  figures.push({
    id: 'info.store_commit',
    section: '1',
    name: 'Product commit path without MQTT (Store.commitEvent, 1 message per transaction)',
    value: median(sq.storeCommit),
    unit: 'msg/s',
    ratio: `${pct(median(sq.storeCommit) / median(sq.oneRowPerTx))} of 1 row/tx INSERT`,
  });
  figures.push({
    id: 'info.store_group_commit',
    section: '1',
    name: 'Product commit path without MQTT (Store.groupCommit, 1 000 messages per transaction)',
    value: median(sq.storeGroupCommit),
    unit: 'msg/s',
    ratio: `${pct(median(sq.storeGroupCommit) / median(sq.batch1000))} of 1 000 rows/tx INSERT`,
  });
}
if (ing) {
  const ratio = ing.sustained / ing.rawRate;
  const sqlite1 = sq ? median(sq.oneRowPerTx) : Number.NaN;
  figures.push({
    id: 'ingest.sustained',
    section: '2',
    name: 'Ingest: serve sustained, ack after commit (highest offered load kept up)',
    value: ing.sustained,
    unit: 'msg/s',
    goal: { op: '>=', target: 10_000, unit: 'msg/s' },
    ratio: `${pct(ratio)} of raw QoS 1${sq ? `; ${pct(ing.sustained / sqlite1)} of SQLite 1 row/tx` : ''}${ing.publisherLimited ? '; kept up with all the publisher could offer (a lower bound)' : ''}`,
    detail: ing.ladder.map((s) => `${s.requested}: stored ${Math.round(s.delivered)} of ${Math.round(s.offered)} msg/s, ${s.backlog} behind, ${s.keptUp ? 'kept up' : 'fell behind'}, serve CPU ${s.cpu.receiver.toFixed(2)}`).join('; '),
  });
  figures.push({
    id: 'ingest.sustained_vs_raw',
    section: '2',
    name: 'Ingest: sustained rate / raw QoS 1 receive rate (same run)',
    value: 100 * ratio,
    unit: '%',
    shown: `${Math.round(100 * ratio)} %`,
    goal: { op: '>=', target: 60, unit: '%' },
    ratio: `${fmt(ing.sustained)} / ${fmt(ing.rawRate)} msg/s`,
  });
  const sat = ing.saturated;
  figures.push({
    id: 'info.ingest_saturated',
    section: '2',
    name: 'Ingest: serve with the publisher flat out / draining the queue with the publisher idle',
    value: sat.drainRate,
    unit: 'msg/s',
    shown: sat.backlog > 0 ? `${fmt(sat.delivered)} / ${fmt(sat.drainRate)} msg/s` : `${fmt(sat.delivered)} msg/s / nothing queued`,
    ratio: sat.backlog > 0 ? `${pct(sat.delivered / ing.rawRate)} / ${pct(sat.drainRate / ing.rawRate)} of raw QoS 1` : `${pct(sat.delivered / ing.rawRate)} of raw QoS 1; kept up, no queue to drain`,
    detail: `serve CPU ${sat.cpu.receiver.toFixed(2)} cores, mosquitto ${sat.cpu.broker.toFixed(2)}, publisher ${sat.cpu.publisher.toFixed(2)} while the publisher sent ${fmt(sat.offered)} msg/s; ${sat.backlog} queued at mosquitto when it stopped`,
  });
  const lost = ing.published - ing.stored;
  figures.push({
    id: 'ingest.lost',
    section: '2',
    name: 'Ingest: messages lost or stored twice (all ingest and latency steps)',
    value: Math.abs(lost) + ing.duplicates,
    unit: 'msg',
    shown: `${lost} lost, ${ing.duplicates} duplicates of ${fmt(ing.published)}`,
    goal: { op: '<=', target: 0, unit: 'msg' },
    ratio: ing.gaps ? `${ing.gaps} seq gaps` : 'no seq gaps',
  });
}
if (results.external) figures.push(...externalFigures(results.external));
const lat = results.latency;
if (lat) {
  for (const rate of Object.keys(lat.byRate).map(Number)) {
    const b = lat.byRate[rate];
    const push = median(b.reps.map((r) => r.pushIntervalMs));
    figures.push({
      id: `latency.${rate}`,
      section: '3',
      name: `Live latency publish → WebSocket snapshot at ${fmt(rate)} msg/s, p50 / p95 / p99`,
      value: b.p95,
      unit: 'ms',
      shown: `${Math.round(b.p50)} / ${Math.round(b.p95)} / ${Math.round(b.p99)} ms`,
      goal: rate >= 5000 ? { op: '<', target: 500, unit: 'ms (p95)' } : undefined,
      ratio: `p95 = ${(b.p95 / push).toFixed(2)}× the ${Math.round(push)} ms push interval`,
      detail: b.reps.map((r) => `${r.resolved}/${r.published} msgs, p95 ${Math.round(r.p95)} ms, max ${Math.round(r.max)} ms`).join('; '),
    });
  }
}
const hist = results.history;
if (hist) {
  const shiftMs = median(hist.shift.computeMs);
  figures.push({
    id: 'history.shift_view',
    section: '4',
    name: `History: compute a shift view (shift A, ${LINES} lines, generated day)`,
    value: shiftMs,
    unit: 'ms',
    goal: { op: '<', target: 50, unit: 'ms' },
    ratio: ratioToGoal(shiftMs, 50),
    detail: `compute ${spread(hist.shift.computeMs)} ms; HTTP round trip ${spread(hist.shift.httpMs)} ms; ${Math.round(hist.shift.bytes / 1024)} KiB`,
  });
  figures.push({
    id: 'history.payload_shift',
    section: '4',
    name: 'History: whole payload of a shift view over HTTP (compute + JSON + transfer)',
    value: median(hist.shift.httpMs),
    unit: 'ms',
    shown: `${fmt(median(hist.shift.httpMs), 'ms')} (${Math.round(hist.shift.bytes / 1024)} KiB)`,
    ratio: `${pct(shiftMs / median(hist.shift.httpMs))} of it is compute`,
  });
  figures.push({
    id: 'history.payload_day',
    section: '4',
    name: 'History: whole payload of the day view (shift ALL) over HTTP',
    value: median(hist.all.httpMs),
    unit: 'ms',
    shown: `${fmt(median(hist.all.httpMs), 'ms')} (${Math.round(hist.all.bytes / 1024)} KiB)`,
    ratio: `${pct(median(hist.all.computeMs) / median(hist.all.httpMs))} of it is compute`,
  });
  const csvMs = median(hist.csv.httpMs);
  figures.push({
    id: 'history.daily_csv',
    section: '4',
    name: 'History: daily CSV of the generated day over HTTP',
    value: csvMs,
    unit: 'ms',
    goal: { op: '<', target: 1000, unit: 'ms' },
    ratio: ratioToGoal(csvMs, 1000),
    detail: `${spread(hist.csv.httpMs)} ms; ${hist.csv.rows} rows; day: ${hist.day?.events ?? '?'} events (${hist.day?.cycles ?? '?'} cycles, ${hist.day?.states ?? '?'} states, ${hist.day?.rejects ?? '?'} rejects)`,
  });
  figures.push({
    id: 'info.start_with_day',
    section: '4',
    name: `Start-up: serve ready (URL printed) with the generated day's database (${hist.day ? `${(hist.day.events / 1e6).toFixed(1)} M events, ${Math.round(hist.day.dbBytes / 2 ** 20)} MiB` : 'cached'})`,
    value: hist.startMs,
    unit: 'ms',
    ratio: hist.emptyStartMs === null ? 'empty database not measured (memory phase off)' : `${(hist.startMs / hist.emptyStartMs).toFixed(2)}× the start on an empty database (${fmt(hist.emptyStartMs, 'ms')}); quick_check runs in the background above 256 MiB`,
  });
}
const mem = results.memory;
if (mem) {
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  figures.push({
    id: 'memory.rss_growth',
    section: '5',
    name: `Memory: serve RSS growth over an accelerated 8-h shift at ${fmt(mem.rate)} msg/s`,
    value: 100 * mem.growth,
    unit: '%',
    shown: `${mem.growth >= 0 ? '+' : ''}${(100 * mem.growth).toFixed(1)} % (${mib(mem.rssWarm)} → ${mib(mem.rssEnd)} MiB)`,
    goal: { op: '<', target: 10, unit: '%' },
    ratio: `peak ${mib(mem.rssPeak)} MiB; ${fmt(mem.published)} msgs, 8 h of ts in ${Math.round(mem.wallMs / 1000)} s`,
    detail: `idle ${mib(mem.rssIdle)} MiB before load; ${mem.snapshots} snapshots pushed to the attached client`,
  });
  figures.push({
    id: 'info.memory_slope',
    section: '5',
    name: 'Memory: RSS slope after warm-up, per message (V8 grows its heap lazily: not a leak test)',
    value: mem.bytesPerMessage,
    unit: 'B/msg',
    shown: `${Math.round(mem.bytesPerMessage)} ± ${Math.round(mem.bytesPerMessageSe)} B/msg`,
    ratio: `+${(100 * mem.projected8hGrowth).toFixed(0)} % over 28.8 M msgs only if it never levelled off`,
  });
}
const scr = results.screens;
if (scr) {
  figures.push({
    id: 'screens.first_overview',
    section: '6',
    name: `Screens: first rendered Overview with ${LINES} live lines (Chromium)`,
    value: median(scr.firstRenderMs),
    unit: 'ms',
    ratio: `first contentful paint ${fmt(median(scr.fcpMs), 'ms')}`,
    detail: `${spread(scr.firstRenderMs)} ms over ${scr.firstRenderMs.length} loads`,
  });
  const busy = median(scr.busy.map((b) => b.busyPct));
  figures.push({
    id: 'screens.main_thread_busy',
    section: '6',
    name: `Screens: main-thread busy while live, Overview with ${scr.cards} lines`,
    value: busy,
    unit: '%',
    shown: `${busy.toFixed(1)} % (${Math.round(busy * 10)} ms/s)`,
    goal: { op: '<', target: 30, unit: '%' },
    ratio: ratioToGoal(busy, 30),
    detail: `script ${median(scr.busy.map((b) => b.scriptPct)).toFixed(1)} %, layout ${median(scr.busy.map((b) => b.layoutPct)).toFixed(1)} %, style ${median(scr.busy.map((b) => b.stylePct)).toFixed(1)} %`,
  });
}

const table = markdownTable(figures);
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
console.log(`\n## Taktboard bench — ${quick ? 'quick' : 'full'} run, ${date} UTC, ${os.cpus().length} cores, load average at start ${os.loadavg()[0].toFixed(2)}\n`);
console.log(table);
console.log('\nDetails:');
for (const f of figures) if (f.detail) console.log(`- ${f.name}: ${f.detail}`);
if (Object.keys(profiles).length) {
  console.log('\nCPU profiles of serve (--profile; share of wall time):');
  for (const [tag, p] of Object.entries(profiles)) {
    console.log(`- ${tag}: ${Object.entries(p.categories).slice(0, 8).map(([k, v]) => `${k} ${v} %`).join(', ')}`);
    console.log(`  top self: ${p.top.slice(0, 8).map((t) => `${t.fn} (${t.where}) ${t.selfPct} %`).join('; ')}`);
    console.log(`  inclusive (share of busy): ${Object.entries(p.inclusive).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v} %`).join(', ')}`);
  }
}
const failed = figures.filter((f) => passes(f) === false);
console.log(`\n${figures.filter((f) => passes(f) === true).length} goals met, ${failed.length} not met${errors.length ? `, ${errors.length} phases failed to run` : ''}; total ${((Date.now() - started) / 1000).toFixed(0)} s.`);
for (const e of errors) console.log(`PHASE FAILED: ${e.phase}: ${e.error.split('\n')[0]}`);

const out = {
  run: { mode: quick ? 'quick' : 'full', at: new Date().toISOString(), seconds: (Date.now() - started) / 1000, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadavgAtEnd: os.loadavg(), node: process.version, phases: [...only], settings: S },
  figures: figures.map((f) => ({ ...f, pass: passes(f) })),
  raw: {
    ...results,
    memory: mem ? { ...mem, samples: mem.samples.filter((_, i) => i % 4 === 0) } : mem,
    latency: lat ? { byRate: Object.fromEntries(Object.entries(lat.byRate).map(([k, v]) => [k, v])) } : lat,
  },
  profiles,
  errors,
};
fs.writeFileSync(values.out!, JSON.stringify(out, null, 1) + '\n');
console.log(`\nWrote ${path.relative(process.cwd(), values.out!)}`);
clearTimeout(watchdog);
killAllSync();
process.exit(errors.length ? 1 : 0);
