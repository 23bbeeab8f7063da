// (5) Memory: serve's resident set (VmRSS of its PID) over an accelerated 8-hour shift at 1 000 msg/s,
// with one WebSocket client attached as a wall display would be.
//
// Acceleration, honestly: the messages' `ts` span 8 hours (the 8 h before now), but they are published
// at 1 000 msg/s for a short wall time, so the time-keyed state (shift counts, per-minute rollups, live
// windows, the shift's break) sees the whole 8 h while the message count is wall seconds × 1 000, a small
// share of a real 8-h shift's 28.8 M messages. The per-message growth is therefore also fitted (bytes per
// message after the warm-up) and projected onto 28.8 M messages.
import WebSocket from 'ws';
import type { Child, Serve } from '../lib/procs.ts';
import { rssOf, sleep } from '../lib/procs.ts';
import { median, slopeWithError } from '../lib/stats.ts';

export interface MemoryResult {
  wallMs: number;
  rate: number;
  published: number;
  stored: number;
  tsSpanH: number;
  rssIdle: number;
  rssWarm: number;
  rssEnd: number;
  rssPeak: number;
  growth: number;
  bytesPerMessage: number;
  /** Standard error of that slope: GC makes RSS a sawtooth, so short runs give wide errors. */
  bytesPerMessageSe: number;
  projected8hGrowth: number;
  snapshots: number;
  samples: { t: number; rss: number; stored: number }[];
}

const REAL_SHIFT_MESSAGES = 8 * 3600 * 1000;

export async function runMemory(pub: Child, serve: Serve, site: string, storedNow: () => number, opts: { wallMs: number; rate: number; log: (s: string) => void }): Promise<MemoryResult> {
  let snapshots = 0;
  const ws = new WebSocket(serve.url.replace(/^http/, 'ws') + 'api/events');
  ws.on('message', () => snapshots++);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  try {
    await sleep(1000);
    const rssIdle = rssOf(serve.pid);
    const now = Date.now();
    const span = 8 * 3600_000;
    const id = 900_000 + Math.floor(Math.random() * 1000);
    const samples: MemoryResult['samples'] = [];
    const base = storedNow();
    const t0 = performance.now();
    const done = pub.next<{ published: number }>((m) => m.type === 'done' && m.id === id, opts.wallMs + 60_000);
    pub.send({ type: 'run', id, site, rate: opts.rate, durationMs: opts.wallMs, maxInflight: 5000, ts: { mode: 'span', from: now - span, to: now - 1000 } });
    let finished = false;
    void done.then(() => (finished = true), () => (finished = true));
    let lastLog = 0;
    while (!finished) {
      const t = performance.now() - t0;
      samples.push({ t, rss: rssOf(serve.pid), stored: storedNow() - base });
      if (t - lastLog > 15_000) {
        lastLog = t;
        opts.log(`  ${Math.round(t / 1000)} s: RSS ${(samples[samples.length - 1].rss / 2 ** 20).toFixed(1)} MiB, ${samples[samples.length - 1].stored} stored`);
      }
      await sleep(250);
    }
    const d = await done;
    const wallMs = performance.now() - t0;
    const inRange = (a: number, b: number) => samples.filter((s) => s.t >= a * wallMs && s.t <= b * wallMs);
    const rssWarm = median(inRange(0.1, 0.2).map((s) => s.rss));
    const rssEnd = median(inRange(0.9, 1).map((s) => s.rss));
    const after = inRange(0.2, 1);
    const fit = slopeWithError(after.map((s) => s.stored), after.map((s) => s.rss));
    const bpm = fit.slope;
    return {
      wallMs,
      rate: opts.rate,
      published: d.published,
      stored: storedNow() - base,
      tsSpanH: 8,
      rssIdle,
      rssWarm,
      rssEnd,
      rssPeak: Math.max(...samples.map((s) => s.rss)),
      growth: rssEnd / rssWarm - 1,
      bytesPerMessage: bpm,
      bytesPerMessageSe: fit.se,
      projected8hGrowth: (bpm * REAL_SHIFT_MESSAGES) / rssWarm,
      snapshots,
      samples,
    };
  } finally {
    ws.terminate();
  }
}
