// (8) Slow and stalled viewers (RELIABILITY row 34): `taktboard serve --demo` with a 16-line plant (live
// snapshots ≈ 27 KB, pushed every 300 ms), 200 live viewers, 50 stalled ones (raw TCP sockets that complete
// the WebSocket handshake and never read again) and 10 trickling ones (one read a second), for 10 minutes
// (--quick: ~90 s). The measurement of tests/integration/web-viewers.test.ts, with its harness
// (tests/helpers/viewers.ts), from outside only:
// - the live viewers' snapshot arrival times: the push interval they see;
// - serve's VmRSS every second. On loopback the kernel takes ~4 MB per stalled connection (the send buffer
//   autotunes to net.ipv4.tcp_wmem's max) before serve sees any backpressure, so the memory baseline is
//   taken once every stalled connection's kernel send queue has stopped growing ("full"), from serve's
//   socket fds matched to /proc/net/tcp; growth is measured from there to the end;
// - a stalled viewer serve closes (a minute without any drain) is replaced by a new one, so 50 stall at
//   any moment; at the end the stalled ones read again and must get the latest snapshot within moments.
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { machineCpuSeconds, removeTempDir, startServe, tempDir, type Serve } from '../lib/procs.ts';
import { PUSH_MS, RSS_RISE_BOUND, VIEWERS_PLANT, ViewerLoad } from '../../tests/helpers/viewers.ts';
import { median, percentile, slope, sortedCopy } from '../lib/stats.ts';

export { PUSH_MS, RSS_RISE_BOUND };
/** Gaps of the first seconds (viewers still connecting, first snapshots) are left out. */
const SETTLE_MS = 5_000;

export interface ViewersResult {
  viewers: { live: number; stalled: number; trickle: number };
  runS: number;
  snapshotBytes: number;
  kernelFullAfterS: number;
  serveCpuCores: number;
  /** Cores over the run used by the bench process (all the viewers) and by everything else on the machine. */
  benchCpuCores: number;
  othersCpuCores: number;
  /** The bench's own event-loop delay over the run: how late the viewers' arrival times can be taken. */
  benchLoopDelay: { p99: number; max: number };
  rss: { start: number; baseline: number; peak: number; end: number; rise: number; endRise: number; slopeMiBPerMin: number };
  gaps: { n: number; p50: number; p95: number; p99: number; max: number };
  /** Pushes the live viewers missed (gaps rounded to push intervals, minus one, summed). */
  missedPushes: number;
  fewestSnapshots: number;
  expectedSnapshots: number;
  liveClosed: number;
  stalled: { closedByServer: number; reconnects: number; closedAfterFullS: [number, number] | null; resumedMeasured: number; freshWithinMs: number; gotNoFresh: number };
  trickle: { closed: number; fewestChunks: number };
  samples: { t: number; rss: number }[];
}

export async function runViewers(opts: { runS: number; holdS: number; live: number; stalled: number; trickle: number; serve?: (a: { config: string; db: string }) => Promise<Serve>; stop?: (s: Serve) => Promise<void>; log: (s: string) => void }): Promise<ViewersResult> {
  const dir = tempDir('viewers');
  const cfg = path.join(dir, 'plant.json');
  fs.writeFileSync(cfg, JSON.stringify(VIEWERS_PLANT));
  const db = path.join(dir, 'viewers.sqlite');
  const serve = opts.serve ? await opts.serve({ config: cfg, db }) : await startServe({ config: cfg, db, extraArgs: ['--demo', '--backfill', '30m'] });
  const load = new ViewerLoad();
  try {
    // The viewers live in this process: its own event-loop delay bounds how late their arrival times are taken.
    const benchLoop = monitorEventLoopDelay({ resolution: 10 });
    const cpu0 = { bench: process.cpuUsage(), machine: machineCpuSeconds().busy, at: performance.now() };
    benchLoop.enable();
    const { t0, runMs, allFullAt, snapshotBytes, samples, serveCpuCores, reconnects } = await load.run(serve.url, serve.pid, { ...opts, logEveryMs: 30_000 });
    benchLoop.disable();
    const secs = (performance.now() - cpu0.at) / 1000;
    const benchCpu = process.cpuUsage(cpu0.bench);
    const benchCpuCores = (benchCpu.user + benchCpu.system) / 1e6 / secs;
    const othersCpuCores = Math.max(0, (machineCpuSeconds().busy - cpu0.machine) / secs - serveCpuCores - benchCpuCores);
    const { lives, trickles, stalled, retired } = load;

    const gaps: number[] = [];
    let missed = 0;
    for (const v of lives) {
      for (let i = 1; i < v.arrivals.length; i++) {
        if (v.arrivals[i - 1] <= t0 + SETTLE_MS || v.arrivals[i] > t0 + runMs) continue;
        const g = v.arrivals[i] - v.arrivals[i - 1];
        gaps.push(g);
        missed += Math.max(0, Math.round(g / PUSH_MS) - 1);
      }
    }
    const sorted = sortedCopy(gaps);
    const fewest = Math.min(...lives.map((v) => v.arrivals.filter((a) => a > t0 && a < t0 + runMs).length));
    const full = allFullAt;
    const baseline = median(samples.filter((s) => s.t >= full && s.t < full + 5000).map((s) => s.rss));
    const after = samples.filter((s) => s.t >= full + 5000);
    const peak = after.reduce((m, s) => Math.max(m, s.rss), baseline);
    const end = samples[samples.length - 1].rss;
    const measured = stalled.filter((s) => s.fullAt !== null && s.fullAt < runMs - 10_000);
    const closedAfter = retired.map((s) => s.closedAt! - (s.fullAt ?? s.openedAt));
    const mib = (b: number) => b / 2 ** 20;
    return {
      viewers: { live: opts.live, stalled: opts.stalled, trickle: opts.trickle },
      runS: runMs / 1000,
      snapshotBytes,
      kernelFullAfterS: full / 1000,
      serveCpuCores,
      benchCpuCores,
      othersCpuCores,
      benchLoopDelay: { p99: benchLoop.percentile(99) / 1e6, max: benchLoop.max / 1e6 },
      rss: {
        start: samples[0].rss,
        baseline,
        peak,
        end,
        rise: peak - baseline,
        endRise: end - baseline,
        slopeMiBPerMin: slope(after.map((s) => s.t / 60_000), after.map((s) => mib(s.rss))),
      },
      gaps: { n: gaps.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN },
      missedPushes: missed,
      fewestSnapshots: fewest,
      expectedSnapshots: Math.floor(runMs / PUSH_MS),
      liveClosed: lives.filter((v) => v.closed).length,
      stalled: {
        closedByServer: retired.length,
        reconnects,
        closedAfterFullS: closedAfter.length ? [Math.round(Math.min(...closedAfter) / 1000), Math.round(Math.max(...closedAfter) / 1000)] : null,
        resumedMeasured: measured.length,
        freshWithinMs: measured.reduce((m, s) => Math.max(m, (s.freshAt ?? Number.POSITIVE_INFINITY) - s.resumedAt!), 0),
        gotNoFresh: measured.filter((s) => s.freshAt === null).length,
      },
      trickle: { closed: trickles.filter((v) => v.closed).length, fewestChunks: Math.min(...trickles.map((v) => v.chunks)) },
      samples,
    };
  } finally {
    load.close();
    if (opts.stop) await opts.stop(serve);
    else {
      const code = await serve.stop();
      if (code !== 0) opts.log(`  serve (viewers) exited with ${code}:\n${serve.output().slice(-3000)}`);
    }
    removeTempDir(dir);
  }
}
