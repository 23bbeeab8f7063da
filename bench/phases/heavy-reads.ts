// (7) Heavy reads during ingest (issue 8, RELIABILITY row 35): `taktboard serve` on a copy of the month-old
// database (bench/lib/day.ts: 30 days of 2 cell lines), live telemetry published through mosquitto at a
// steady rate the whole time, and in rounds: a segment without reads, then a segment with READERS clients
// fetching `/api/export/daily.csv?date=<a past date of the month>` one after another in a loop. In both:
// - `/api/live` round trip, polled as a wall display does (the next request 100 ms after the last answer);
// - the gap between live snapshots on an `/api/events` WebSocket (pushed every 300 ms);
// - `POST /api/rpc/diagnostics` once a second: `ingest.ackLatencyMs` (arrival → PUBACK over the last
//   4096 messages) and `engine.loopDelayP99Ms` / `loopDelayMaxMs` (the engine thread's event-loop delay
//   over its last complete 10 s window).
// The engine's windows run on their own 10 s timer from serve's start. Each segment starts right after a
// window boundary the bench has just seen (the window figures change), the first window of the segment
// (partly before it) is left out, and each later one is read from the first diagnostics sample sent after
// its end: only windows that lay entirely inside the segment count.
import WebSocket from 'ws';
import type { Diagnostics } from '../../shared/api.ts';
import type { Child, Serve } from '../lib/procs.ts';
import { cpuSecondsOf, machineCpuSeconds, sleep } from '../lib/procs.ts';
import { median, percentile, sortedCopy } from '../lib/stats.ts';

const WINDOW_MS = 10_000;
/** A window is read from the first diagnostics sample sent this long after its (estimated) end. */
const READ_MARGIN_MS = 300;
const DIAG_EVERY_MS = 1000;
const LIVE_POLL_GAP_MS = 100;

export interface SegmentResult {
  kind: 'idle' | 'reads';
  round: number;
  ms: number;
  live: { n: number; p50: number; p99: number; max: number };
  pushGaps: { n: number; p50: number; p99: number; max: number };
  /** One per diagnostics sample inside the segment's measured windows. */
  ack: { p50: number; p99: number; max: number }[];
  /** The engine's windows that lay entirely inside the segment. */
  windows: { p99: number; max: number }[];
  csv: { n: number; ms: number[]; bytes: number };
  stored: number;
  /** Cores used over the segment: serve (engine and read workers), mosquitto, the publisher, the bench, and everything else on the machine. */
  cpu: { serve: number; broker: number; publisher: number; bench: number; others: number };
}

export interface HeavyReadsResult {
  rate: number;
  readers: number;
  dates: string[];
  segments: SegmentResult[];
  published: number;
  quickCheckMs: number;
  csvBytes: number;
  csvRows: number;
  /** Medians over the segments of one kind (percentiles of each segment, then their median). */
  idle: Summary;
  reads: Summary;
}

export interface Summary {
  liveP50: number;
  liveP99: number;
  pushGapP99: number;
  pushGapMax: number;
  ackP50: number;
  ackP99: number;
  ackP99Worst: number;
  ackMax: number;
  loopP99: number;
  loopMaxWorst: number;
  loopMaxMedian: number;
  csvMs: number;
  csvCount: number;
}

/** serve's `POST /api/rpc/diagnostics` (also the andon phase's). */
export async function diagnostics(url: string): Promise<Diagnostics> {
  const r = await fetch(url + 'api/rpc/diagnostics', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (!r.ok) throw new Error(`diagnostics: ${r.status} ${(await r.text()).slice(0, 200)}`);
  return (await r.json()) as Diagnostics;
}

const windowKey = (d: Diagnostics) => `${d.engine.loopDelayP99Ms}/${d.engine.loopDelayMaxMs}`;

/**
 * Polls diagnostics until the engine's window figures change: a boundary has just passed. Returns the
 * receive time of the sample that showed it (the boundary lies before it, by at most the poll period
 * plus one round trip) and that sample. Null when nothing changed within maxMs (two equal windows).
 */
async function seeBoundary(url: string, maxMs: number): Promise<{ at: number; d: Diagnostics } | null> {
  const until = performance.now() + maxMs;
  let before = windowKey(await diagnostics(url));
  while (performance.now() < until) {
    await sleep(100);
    const d = await diagnostics(url);
    const k = windowKey(d);
    if (k !== before) return { at: performance.now(), d };
    before = k;
  }
  return null;
}

function summarize(xs: number[]): { n: number; p50: number; p99: number; max: number } {
  const s = sortedCopy(xs);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.length ? s[s.length - 1] : Number.NaN };
}

export async function runHeavyReads(
  serve: Serve,
  pub: Child,
  opts: { rate: number; rounds: number; windows: number; readers: number; dates: string[]; site: string; lines: number; brokerPid: number; log: (s: string) => void },
): Promise<HeavyReadsResult> {
  const url = serve.url;
  const log = opts.log;
  // serve's start: the broker connected and the large file's background quick_check done (it reads the
  // whole file; measuring during it would measure it).
  const t0 = performance.now();
  for (;;) {
    const d = await diagnostics(url);
    if (d.broker.status === 'connected' && d.db.lastQuickCheck) break;
    if (performance.now() - t0 > 300_000) throw new Error(`serve not ready in 300 s: broker ${d.broker.status}, quick_check ${d.db.lastQuickCheck ? 'done' : 'running'}`);
    await sleep(250);
  }
  const quickCheckMs = performance.now() - t0;
  log(`  serve ready: broker connected, background quick_check done ${Math.round(quickCheckMs / 1000)} s after its URL`);

  // One CSV to see its size (and warm the readers' connections).
  const probe = await fetch(`${url}api/export/daily.csv?date=${opts.dates[0]}`);
  const probeText = await probe.text();
  if (!probe.ok) throw new Error(`daily.csv: ${probe.status} ${probeText.slice(0, 200)}`);
  const csvRows = probeText.split('\r\n').filter(Boolean).length - 1;

  // Live telemetry for the whole phase; halted at the end.
  const runId = 700_000 + Math.floor(Math.random() * 1000);
  const totalMs = opts.rounds * 2 * (opts.windows + 2) * WINDOW_MS + 120_000;
  const published = pub.next<{ published: number; acked: number }>((m) => m.type === 'done' && m.id === runId, totalMs + 60_000);
  pub.send({ type: 'run', id: runId, site: opts.site, lines: opts.lines, rate: opts.rate, durationMs: totalMs, maxInflight: 5000, ts: { mode: 'now' } });

  // The WebSocket viewer, the /api/live poller and the diagnostics sampler run for the whole phase; each
  // segment takes what fell into its measured windows.
  const pushes: number[] = [];
  const ws = new WebSocket(url.replace(/^http/, 'ws') + 'api/events');
  ws.on('message', (data: Buffer) => {
    if (data.subarray(0, 16).toString('latin1') === '{"event":"live",') pushes.push(performance.now());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let stop = false;
  const liveRtt: { at: number; ms: number }[] = [];
  const polling = (async () => {
    while (!stop) {
      const a = performance.now();
      const r = await fetch(url + 'api/live');
      await r.arrayBuffer();
      const b = performance.now();
      if (!r.ok) throw new Error(`/api/live: ${r.status}`);
      liveRtt.push({ at: a, ms: b - a });
      await sleep(LIVE_POLL_GAP_MS);
    }
  })();
  const diag: { sent: number; recv: number; d: Diagnostics }[] = [];
  const sampling = (async () => {
    while (!stop) {
      const sent = performance.now();
      const d = await diagnostics(url);
      diag.push({ sent, recv: performance.now(), d });
      await sleep(Math.max(0, DIAG_EVERY_MS - (performance.now() - sent)));
    }
  })();

  const segments: SegmentResult[] = [];
  try {
    // Warm-up: the ingest at its pace, the engine's first windows under load.
    await sleep(5000);
    const csvBytes = Buffer.byteLength(probeText);
    for (let round = 1; round <= opts.rounds; round++) {
      for (const kind of ['idle', 'reads'] as const) {
        const seen = await seeBoundary(url, WINDOW_MS + 3000);
        // Two equal windows in a row (unlikely): go by the samples' time instead.
        const boundary = seen?.at ?? performance.now();
        if (!seen) log('  (no window boundary seen: two equal windows in a row; segment timed from now)');
        const start = performance.now();
        const cpuAt = () => ({ serve: cpuSecondsOf(serve.pid), broker: cpuSecondsOf(opts.brokerPid), publisher: cpuSecondsOf(pub.pid), bench: process.cpuUsage(), machine: machineCpuSeconds().busy });
        const cpu0 = cpuAt();
        const stored0 = (await diagnostics(url)).counters.stored;
        const csvMs: number[] = [];
        let csvStop = false;
        const readers =
          kind === 'reads'
            ? Array.from({ length: opts.readers }, async (_, k) => {
                for (let i = k; !csvStop; i += opts.readers) {
                  const a = performance.now();
                  const r = await fetch(`${url}api/export/daily.csv?date=${opts.dates[i % opts.dates.length]}`);
                  const buf = await r.arrayBuffer();
                  if (!r.ok) throw new Error(`daily.csv: ${r.status} ${Buffer.from(buf).toString().slice(0, 200)}`);
                  csvMs.push(performance.now() - a);
                }
              })
            : [];
        // The first window ends at boundary + 10 s (partly before the segment): left out. Windows 2 … W+1 count.
        const firstEnd = boundary + WINDOW_MS;
        const lastEnd = boundary + (opts.windows + 1) * WINDOW_MS;
        while (performance.now() < lastEnd + 8000 && !diag.some((s) => s.sent >= lastEnd + READ_MARGIN_MS)) await sleep(100);
        csvStop = true;
        await Promise.all(readers);
        const end = performance.now();
        const cpu1 = cpuAt();
        const stored1 = (await diagnostics(url)).counters.stored;
        const secs = (end - start) / 1000;
        const bench = process.cpuUsage(cpu0.bench);
        const cpu = {
          serve: (cpu1.serve - cpu0.serve) / secs,
          broker: (cpu1.broker - cpu0.broker) / secs,
          publisher: (cpu1.publisher - cpu0.publisher) / secs,
          bench: (bench.user + bench.system) / 1e6 / secs,
          others: 0,
        };
        cpu.others = Math.max(0, (cpu1.machine - cpu0.machine) / secs - cpu.serve - cpu.broker - cpu.publisher - cpu.bench);
        const inside = (t: number) => t >= firstEnd && t < lastEnd;
        const windows: SegmentResult['windows'] = [];
        for (let k = 2; k <= opts.windows + 1; k++) {
          const b = boundary + k * WINDOW_MS;
          const s = diag.find((x) => x.sent >= b + READ_MARGIN_MS);
          if (s && s.recv < b + WINDOW_MS - 500 && s.d.engine.loopDelayP99Ms !== null) windows.push({ p99: s.d.engine.loopDelayP99Ms, max: s.d.engine.loopDelayMaxMs! });
        }
        const gaps: number[] = [];
        for (let i = 1; i < pushes.length; i++) if (inside(pushes[i - 1]) && inside(pushes[i])) gaps.push(pushes[i] - pushes[i - 1]);
        const seg: SegmentResult = {
          kind,
          round,
          ms: end - start,
          live: summarize(liveRtt.filter((x) => inside(x.at) && inside(x.at + x.ms)).map((x) => x.ms)),
          pushGaps: summarize(gaps),
          ack: diag.filter((x) => inside(x.sent) && inside(x.recv) && x.d.ingest.ackLatencyMs).map((x) => x.d.ingest.ackLatencyMs!),
          windows,
          csv: { n: csvMs.length, ms: csvMs, bytes: csvBytes },
          stored: stored1 - stored0,
          cpu,
        };
        segments.push(seg);
        const ackP99 = median(seg.ack.map((a) => a.p99));
        log(
          `  round ${round} ${kind === 'idle' ? 'no reads' : `${opts.readers} CSV readers`}: /api/live p50 ${seg.live.p50.toFixed(1)} / p99 ${seg.live.p99.toFixed(1)} ms (${seg.live.n}); push gap p99 ${Math.round(seg.pushGaps.p99)} ms, max ${Math.round(seg.pushGaps.max)}; ` +
            `ack p99 ${ackP99} ms (median of ${seg.ack.length} samples); engine loop delay p99 ${windows.map((w) => w.p99).join(', ')} ms, max ${windows.map((w) => w.max).join(', ')} ms` +
            (kind === 'reads' ? `; ${csvMs.length} CSVs, median ${Math.round(median(csvMs))} ms` : '') +
            `; ${Math.round((seg.stored / seg.ms) * 1000)} msg/s stored; cores: serve ${cpu.serve.toFixed(2)}, mosquitto ${cpu.broker.toFixed(2)}, publisher ${cpu.publisher.toFixed(2)}, bench ${cpu.bench.toFixed(2)}, everything else ${cpu.others.toFixed(2)}`,
        );
      }
    }
  } finally {
    stop = true;
    pub.send({ type: 'halt' });
    await Promise.allSettled([polling, sampling]);
    ws.terminate();
  }
  const done = await published;
  if (done.acked !== done.published) log(`  publisher: ${done.published - done.acked} of ${done.published} messages not acknowledged`);
  const of = (kind: 'idle' | 'reads'): Summary => {
    const segs = segments.filter((s) => s.kind === kind);
    const acks = segs.flatMap((s) => s.ack);
    const wins = segs.flatMap((s) => s.windows);
    return {
      liveP50: median(segs.map((s) => s.live.p50)),
      liveP99: median(segs.map((s) => s.live.p99)),
      pushGapP99: median(segs.map((s) => s.pushGaps.p99)),
      pushGapMax: Math.max(...segs.map((s) => s.pushGaps.max)),
      ackP50: median(acks.map((a) => a.p50)),
      ackP99: median(acks.map((a) => a.p99)),
      ackP99Worst: Math.max(...acks.map((a) => a.p99)),
      ackMax: Math.max(...acks.map((a) => a.max)),
      loopP99: median(wins.map((w) => w.p99)),
      loopMaxWorst: Math.max(...wins.map((w) => w.max)),
      loopMaxMedian: median(wins.map((w) => w.max)),
      csvMs: median(segs.flatMap((s) => s.csv.ms)),
      csvCount: segs.reduce((n, s) => n + s.csv.n, 0),
    };
  };
  return {
    rate: opts.rate,
    readers: opts.readers,
    dates: opts.dates,
    segments,
    published: done.published,
    quickCheckMs,
    csvBytes: Buffer.byteLength(probeText),
    csvRows,
    idle: of('idle'),
    reads: of('reads'),
  };
}
