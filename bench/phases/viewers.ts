// (8) Slow and stalled viewers (RELIABILITY row 34): `taktboard serve --demo` with a 16-line plant (live
// snapshots ≈ 27 KB, pushed every 300 ms), 200 live viewers, 50 stalled ones (raw TCP sockets that complete
// the WebSocket handshake and never read again) and 10 trickling ones (one read a second), for 10 minutes
// (--quick: ~90 s). The measurement of tests/integration/web-viewers.test.ts, from outside only:
// - the live viewers' snapshot arrival times: the push interval they see;
// - serve's VmRSS every second. On loopback the kernel takes ~4 MB per stalled connection (the send buffer
//   autotunes to net.ipv4.tcp_wmem's max) before serve sees any backpressure, so the memory baseline is
//   taken once every stalled connection's kernel send queue has stopped growing ("full"), from serve's
//   socket fds matched to /proc/net/tcp; growth is measured from there to the end;
// - a stalled viewer serve closes (a minute without any drain) is replaced by a new one, so 50 stall at
//   any moment; at the end the stalled ones read again and must get the latest snapshot within moments.
import fs from 'node:fs';
import path from 'node:path';
import { rssOf, cpuSecondsOf, removeTempDir, sleep, startServe, tempDir, type Serve } from '../lib/procs.ts';
import { liveViewer, serverConnections, stalledViewer, tcpRows, trickleViewer, type LiveViewer, type StalledViewer, type TrickleViewer } from '../lib/viewers.ts';
import { median, percentile, slope, sortedCopy } from '../lib/stats.ts';

export const PUSH_MS = 300;
/**
 * Allowed rise of serve's VmRSS from the baseline (every stalled connection's kernel queue full) to any
 * later sample. Dropping: ≤ 2 unflushed snapshots per stalled viewer, 50 × 2 × 27 KB ≈ 3 MB, plus the
 * engine's own GC sawtooth (a few MB). Queueing (~3.3 snapshots a second per stalled viewer kept in user
 * space) would add 50 × 3.3 × 27 KB ≈ 4.5 MB a second: > 100 MB within half a minute.
 */
export const RSS_RISE_BOUND = 40 * 2 ** 20;
const FILL_TIMEOUT_MS = 150_000;
/** Gaps of the first seconds (viewers still connecting, first snapshots) are left out. */
const SETTLE_MS = 5_000;

/** The plant of the viewers test: 16 lines of 5 stations, so a live snapshot is ≈ 27 KB. */
const plant = {
  site: 'viewers',
  timezone: 'Europe/Berlin',
  lines: Array.from({ length: 16 }, (_, i) => ({
    id: `line-${i + 1}`,
    name: `Montagelinie ${i + 1} · 装配线 ${i + 1}`,
    targetTaktS: 20 + i,
    outputStation: 'eol',
    stations: ['load', 'press', 'weld', 'test', 'eol'],
  })),
  shifts: [{ name: 'All day', start: '00:00', end: '00:00' }],
};

export interface ViewersResult {
  viewers: { live: number; stalled: number; trickle: number };
  runS: number;
  snapshotBytes: number;
  kernelFullAfterS: number;
  serveCpuCores: number;
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
  fs.writeFileSync(cfg, JSON.stringify(plant));
  const db = path.join(dir, 'viewers.sqlite');
  const serve = opts.serve ? await opts.serve({ config: cfg, db }) : await startServe({ config: cfg, db, extraArgs: ['--demo', '--backfill', '30m'] });
  const lives: LiveViewer[] = [];
  const trickles: TrickleViewer[] = [];
  let stalled: StalledViewer[] = [];
  const retired: StalledViewer[] = [];
  try {
    const url = serve.url;
    const pid = serve.pid;
    const port = Number(new URL(url).port);
    for (let i = 0; i < opts.live; i += 25) lives.push(...(await Promise.all(Array.from({ length: Math.min(25, opts.live - i) }, () => liveViewer(url)))));
    stalled = await Promise.all(Array.from({ length: opts.stalled }, () => stalledViewer(url)));
    trickles.push(...(await Promise.all(Array.from({ length: opts.trickle }, () => trickleViewer(url)))));
    const t0 = performance.now();
    const at = () => performance.now() - t0;
    const snapshotBytes = JSON.stringify(await (await fetch(url + 'api/live')).json()).length;
    opts.log(`  ${opts.live} live, ${opts.stalled} stalled, ${opts.trickle} trickling viewers attached; snapshot ${Math.round(snapshotBytes / 1024)} KB; RSS ${(rssOf(pid) / 2 ** 20).toFixed(1)} MiB`);

    const samples: { t: number; rss: number }[] = [];
    const cpu0 = cpuSecondsOf(pid);
    let allFullAt: number | null = null;
    let endAt = Number.POSITIVE_INFINITY;
    let reconnects = 0;
    let lastLog = 0;
    // Past endAt, wait until the stalled ones of the moment have full kernel queues (those of a long run may
    // have just been replaced), so that what they get when they read again can be judged.
    const settled = () => stalled.length > 0 && stalled.every((s) => s.fullAt !== null && at() - s.fullAt >= 10_000);
    while (at() < endAt || (!settled() && at() < endAt + FILL_TIMEOUT_MS)) {
      await sleep(1000);
      const t = at();
      samples.push({ t, rss: rssOf(pid) });
      const conns = serverConnections(pid, port);
      for (const s of stalled) {
        const c = conns.get(s.port);
        if (!c) {
          s.closedAt = t;
          continue;
        }
        if (c.txQueue > 0 && c.txQueue <= s.lastTx) s.steady++;
        else s.steady = 0;
        s.lastTx = Math.max(s.lastTx, c.txQueue);
        if (s.steady >= 3 && s.fullAt === null) s.fullAt = t - 3000;
      }
      const closed = stalled.filter((s) => s.closedAt !== null);
      if (closed.length) {
        for (const s of closed) s.socket.destroy();
        retired.push(...closed);
        stalled = stalled.filter((s) => s.closedAt === null);
        if (t < endAt - 10_000) {
          stalled.push(...(await Promise.all(closed.map(() => stalledViewer(url)))));
          reconnects += closed.length;
        }
      }
      if (allFullAt === null && stalled.every((s) => s.fullAt !== null)) {
        allFullAt = t;
        endAt = Math.max(t + opts.holdS * 1000, opts.runS * 1000);
        opts.log(`  every stalled connection's kernel send queue full after ${Math.round(t / 1000)} s (RSS ${(samples[samples.length - 1].rss / 2 ** 20).toFixed(1)} MiB); holding until ${Math.round(endAt / 1000)} s`);
      }
      if (allFullAt === null && t > FILL_TIMEOUT_MS) throw new Error(`the stalled connections' kernel queues did not fill in ${FILL_TIMEOUT_MS / 1000} s`);
      if (t - lastLog >= 30_000) {
        lastLog = t;
        const tx = stalled.map((s) => conns.get(s.port)?.txQueue ?? 0);
        opts.log(`  ${Math.round(t / 1000)} s: serve RSS ${(samples[samples.length - 1].rss / 2 ** 20).toFixed(1)} MiB; stalled ${stalled.length} (full ${stalled.filter((s) => s.fullAt !== null).length}, kernel queue ≤ ${(Math.max(0, ...tx) / 2 ** 20).toFixed(2)} MiB), closed by serve ${retired.length}`);
      }
    }
    const runMs = at();
    const cpu = (cpuSecondsOf(pid) - cpu0) / (runMs / 1000);

    // The stalled viewers read again: what the kernel holds, at most a couple of stale messages from serve's
    // process, then the latest.
    const conns = serverConnections(pid, port);
    const clientRows = new Map(tcpRows().map((r) => [r.localPort, r]));
    for (const s of stalled) {
      s.heldBeforeResume = (conns.get(s.port)?.txQueue ?? 0) + (clientRows.get(s.port)?.rxQueue ?? 0) + s.socket.readableLength;
      s.resumedAt = performance.now();
      s.socket.resume();
    }
    await sleep(4000);

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
    const full = allFullAt!;
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
      serveCpuCores: cpu,
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
    for (const v of trickles) clearInterval(v.timer);
    for (const v of [...lives, ...trickles]) v.ws.terminate();
    for (const s of [...stalled, ...retired]) s.socket.destroy();
    if (opts.stop) await opts.stop(serve);
    else {
      const code = await serve.stop();
      if (code !== 0) opts.log(`  serve (viewers) exited with ${code}:\n${serve.output().slice(-3000)}`);
    }
    removeTempDir(dir);
  }
}
