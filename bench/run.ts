// `npm run bench` — Taktboard's throughput, latency, history, memory and screen figures, each against the
// raw limits measured in the same run, with pass/fail against the goals of issue 5. Real components only:
// mosquitto and `taktboard serve` as child processes, mqtt.js publishers, Debian's Chromium.
//
//   npm run bench                       full run (~25 min on the 2-core machine, 10 of them the viewers phase)
//   npm run bench -- --quick            ~6 min: fewer repetitions, shorter steps
//   npm run bench -- --only=ingest,latency   some phases (sqlite, ingest, external, sparkplug, andon, latency,
//                                        memory, history, versions, heavyreads, viewers, screens, wall)
//   npm run bench -- --profile          serve runs with --cpu-prof; top functions printed per phase
//   npm run bench -- --fresh-day        regenerate the History day and the month even if bench/.cache has them
//
// Prints a Markdown table (figure, value, goal, ratio, result) and writes bench/results.json.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setLogLevel } from '../main/core/log.ts';
import { addDays, localDate } from '../shared/shifts.ts';
import { SCHEMA_VERSION } from '../main/core/store/db.ts';
import { LINES, RAW_SITE, SITE, TIMEZONE, writeConfig, type PlantOptions } from './lib/plant.ts';
import { PRODUCT_ROOT, ROOT, forkChild, killAllSync, startMosquitto, startServe, sleep, tempDir, type Child, type Mosquitto, type Serve } from './lib/procs.ts';
import { fmt, markdownTable, passes, pct, type Figure } from './lib/report.ts';
import { median, spread, round } from './lib/stats.ts';
import { newestProfile, summarizeProfile, type ProfileSummary } from './lib/profile.ts';
import { describeSqlite, runSqlite, type SqliteResult } from './phases/sqlite.ts';
import { runIngest, storedCounter, type IngestResult } from './phases/ingest.ts';
import { externalFigures, runExternal, type ExternalResult } from './phases/external.ts';
import { runSparkplug, sparkplugFigures, type SparkplugResult } from './phases/sparkplug.ts';
import { runLatency, type LatencyResult } from './phases/latency.ts';
import { runMemory, type MemoryResult } from './phases/memory.ts';
import { runHistory, type HistoryResult } from './phases/history.ts';
import { CHROMIUM, runScreens, runWall, startSimulator, WALL_LINES, wallFigures, widePlant, type ScreensResult, type WallResult } from './phases/screens.ts';
import { andonFigures, runAndon, type AndonResult } from './phases/andon.ts';
import { runVersions, VERSIONS, type VersionsResult } from './phases/versions.ts';
import { runHeavyReads, type HeavyReadsResult } from './phases/heavy-reads.ts';
import { PUSH_MS, RSS_RISE_BOUND, runViewers, type ViewersResult } from './phases/viewers.ts';
import { MONTH_DAYS, MONTH_LINES, monthPlant, type DayInfo } from './lib/day.ts';

const PHASES = ['sqlite', 'ingest', 'external', 'sparkplug', 'andon', 'latency', 'memory', 'history', 'versions', 'heavyreads', 'viewers', 'screens', 'wall'] as const;
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
      sparkplug: { rounds: 2, burst: 20_000, liveMs: 10_000 },
      latency: { rates: [300, 5000], reps: 1, durationMs: 3000 },
      memory: { wallMs: 15_000, rate: 1000 },
      history: { reps: 2, csvReps: 1 },
      versions: { reps: 5, csvReps: 3 },
      heavyreads: { rate: 10_000, rounds: 1, windows: 2, readers: 2 },
      viewers: { runS: 90, holdS: 30, live: 200, stalled: 50, trickle: 10 },
      screens: { loads: 2, windows: 2, windowMs: 3000 },
      andon: { rate: 10_000, seconds: 20, warmupS: 5 },
      // 3 × 5 s in both: the windows span a page turn (every 15 s).
      wall: { windows: 3, windowMs: 5000 },
    }
  : {
      sqlite: { reps: 3, perTxRows: 20_000, batchRows: 200_000 },
      ingest: { rawReps: 3, rawMs: 4000, ladder: [2000, 5000, 8000, 10_000, 12_000, 14_000, 16_000, 18_000, 20_000], refine: 2, stepMs: 4000, maxInflight: 2000 },
      // One mosquitto_pub per round: it cannot send more than 65 535 lines reliably (see external.ts).
      external: { rounds: 5, messages: 60_000, roundTimeoutMs: 90_000 },
      sparkplug: { rounds: 4, burst: 40_000, liveMs: 30_000 },
      latency: { rates: [300, 5000], reps: 3, durationMs: 5000 },
      memory: { wallMs: 90_000, rate: 1000 },
      history: { reps: 5, csvReps: 3 },
      versions: { reps: 15, csvReps: 9 },
      heavyreads: { rate: 10_000, rounds: 3, windows: 3, readers: 2 },
      viewers: { runS: 600, holdS: 30, live: 200, stalled: 50, trickle: 10 },
      screens: { loads: 5, windows: 3, windowMs: 5000 },
      andon: { rate: 10_000, seconds: 60, warmupS: 5 },
      wall: { windows: 3, windowMs: 5000 },
    };

// The product's own logger in this process (SQLite baseline, day generation) stays quiet but for errors.
setLogLevel('error');
const started = Date.now();
const log = (s: string) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${s}`);
// Bounded by what was asked for: the viewers phase alone runs 10 minutes in the full run, a month of history
// not yet cached takes ~4 minutes to write.
const WATCHDOG_MS = (quick ? 8 * 60_000 : 15 * 60_000) + (only.has('viewers') ? S.viewers.runS * 1000 + 5 * 60_000 : 0) + (only.has('heavyreads') ? 15 * 60_000 : 0) + (only.has('versions') ? 5 * 60_000 : 0);

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

async function newServe(tag: string, mq: Mosquitto, extra: { db?: string; plant?: (o: { clientId: string; brokerUrl: string }) => PlantOptions } = {}): Promise<Serve> {
  const dir = path.join(work, tag);
  fs.mkdirSync(dir, { recursive: true });
  const who = { clientId: `taktboard-bench-${tag}`, brokerUrl: mq.url };
  const config = writeConfig(dir, extra.plant ? extra.plant(who) : who);
  return startServe({ config, db: extra.db ?? path.join(dir, 'serve.sqlite'), broker: mq.url, nodeArgs: profileArgs(tag) });
}

// ---- generated history: the History day and the month-old database, cached by what they depend on -------

const dayDate = localDate(TIMEZONE, Date.now() - 48 * 3600_000);
/** Sources whose change makes a cached file stale. */
const GENERATOR_SOURCES = [
  'bench/lib/day.ts',
  'bench/lib/plant.ts',
  'bench/children/gen-day.ts',
  'main/core/store/store.ts',
  'main/core/store/writer.ts',
  'main/core/store/db.ts',
  'main/core/simulator/simulator.ts',
  'main/core/simulator/calendar.ts',
  'main/core/simulator/prng.ts',
  'main/core/simulator/serials.ts',
];

function cacheFile(kind: 'day' | 'month'): string {
  const h = crypto.createHash('sha256');
  for (const f of GENERATOR_SOURCES) {
    const file = path.join(ROOT, f);
    if (fs.existsSync(file)) h.update(fs.readFileSync(file));
  }
  h.update(`schema ${SCHEMA_VERSION}`);
  const what = kind === 'month' ? `month${MONTH_DAYS}x${MONTH_LINES}` : 'day';
  return path.join(ROOT, 'bench', '.cache', `${what}-${dayDate}-${h.digest('hex').slice(0, 12)}.sqlite`);
}

interface DayJob {
  file: string;
  reused: boolean;
  done: Promise<DayInfo>;
}

async function startGenerated(kind: 'day' | 'month'): Promise<DayJob> {
  const file = cacheFile(kind);
  const infoFile = file.replace(/\.sqlite$/, '.json');
  if (!values['fresh-day'] && fs.existsSync(file) && fs.existsSync(infoFile)) {
    return { file, reused: true, done: Promise.resolve(JSON.parse(fs.readFileSync(infoFile, 'utf8')) as DayInfo) };
  }
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  // Older files of this kind are of no further use (a month is 2.4 GB).
  const prefix = kind === 'month' ? 'month' : 'day-';
  for (const f of fs.readdirSync(dir)) if (f.startsWith(prefix)) fs.rmSync(path.join(dir, f), { force: true });
  const tmp = file + '.partial';
  const child = await forkChild('gen-day.ts', [tmp, dayDate, kind]);
  child.send({ type: 'run' });
  const done = child
    .next<{ info: DayInfo }>((m) => m.type === 'generated', 15 * 60_000)
    .then(async (m) => {
      await child.stop();
      fs.renameSync(tmp, file);
      for (const sfx of ['-wal', '-shm']) fs.rmSync(tmp + sfx, { force: true });
      fs.writeFileSync(infoFile, JSON.stringify(m.info));
      return m.info;
    });
  // Awaited by the phases that need it; a failure is theirs to report.
  done.catch(() => undefined);
  return { file, reused: false, done };
}

// ---- the run -----------------------------------------------------------------------------------

const results: {
  sqlite?: SqliteResult | null;
  ingest?: IngestResult | null;
  external?: ExternalResult | null;
  sparkplug?: SparkplugResult | null;
  latency?: LatencyResult | null;
  memory?: (MemoryResult & { day?: string }) | null;
  history?: (HistoryResult & { day: DayInfo | null; reused: boolean; startMs: number; emptyStartMs: number | null }) | null;
  versions?: VersionsResult | null;
  heavyreads?: (HeavyReadsResult & { month: DayInfo; reused: boolean; startMs: number }) | null;
  viewers?: ViewersResult | null;
  screens?: ScreensResult | null;
  andon?: AndonResult | null;
  wall?: WallResult | null;
} = {};

if (PRODUCT_ROOT !== ROOT) log(`benchmarking the product in ${PRODUCT_ROOT} (TAKTBOARD_BENCH_PRODUCT); in-process baselines use this checkout`);
log(`${quick ? 'quick' : 'full'} run on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; node ${process.version}`);

results.sqlite = await phase('sqlite', async () => runSqlite(S.sqlite));

let mq: Mosquitto | null = null;
let pub: Child | null = null;
const needBroker = ['ingest', 'latency', 'memory', 'history', 'screens', 'wall'].some((p) => only.has(p as Phase));
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
// Issue 12: a Sparkplug DDATA stream (its own broker, serve and publisher: bench/phases/sparkplug.ts).
if (only.has('sparkplug')) results.sparkplug = await phase('sparkplug', () => runSparkplug({ ...S.sparkplug, log }));
// Issue 11: what evaluating the andon costs serve at 10 000 msg/s (its own broker, serve and publisher: bench/phases/andon.ts).
if (only.has('andon')) results.andon = await phase('andon', () => runAndon({ ...S.andon, nodeArgs: profileArgs('andon'), log }));

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

// The generated history is written in child processes while the memory phase runs (it measures RSS, not
// time), and awaited before anything that measures time. A failure to start one is the phases' failure.
let day: Promise<DayJob> | null = null;
let month: Promise<DayJob> | null = null;
if (only.has('history') || only.has('versions')) {
  day = startGenerated('day');
  day.then(
    (d) => log(d.reused ? `History day ${dayDate} reused from ${path.relative(ROOT, d.file)}` : `generating the History day ${dayDate} in a child process${only.has('memory') ? ' (while the memory phase runs)' : ''}`),
    () => undefined,
  );
}
if (only.has('heavyreads')) {
  month = startGenerated('month');
  month.then(
    (m) => log(m.reused ? `month-old database (${MONTH_DAYS} days to ${dayDate}, ${MONTH_LINES} lines) reused from ${path.relative(ROOT, m.file)}` : `generating the month-old database (${MONTH_DAYS} days to ${dayDate}, ${MONTH_LINES} lines: ~4 min, 2.4 GB) in a child process${only.has('memory') ? ' (while the memory phase runs)' : ''}`),
    () => undefined,
  );
}
/** Waits for the generated files (bounded by the child's own timeout) so that no phase measures beside their writing. */
async function generatedReady(): Promise<void> {
  const pending = [day, month].filter((j): j is Promise<DayJob> => j !== null);
  if (pending.length === 0) return;
  const t0 = performance.now();
  const jobs = await Promise.allSettled(pending);
  await Promise.allSettled(jobs.map((j) => (j.status === 'fulfilled' ? j.value.done : null)));
  if (performance.now() - t0 > 1000) log(`waited ${Math.round((performance.now() - t0) / 1000)} s for the generated history`);
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

await generatedReady();

if (only.has('history')) {
  results.history = await phase('history', async () => {
    const job = await day!;
    const info = await job.done;
    log(`History day: ${info.events} events${job.reused ? ' (cached)' : ` generated in ${round(info.generateMs / 1000, 1)} s`}`);
    // serve gets its own copy, so the cached file is never touched by a running app (WAL, migrations).
    const dir = path.join(work, 'history');
    fs.mkdirSync(dir, { recursive: true });
    const db = path.join(dir, 'day.sqlite');
    fs.copyFileSync(job.file, db);
    const serve = await newServe('history', mq!, { db });
    try {
      log(`  serve ready with the day's database in ${Math.round(serve.startMs)} ms (empty database: ${emptyStartMs === null ? 'not measured' : `${Math.round(emptyStartMs)} ms`})`);
      const r = await runHistory(serve.url, dayDate, { ...S.history, log });
      return { ...r, day: info, reused: job.reused, startMs: serve.startMs, emptyStartMs };
    } finally {
      await stopServe(serve, 'history');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

if (only.has('versions')) {
  results.versions = await phase('versions', async () => {
    const job = await day!;
    await job.done;
    // A broker of its own: the serves' persistent sessions stay out of the shared one.
    const broker = await startMosquitto();
    try {
      return await runVersions(
        job.file,
        dayDate,
        (tag, config, db) => startServe({ config, db, broker: broker.url, nodeArgs: profileArgs(tag) }),
        (s, tag) => stopServe(s, tag),
        { ...S.versions, brokerUrl: broker.url, log },
      );
    } finally {
      await broker.stop();
    }
  });
}

if (only.has('heavyreads')) {
  results.heavyreads = await phase('heavyreads', async () => {
    const job = await month!;
    const info = await job.done;
    log(`month-old database: ${(info.events / 1e6).toFixed(1)} M events, ${(info.dbBytes / 2 ** 30).toFixed(2)} GiB${job.reused ? ' (cached)' : ` generated in ${Math.round(info.generateMs / 1000)} s`}`);
    // Its own broker and publisher: nothing else's sessions or queues beside it.
    const broker = await startMosquitto();
    const dir = path.join(work, 'heavyreads');
    fs.mkdirSync(dir, { recursive: true });
    const db = path.join(dir, 'month.sqlite');
    try {
      fs.copyFileSync(job.file, db);
      const publisher = await forkChild('publisher.ts', [broker.url, `bench-pub-heavy-${process.pid}`]);
      try {
        const serve = await newServe('heavyreads', broker, { db, plant: monthPlant });
        try {
          log(`  serve ready with the month's database in ${Math.round(serve.startMs)} ms`);
          // Every date of the month but the first and the last (whole days behind them, nothing around them).
          const dates = Array.from({ length: MONTH_DAYS - 2 }, (_, i) => addDays(dayDate, -(MONTH_DAYS - 2) + i));
          const r = await runHeavyReads(serve, publisher, { ...S.heavyreads, dates, site: SITE, lines: MONTH_LINES, brokerPid: broker.pid, log });
          return { ...r, month: info, reused: job.reused, startMs: serve.startMs };
        } finally {
          await stopServe(serve, 'heavyreads');
        }
      } finally {
        await publisher.stop();
      }
    } finally {
      await broker.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

if (only.has('viewers')) {
  results.viewers = await phase('viewers', () =>
    runViewers({ ...S.viewers, serve: ({ config, db }) => startServe({ config, db, extraArgs: ['--demo', '--backfill', '30m'], nodeArgs: profileArgs('viewers') }), stop: (sv) => stopServe(sv, 'viewers'), log }),
  );
}

/** serve fed by `taktboard simulate` with a plant of `lines` lines (screens, wall), for `fn` to look at in Chromium. */
async function simulatedPlant<T>(tag: Phase, lines: number, fn: (url: string) => Promise<T>): Promise<T> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  const serve = await newServe(tag, mq!, lines === LINES ? {} : { plant: widePlant(lines) });
  const counter = storedCounter(serve.dbPath);
  try {
    const sim = await startSimulator({ brokerUrl: mq!.url, config: path.join(work, tag, `taktboard-bench-${tag}.json`), lines, stored: counter.count });
    try {
      return await fn(serve.url);
    } finally {
      await sim.stop();
    }
  } finally {
    counter.close();
    await stopServe(serve, tag);
  }
}
results.screens = await phase('screens', () => simulatedPlant('screens', LINES, (url) => runScreens(url, { ...S.screens, lines: LINES, log })));
results.wall = await phase('wall', () => simulatedPlant('wall', WALL_LINES, (url) => runWall(url, { ...S.wall, lines: WALL_LINES, log })));

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
if (results.sparkplug) figures.push(...sparkplugFigures(results.sparkplug));
if (results.andon) figures.push(...andonFigures(results.andon));
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
  const stopsMs = median(hist.stopsCsv.httpMs);
  figures.push({
    id: 'history.stops_csv',
    section: '4',
    name: 'History: stops CSV of the generated day over HTTP (issue 10)',
    value: stopsMs,
    unit: 'ms',
    goal: { op: '<', target: 1000, unit: 'ms' },
    ratio: ratioToGoal(stopsMs, 1000),
    detail: `${spread(hist.stopsCsv.httpMs)} ms; ${hist.stopsCsv.rows} stops`,
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
const ver = results.versions;
if (ver) {
  const m1 = median(ver.one.shift.computeMs);
  const m20 = median(ver.twenty.shift.computeMs);
  figures.push({
    id: 'history.versions_shift_view',
    section: '4',
    name: `History: shift view with ${VERSIONS} configuration versions / with one (same day, two serves, interleaved)`,
    value: ver.shiftRatio,
    unit: '×',
    shown: `${fmt(m20, 'ms')} / ${fmt(m1, 'ms')} = ${ver.shiftRatio.toFixed(2)}×`,
    goal: { op: '<=', target: 1.1, unit: '×' },
    ratio: `compute; HTTP ${fmt(median(ver.twenty.shift.httpMs), 'ms')} / ${fmt(median(ver.one.shift.httpMs), 'ms')}`,
    detail: `${VERSIONS} versions: ${spread(ver.twenty.shift.computeMs)} ms (first, cold: ${Math.round(ver.twenty.firstShiftMs)} ms); one: ${spread(ver.one.shift.computeMs)} ms (first ${Math.round(ver.one.firstShiftMs)} ms); the day uses version ${ver.twenty.dayVersionId} of ${VERSIONS}; ${ver.one.shift.computeMs.length} each`,
  });
  const c1 = median(ver.one.csv.httpMs);
  const c20 = median(ver.twenty.csv.httpMs);
  figures.push({
    id: 'history.versions_daily_csv',
    section: '4',
    name: `History: daily CSV with ${VERSIONS} configuration versions / with one`,
    value: ver.csvRatio,
    unit: '×',
    shown: `${fmt(c20, 'ms')} / ${fmt(c1, 'ms')} = ${ver.csvRatio.toFixed(2)}×`,
    goal: { op: '<=', target: 1.1, unit: '×' },
    ratio: 'HTTP round trip incl. the bytes',
    detail: `${VERSIONS} versions: ${spread(ver.twenty.csv.httpMs)} ms (first ${Math.round(ver.twenty.firstCsvMs)} ms); one: ${spread(ver.one.csv.httpMs)} ms (first ${Math.round(ver.one.firstCsvMs)} ms); ${ver.one.csv.httpMs.length} each; config apply ${Math.round(median(ver.applyMs))} ms per version`,
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
if (results.wall) figures.push(...wallFigures(results.wall));

const hr = results.heavyreads;
if (hr) {
  const { idle, reads } = hr;
  const x = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');
  const plant = `${fmt(hr.rate)} msg/s ingest, ${hr.readers} clients fetching daily CSVs of a ${hr.month.days}-day database (${hr.month.lines} cell lines, ${(hr.month.events / 1e6).toFixed(0)} M events)`;
  figures.push({
    id: 'heavyreads.live_p99',
    section: '7',
    name: `Heavy reads: /api/live round trip p50 / p99 while ${plant}`,
    value: reads.liveP99,
    unit: 'ms',
    shown: `${fmt(reads.liveP50, 'ms')} / ${fmt(reads.liveP99, 'ms')}`,
    goal: { op: '<', target: 250, unit: 'ms (p99)' },
    ratio: `p99 ${x(reads.liveP99, idle.liveP99)} idle (${fmt(idle.liveP50, 'ms')} / ${fmt(idle.liveP99, 'ms')} without reads)`,
    detail: hr.segments.map((s) => `${s.kind} ${s.round}: p50 ${s.live.p50.toFixed(1)}, p99 ${s.live.p99.toFixed(1)}, max ${Math.round(s.live.max)} ms (${s.live.n})`).join('; '),
  });
  figures.push({
    id: 'heavyreads.push_gap_p99',
    section: '7',
    name: 'Heavy reads: live push gap on /api/events (every 300 ms), p99, with the CSV loop',
    value: reads.pushGapP99,
    unit: 'ms',
    shown: `${fmt(reads.pushGapP99, 'ms')} (max ${fmt(reads.pushGapMax, 'ms')})`,
    goal: { op: '<', target: 800, unit: 'ms' },
    ratio: `${x(reads.pushGapP99, idle.pushGapP99)} idle (${fmt(idle.pushGapP99, 'ms')}, max ${fmt(idle.pushGapMax, 'ms')})`,
    detail: hr.segments.map((s) => `${s.kind} ${s.round}: p50 ${Math.round(s.pushGaps.p50)}, p99 ${Math.round(s.pushGaps.p99)}, max ${Math.round(s.pushGaps.max)} ms (${s.pushGaps.n})`).join('; '),
  });
  figures.push({
    id: 'heavyreads.ack_p99',
    section: '7',
    name: 'Heavy reads: ingest arrival → PUBACK p50 / p99 (engine\'s own, last 4096 messages, sampled every second), with the CSV loop',
    value: reads.ackP99,
    unit: 'ms',
    shown: `${fmt(reads.ackP50, 'ms')} / ${fmt(reads.ackP99, 'ms')}`,
    ratio: `p99 ${x(reads.ackP99, idle.ackP99)} idle (${fmt(idle.ackP50, 'ms')} / ${fmt(idle.ackP99, 'ms')} without reads)`,
    detail: `median of the samples' p99; worst sample's p99 ${fmt(reads.ackP99Worst, 'ms')} (idle ${fmt(idle.ackP99Worst, 'ms')}), max ${fmt(reads.ackMax, 'ms')} (idle ${fmt(idle.ackMax, 'ms')}); ${hr.segments.map((s) => `${s.kind} ${s.round}: ${Math.round((s.stored / s.ms) * 1000)} msg/s stored`).join(', ')}`,
  });
  figures.push({
    id: 'heavyreads.loop_delay_max',
    section: '7',
    name: 'Heavy reads: engine event-loop delay, worst 10-s window max (p99 median), with the CSV loop',
    value: reads.loopMaxWorst,
    unit: 'ms',
    shown: `${fmt(reads.loopMaxWorst, 'ms')} (p99 ${fmt(reads.loopP99, 'ms')})`,
    goal: { op: '<', target: 50, unit: 'ms' },
    ratio: `${x(reads.loopMaxWorst, idle.loopMaxWorst)} idle (max ${fmt(idle.loopMaxWorst, 'ms')}, p99 ${fmt(idle.loopP99, 'ms')})`,
    detail: hr.segments.map((s) => `${s.kind} ${s.round}: windows p99 ${s.windows.map((w) => w.p99).join('/')} ms, max ${s.windows.map((w) => w.max).join('/')} ms`).join('; '),
  });
  figures.push({
    id: 'info.heavyreads_csv',
    section: '7',
    name: `Heavy reads: one daily CSV of the month (${hr.csvRows} rows) while ingesting, per request`,
    value: reads.csvMs,
    unit: 'ms',
    ratio: `${reads.csvCount} CSVs in ${hr.segments.filter((s) => s.kind === 'reads').length} segments of ${S.heavyreads.windows + 1} windows; ${fmt(hr.published)} messages published`,
    detail: `${hr.segments.map((s) => `${s.kind} ${s.round}: cores serve ${s.cpu.serve.toFixed(2)}, mosquitto ${s.cpu.broker.toFixed(2)}, publisher ${s.cpu.publisher.toFixed(2)}, everything else ${s.cpu.others.toFixed(2)}`).join('; ')}; serve ready ${fmt(hr.startMs, 'ms')} after spawn, its background quick_check of the ${(hr.month.dbBytes / 2 ** 30).toFixed(1)} GiB file done ${fmt(hr.quickCheckMs / 1000, 's')} later; dates ${hr.dates[0]} … ${hr.dates[hr.dates.length - 1]}`,
  });
}
const vw = results.viewers;
if (vw) {
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  figures.push({
    id: 'viewers.rss_rise',
    section: '8',
    name: `Viewers: serve RSS rise, ${vw.viewers.live} live + ${vw.viewers.stalled} stalled + ${vw.viewers.trickle} trickling, ${Math.round(vw.runS)} s, from kernel buffers full to the end`,
    value: vw.rss.rise / 2 ** 20,
    unit: 'MiB',
    shown: `+${mib(vw.rss.rise)} MiB (start ${mib(vw.rss.start)}, full ${mib(vw.rss.baseline)}, end ${mib(vw.rss.end)} MiB)`,
    goal: { op: '<', target: RSS_RISE_BOUND / 2 ** 20, unit: 'MiB' },
    ratio: `peak − full; end − full ${vw.rss.endRise >= 0 ? '+' : ''}${mib(vw.rss.endRise)} MiB; slope ${vw.rss.slopeMiBPerMin.toFixed(2)} MiB/min (queueing would add ~270 MiB/min)`,
    detail: `kernel send queues of the stalled connections full after ${Math.round(vw.kernelFullAfterS)} s; cores: serve ${vw.serveCpuCores.toFixed(2)}, the bench (all the viewers) ${vw.benchCpuCores.toFixed(2)}, everything else on the machine ${vw.othersCpuCores.toFixed(2)}; snapshot ${Math.round(vw.snapshotBytes / 1024)} KB`,
  });
  figures.push({
    id: 'viewers.push_gap_p99',
    section: '8',
    name: 'Viewers: live viewers\' push gap p50 / p95 / p99 beside the stalled ones',
    value: vw.gaps.p99,
    unit: 'ms',
    shown: `${Math.round(vw.gaps.p50)} / ${Math.round(vw.gaps.p95)} / ${Math.round(vw.gaps.p99)} ms`,
    goal: { op: '<', target: 1.5 * PUSH_MS, unit: 'ms (1.5 × 300 ms)' },
    ratio: `p99 ${(vw.gaps.p99 / PUSH_MS).toFixed(2)}× the ${PUSH_MS} ms interval; max ${Math.round(vw.gaps.max)} ms; ${vw.missedPushes} pushes missed of ${fmt(vw.gaps.n + vw.missedPushes)}`,
    detail: `the viewers' process (the bench) event-loop delay p99 ${Math.round(vw.benchLoopDelay.p99)} ms, max ${Math.round(vw.benchLoopDelay.max)} ms: arrival times are taken that late at worst; fewest snapshots to a live viewer ${vw.fewestSnapshots} of ~${vw.expectedSnapshots}; live viewers closed ${vw.liveClosed}`,
  });
  figures.push({
    id: 'info.viewers_stalled',
    section: '8',
    name: 'Viewers: stalled ones closed by serve (a minute without any drain) / fresh snapshot after reading again',
    value: vw.stalled.freshWithinMs,
    unit: 'ms',
    shown: `${vw.stalled.closedByServer} closed / fresh within ${fmt(vw.stalled.freshWithinMs, 'ms')}`,
    ratio: `${vw.stalled.reconnects} replaced; closed ${vw.stalled.closedAfterFullS ? `${vw.stalled.closedAfterFullS[0]}–${vw.stalled.closedAfterFullS[1]} s` : '—'} after their queue was full; ${vw.stalled.gotNoFresh} of ${vw.stalled.resumedMeasured} got nothing fresh`,
    detail: `trickling viewers closed ${vw.trickle.closed}, fewest reads ${vw.trickle.fewestChunks}`,
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
