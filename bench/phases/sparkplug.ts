// (issue 12) A Sparkplug B DDATA stream into `taktboard serve`: 10 lines × 6 stations as edge nodes and
// devices, every DDATA a part counter +1, a state and a cycle time (one unit each), QoS 1, ack after commit.
//
// - live: the plant's own rate, 10 Hz per station (600 msg/s), for a while: serve must keep up (every
//   sample's unit stored, nothing behind) — the figure is what it stored per second and how far behind it was;
// - saturated: bursts of the same kind of payload published as fast as mosquitto acknowledges (500 in
//   flight), interleaved raw, serve, raw, serve, …: the raw receiver (mqtt.js QoS 1, Taktboard's connection
//   options, acknowledges at once, stores nothing) on a group serve does not take, serve on its input's
//   group. Each rate is taken from the first message received to the last, both receivers polled alike.
//   The goal: serve's rate ≥ 60 % of the raw one (the ingest bench's ratio, with Sparkplug payloads).
//
//   npm run bench -- --only=sparkplug          (or: node bench/phases/sparkplug.ts [--quick] on its own)
import fs from 'node:fs';
import path from 'node:path';
import { forkChild, killAllSync, sleep, startMosquitto, startServe, tempDir, type Child, type Mosquitto, type Serve } from '../lib/procs.ts';
import { fmt, pct, type Figure } from '../lib/report.ts';
import { median } from '../lib/stats.ts';
import { storedCounter } from './ingest.ts';

const LINES = 10;
const STATIONS = 6;
const LIVE_RATE = LINES * STATIONS * 10;
const POLL_MS = 10;

export interface SparkplugResult {
  live: { rate: number; seconds: number; sent: number; stored: number; maxBehind: number };
  raw: number[];
  serve: number[];
  ratios: number[];
  rawRate: number;
  serveRate: number;
  ratio: number;
  burst: number;
  duplicates: number;
  gaps: number;
}

function plantConfig(dir: string, clientId: string): string {
  const lines = Array.from({ length: LINES }, (_, l) => ({ id: `line-${l}`, name: `Line ${l}`, targetTaktS: 0.1, outputStation: `st-${STATIONS - 1}`, stations: Array.from({ length: STATIONS }, (_, s) => `st-${s}`) }));
  const config = {
    site: 'benchspb',
    timezone: 'UTC',
    broker: { clientId, protocolVersion: 5 },
    lines,
    shifts: [{ name: 'All', start: '00:00', end: '00:00' }],
    inputs: [
      {
        id: 'bench',
        kind: 'sparkplug',
        groups: ['bench'],
        sources: lines.flatMap((l) =>
          l.stations.map((s) => ({ group: 'bench', node: l.id, device: s, line: l.id, station: s, signals: { partCounter: 'Production/PartCount', state: 'Status/State', stateValues: { '1': 'running' }, cycleTime: 'Production/CycleTimeMs' } })),
        ),
      },
    ],
  };
  const file = path.join(dir, 'plant.json');
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

let reqId = 0;
async function ask(pub: Child, m: Record<string, unknown>, answer: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const id = ++reqId;
  const got = pub.next((x) => x.type === answer && x.id === id, timeoutMs);
  pub.send({ ...m, id });
  return got;
}

/** Delivered rate of one burst at a receiver: (n − first poll's count) / (last − first poll), msg/s. */
async function measure(count: () => number, n: number, start: () => void, timeoutMs: number): Promise<number> {
  const base = count();
  start();
  const t0 = performance.now();
  let first = Number.NaN;
  let firstCount = 0;
  for (;;) {
    const got = count() - base;
    const now = performance.now();
    if (got > 0 && Number.isNaN(first)) {
      first = now;
      firstCount = got;
    }
    // All of them in one poll: too few per burst to take a rate over; said so rather than a number.
    if (got >= n) {
      if (now === first || firstCount >= n) throw new Error(`all ${n} messages arrived within one poll: use larger bursts`);
      return ((n - firstCount) * 1000) / (now - first);
    }
    if (now - t0 > timeoutMs) throw new Error(`only ${got} of ${n} arrived in ${timeoutMs / 1000} s`);
    await sleep(POLL_MS);
  }
}

export async function runSparkplug(opts: { rounds: number; burst: number; liveMs: number; log: (s: string) => void; mq?: Mosquitto }): Promise<SparkplugResult> {
  const dir = tempDir('sparkplug');
  const mq = opts.mq ?? (await startMosquitto());
  let serve: Serve | null = null;
  let pub: Child | null = null;
  let raw: Child | null = null;
  try {
    serve = await startServe({ config: plantConfig(dir, `taktboard-bench-spb-${process.pid}`), db: path.join(dir, 'serve.sqlite'), broker: mq.url });
    const counter = storedCounter(serve.dbPath);
    raw = await forkChild('sparkplug.ts', [mq.url, 'sub']);
    let rawCount = 0;
    raw.on((m) => {
      if (m.type === 'count') rawCount = m.received as number;
    });
    pub = await forkChild('sparkplug.ts', [mq.url, 'pub', String(LINES), String(STATIONS)]);
    await sleep(1000);
    await ask(pub, { type: 'births', group: 'bench' }, 'births-done', 30_000);
    await ask(pub, { type: 'births', group: 'raw' }, 'births-done', 30_000);
    // The births' states (one per station) are stored first.
    const until = performance.now() + 20_000;
    while (counter.count() < LINES * STATIONS && performance.now() < until) await sleep(50);

    // Live, at the plant's rate.
    const before = counter.count();
    let maxBehind = 0;
    let sentLive = 0;
    const live = ask(pub, { type: 'live', group: 'bench', rate: LIVE_RATE, durationMs: opts.liveMs }, 'live-done', opts.liveMs + 30_000).then((m) => (sentLive = m.sent as number));
    const t0 = performance.now();
    let done = false;
    void live.then(() => (done = true));
    while (!done) {
      const due = Math.min(((performance.now() - t0) / 1000) * LIVE_RATE, (opts.liveMs / 1000) * LIVE_RATE);
      maxBehind = Math.max(maxBehind, due - (counter.count() - before));
      await sleep(100);
    }
    const untilLive = performance.now() + 10_000;
    while (counter.count() - before < sentLive && performance.now() < untilLive) await sleep(20);
    const storedLive = counter.count() - before;
    opts.log(`  sparkplug live: ${sentLive} DDATA at ${LIVE_RATE} msg/s over ${opts.liveMs / 1000} s, ${storedLive} units stored, at most ${Math.round(maxBehind)} behind (1 poll = 100 ms = ${LIVE_RATE / 10} msgs)`);

    // Saturated, interleaved.
    const rawRates: number[] = [];
    const serveRates: number[] = [];
    const burst = (group: string) => () => void ask(pub!, { type: 'burst', group, count: opts.burst }, 'burst-done', 300_000);
    // A warm-up of each, not counted.
    await measure(() => rawCount, Math.min(5000, opts.burst), () => void ask(pub!, { type: 'burst', group: 'raw', count: Math.min(5000, opts.burst) }, 'burst-done', 60_000), 60_000);
    await measure(counter.count, Math.min(5000, opts.burst), () => void ask(pub!, { type: 'burst', group: 'bench', count: Math.min(5000, opts.burst) }, 'burst-done', 60_000), 60_000);
    for (let r = 1; r <= opts.rounds; r++) {
      await sleep(500);
      const rr = await measure(() => rawCount, opts.burst, burst('raw'), 120_000);
      rawRates.push(rr);
      await sleep(500);
      const sr = await measure(counter.count, opts.burst, burst('bench'), 120_000);
      serveRates.push(sr);
      opts.log(`  sparkplug round ${r}: raw ${Math.round(rr)} msg/s, serve ${Math.round(sr)} msg/s (${pct(sr / rr)})`);
    }
    await sleep(500);
    const t = counter.totals();
    counter.close();
    const ratios = serveRates.map((s, i) => s / rawRates[i]);
    return {
      live: { rate: LIVE_RATE, seconds: opts.liveMs / 1000, sent: sentLive, stored: storedLive, maxBehind: Math.round(maxBehind) },
      raw: rawRates,
      serve: serveRates,
      ratios,
      rawRate: median(rawRates),
      serveRate: median(serveRates),
      ratio: median(ratios),
      burst: opts.burst,
      duplicates: t.duplicates,
      gaps: t.gaps,
    };
  } finally {
    await pub?.stop();
    await raw?.stop();
    if (serve) await serve.stop();
    if (!opts.mq) await mq.stop();
  }
}

export function sparkplugFigures(x: SparkplugResult): Figure[] {
  return [
    {
      id: 'sparkplug.live',
      section: '2',
      name: `Sparkplug: DDATA of ${LINES} lines × ${STATIONS} stations at 10 Hz per station (${fmt(x.live.rate)} msg/s), stored`,
      value: x.live.stored / x.live.seconds,
      unit: 'msg/s',
      ratio: `${fmt(x.live.stored)} of ${fmt(x.live.sent)} samples' units stored; at most ${fmt(x.live.maxBehind)} behind`,
    },
    {
      id: 'sparkplug.raw_rate',
      section: '2',
      name: 'Sparkplug: raw QoS 1 receive of the same DDATA payloads, no storage (bursts, 500 in flight)',
      value: x.rawRate,
      unit: 'msg/s',
      ratio: 'reference',
      detail: `${x.raw.map((r) => Math.round(r)).join(', ')} msg/s; ${fmt(x.burst)} messages per burst`,
    },
    {
      id: 'sparkplug.serve_vs_raw',
      section: '2',
      name: 'Sparkplug: serve (decode, derive units, ack after commit) / raw receive rate, same run',
      value: 100 * x.ratio,
      unit: '%',
      shown: `${(100 * x.ratio).toFixed(1)} %`,
      goal: { op: '>=', target: 60, unit: '%' },
      ratio: `${fmt(x.serveRate)} / ${fmt(x.rawRate)} msg/s; rounds ${x.ratios.map((r) => pct(r)).join(', ')}; ${x.duplicates} duplicates, ${x.gaps} gaps`,
    },
  ];
}

// On its own: node bench/phases/sparkplug.ts [--quick]
if (import.meta.filename === process.argv[1] || process.argv[1]?.endsWith('bench/phases/sparkplug.ts')) {
  const quick = process.argv.includes('--quick');
  process.on('exit', killAllSync);
  const r = await runSparkplug({ rounds: quick ? 2 : 4, burst: quick ? 20_000 : 40_000, liveMs: quick ? 10_000 : 30_000, log: (s) => console.error(s) });
  for (const f of sparkplugFigures(r)) console.log(`${f.name}: ${f.shown ?? `${Math.round(f.value)} ${f.unit}`}${f.ratio ? ` (${f.ratio})` : ''}`);
  console.log(JSON.stringify(r));
  process.exit(0);
}
