// (3) Live latency: from the moment the publisher hands a message to mqtt.js until a WebSocket client
// of serve (`/api/events`, as the browser dashboard uses) receives the first live snapshot that includes
// it. Every message counts, not a probe: the publisher records each message's publish time, mosquitto
// delivers one publisher's QoS 1 messages in order, and the snapshot's `counters.stored` says how many of
// them were committed when it was computed. Both clocks are this machine's (performance.timeOrigin + now).
import WebSocket from 'ws';
import type { Child } from '../lib/procs.ts';
import { sleep } from '../lib/procs.ts';
import { percentile, sortedCopy, median } from '../lib/stats.ts';

export interface LatencyRep {
  rate: number;
  published: number;
  resolved: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Snapshot computed (server ts) → received by the client, median ms. */
  deliveryMs: number;
  /** Median interval between received snapshots, ms. */
  pushIntervalMs: number;
}

export interface LatencyResult {
  reps: LatencyRep[];
  byRate: Record<number, { p50: number; p95: number; p99: number; reps: LatencyRep[] }>;
}

interface Snap {
  recv: number;
  serverTs: number;
  stored: number;
}

let runId = 100_000;

export async function runLatency(
  pub: Child,
  serveUrl: string,
  site: string,
  storedNow: () => number,
  opts: { rates: number[]; reps: number; durationMs: number; log: (s: string) => void },
): Promise<LatencyResult> {
  const snaps: Snap[] = [];
  const ws = new WebSocket(serveUrl.replace(/^http/, 'ws') + 'api/events');
  ws.on('message', (data) => {
    const recv = performance.timeOrigin + performance.now();
    const m = JSON.parse(String(data)) as { event: string; payload: { ts: number; counters: { stored: number } } };
    if (m.event === 'live') snaps.push({ recv, serverTs: m.payload.ts, stored: m.payload.counters.stored });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const reps: LatencyRep[] = [];
  try {
    for (const rate of opts.rates) {
      for (let r = 0; r < opts.reps; r++) {
        await idle(storedNow, 20_000);
        const s0 = storedNow();
        const k0 = snaps.length;
        const id = ++runId;
        const done = pub.next<{ published: number; times: number[] }>((m) => m.type === 'done' && m.id === id, opts.durationMs + 60_000);
        pub.send({ type: 'run', id, site, rate, durationMs: opts.durationMs, maxInflight: 5000, ts: { mode: 'now' }, recordTimes: true });
        const d = await done;
        // Until a snapshot shows everything (bounded).
        const until = performance.now() + 15_000;
        while (performance.now() < until && !(snaps.length > k0 && snaps[snaps.length - 1].stored - s0 >= d.published)) await sleep(50);
        const lat = new Float64Array(d.times.length);
        let n = 0;
        let j = k0;
        for (let i = 0; i < d.times.length; i++) {
          while (j < snaps.length && snaps[j].stored - s0 < i + 1) j++;
          if (j >= snaps.length) break;
          lat[n++] = snaps[j].recv - d.times[i];
        }
        const sorted = sortedCopy(lat.subarray(0, n));
        const used = snaps.slice(k0);
        const gaps = used.slice(1).map((s, i) => s.recv - used[i].recv);
        const rep: LatencyRep = {
          rate,
          published: d.published,
          resolved: n,
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          p99: percentile(sorted, 99),
          max: sorted[sorted.length - 1] ?? Number.NaN,
          deliveryMs: median(used.map((s) => s.recv - s.serverTs)),
          pushIntervalMs: median(gaps),
        };
        reps.push(rep);
        opts.log(`  ${rate} msg/s rep ${r + 1}: ${n}/${d.published} messages seen in a snapshot; p50 ${Math.round(rep.p50)} ms, p95 ${Math.round(rep.p95)} ms, p99 ${Math.round(rep.p99)} ms (snapshots every ${Math.round(rep.pushIntervalMs)} ms, delivered ${rep.deliveryMs.toFixed(1)} ms after computing)`);
      }
    }
  } finally {
    ws.terminate();
  }
  const byRate: LatencyResult['byRate'] = {};
  for (const rate of opts.rates) {
    const rs = reps.filter((x) => x.rate === rate);
    byRate[rate] = { p50: median(rs.map((x) => x.p50)), p95: median(rs.map((x) => x.p95)), p99: median(rs.map((x) => x.p99)), reps: rs };
  }
  return { reps, byRate };
}

/** Waits until the stored count has not moved for 300 ms (serve has caught up with everything sent). */
async function idle(count: () => number, maxMs: number): Promise<void> {
  const until = performance.now() + maxMs;
  let last = count();
  let since = performance.now();
  while (performance.now() < until) {
    await sleep(50);
    const c = count();
    if (c !== last) {
      last = c;
      since = performance.now();
    } else if (performance.now() - since >= 300) return;
  }
}
