// (1a) + (2): the raw mqtt.js QoS 1 receive rate and `taktboard serve`'s ingest rate (PUBACK only after
// the SQLite commit), from the same mosquitto, with the same publisher, in the same run.
//
// - Raw: the publisher sends as fast as mosquitto acknowledges it (at most `maxInflight` unacknowledged)
//   to the raw subscriber's topics for a few seconds; its receive rate after a warm-up is the raw limit.
//   Measured before, during and after serve's ladder, so the ratio compares figures of the same minutes.
// - Ladder: serve at increasing offered load (then bisected between the last step kept up and the first
//   one not); a step is kept up when, as the publisher got its last PUBACK, serve was less than 0.25 s of
//   load behind and caught up within 0.5 s. Mosquitto queues what serve has not taken yet: nothing is lost.
import Database from 'better-sqlite3';
import type { Child } from '../lib/procs.ts';
import { cpuSecondsOf, sleep } from '../lib/procs.ts';
import { median } from '../lib/stats.ts';

export interface Receiver {
  name: string;
  site: string;
  count(): number;
  /** PIDs whose CPU use is reported for this receiver's steps. */
  pid: number;
}

export interface StepResult {
  receiver: string;
  requested: number;
  /** What the publisher actually sent per second while the step ran. */
  offered: number;
  /** What the receiver took per second over the same window. */
  delivered: number;
  published: number;
  /** Published but not yet received when the publisher had its last PUBACK. */
  backlog: number;
  /** After the publisher stopped: ms until everything published was received (or -1: not within the bound). */
  lagMs: number;
  /** backlog / lagMs: the receiver's rate with the publisher idle. */
  drainRate: number;
  keptUp: boolean;
  /** CPU cores used over the step by: receiver, mosquitto, publisher. */
  cpu: { receiver: number; broker: number; publisher: number };
}

/** Steps beyond the listed ladder, bounding the phase's time. */
const MAX_EXTRA_STEPS = 8;
/** A step whose publisher offered less than this share of the rate asked for is limited by the publisher. */
const OFFER_SHORTFALL = 0.95;

export interface IngestResult {
  raw: StepResult[];
  ladder: StepResult[];
  saturated: StepResult;
  rawRate: number;
  /** The highest offered load serve kept up with. */
  sustained: number;
  /** serve kept up with everything the publisher could offer: the figure is a lower bound. */
  publisherLimited: boolean;
  published: number;
  stored: number;
  duplicates: number;
  gaps: number;
}

/** Counts serve's committed rows with a read-only connection on its database (WAL: never blocks serve). */
export function storedCounter(dbPath: string): { count(): number; totals(): { stored: number; duplicates: number; gaps: number }; close(): void } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  const q = db.prepare('SELECT COALESCE(SUM(stored), 0) FROM streams').pluck();
  const t = db.prepare('SELECT COALESCE(SUM(stored), 0), COALESCE(SUM(duplicates), 0), (SELECT COUNT(*) FROM gaps) FROM streams').raw();
  return {
    count: () => q.get() as number,
    totals() {
      const [stored, duplicates, gaps] = t.get() as [number, number, number];
      return { stored, duplicates, gaps };
    },
    close: () => db.close(),
  };
}

let runId = 0;

export async function runStep(
  pub: Child,
  recv: Receiver,
  pids: { broker: number },
  opts: { rate: number; durationMs: number; maxInflight: number; warmupMs: number; drainMaxMs: number },
): Promise<StepResult> {
  const id = ++runId;
  const base = recv.count();
  let published = 0;
  const samples: { t: number; count: number; published: number }[] = [];
  const off = pub.on((m) => {
    if (m.id === id && typeof m.published === 'number') published = m.published;
  });
  const cpu0 = { r: cpuSecondsOf(recv.pid), b: cpuSecondsOf(pids.broker), p: cpuSecondsOf(pub.pid) };
  const t0 = performance.now();
  const done = pub.next<{ published: number; elapsedMs: number }>((m) => m.type === 'done' && m.id === id, opts.durationMs + 60_000);
  pub.send({ type: 'run', id, site: recv.site, rate: opts.rate, durationMs: opts.durationMs, maxInflight: opts.maxInflight, ts: { mode: 'now' } });
  let finished = false;
  void done.then(() => (finished = true), () => (finished = true));
  while (!finished) {
    samples.push({ t: performance.now() - t0, count: recv.count() - base, published });
    await sleep(50);
  }
  const d = await done;
  off();
  const tEnd = performance.now() - t0;
  const atEnd = recv.count() - base;
  const cpuWall = tEnd / 1000;
  const cpu = {
    receiver: (cpuSecondsOf(recv.pid) - cpu0.r) / cpuWall,
    broker: (cpuSecondsOf(pids.broker) - cpu0.b) / cpuWall,
    publisher: (cpuSecondsOf(pub.pid) - cpu0.p) / cpuWall,
  };
  // Rates over the step after its warm-up: what the publisher got acknowledged, what the receiver took.
  const start = samples.find((s) => s.t >= opts.warmupMs) ?? samples[0];
  const span = Math.max(1, tEnd - start.t) / 1000;
  const offered = (d.published - start.published) / span;
  const delivered = (atEnd - start.count) / span;
  // When the publisher had its last PUBACK: how far behind was the receiver, and how long until it caught up.
  const backlog = d.published - atEnd;
  const drainStart = performance.now();
  let lagMs = -1;
  while (performance.now() - drainStart < opts.drainMaxMs) {
    if (recv.count() - base >= d.published) {
      lagMs = performance.now() - drainStart;
      break;
    }
    await sleep(10);
  }
  const drainRate = lagMs > 0 ? backlog / (lagMs / 1000) : Number.NaN;
  // Kept up: less than a quarter second of the offered load behind when the publisher stopped, caught up
  // within half a second after, and no less than the publisher managed to send.
  const keptUp = opts.rate > 0 && lagMs >= 0 && lagMs <= 500 && backlog <= 0.25 * opts.rate && d.published >= 0.9 * (opts.rate * opts.durationMs) / 1000;
  return { receiver: recv.name, requested: opts.rate, offered, delivered, published: d.published, backlog, lagMs, drainRate, keptUp, cpu };
}

export async function runIngest(
  pub: Child,
  raw: Receiver,
  serve: Receiver,
  pids: { broker: number },
  opts: { rawReps: number; rawMs: number; ladder: number[]; refine: number; stepMs: number; maxInflight: number; log: (s: string) => void },
): Promise<Omit<IngestResult, 'stored' | 'duplicates' | 'gaps'>> {
  let published = 0;
  const rawSteps: StepResult[] = [];
  const rawStep = async () => {
    const r = await runStep(pub, raw, pids, { rate: 0, durationMs: opts.rawMs, maxInflight: opts.maxInflight, warmupMs: 700, drainMaxMs: 30_000 });
    rawSteps.push(r);
    opts.log(`  raw QoS 1 receive (saturated): ${Math.round(r.delivered)} msg/s; CPU subscriber ${r.cpu.receiver.toFixed(2)}, mosquitto ${r.cpu.broker.toFixed(2)}, publisher ${r.cpu.publisher.toFixed(2)} cores`);
  };
  const serveStep = async (rate: number) => {
    const s = await runStep(pub, serve, pids, { rate, durationMs: opts.stepMs, maxInflight: opts.maxInflight, warmupMs: 500, drainMaxMs: 60_000 });
    published += s.published;
    ladder.push(s);
    opts.log(`  serve at ${rate} msg/s: offered ${Math.round(s.offered)}, stored ${Math.round(s.delivered)} msg/s, ${s.backlog} behind at the end, caught up in ${Math.round(s.lagMs)} ms; CPU serve ${s.cpu.receiver.toFixed(2)}, mosquitto ${s.cpu.broker.toFixed(2)}, publisher ${s.cpu.publisher.toFixed(2)} cores → ${s.keptUp ? 'kept up' : 'fell behind'}`);
    return s.keptUp;
  };
  const ladder: StepResult[] = [];
  // A short warm-up of both paths (JIT, SQLite page cache, mosquitto sessions), not counted.
  await runStep(pub, raw, pids, { rate: 2000, durationMs: 1000, maxInflight: opts.maxInflight, warmupMs: 0, drainMaxMs: 10_000 });
  published += (await runStep(pub, serve, pids, { rate: 2000, durationMs: 1000, maxInflight: opts.maxInflight, warmupMs: 0, drainMaxMs: 10_000 })).published;

  // Raw figures before, in the middle of and after the ladder: the ratio compares like with like in time.
  const rawAt = new Set(opts.rawReps <= 1 ? [0] : opts.rawReps === 2 ? [0, -1] : [0, Math.floor(opts.ladder.length / 2), -1]);
  let lastPass = 0;
  let firstFail = 0;
  let publisherLimited = false;
  // The listed steps, then on in the last step's increments until serve falls behind or the publisher
  // cannot offer the rate asked for (then the load generator, not serve, is the limit).
  const increment = opts.ladder.length > 1 ? opts.ladder.at(-1)! - opts.ladder.at(-2)! : 2000;
  for (let i = 0; i < opts.ladder.length + MAX_EXTRA_STEPS; i++) {
    if (rawAt.has(i)) await rawStep();
    const rate = i < opts.ladder.length ? opts.ladder[i] : opts.ladder.at(-1)! + (i - opts.ladder.length + 1) * increment;
    // One retry of a failed step: the machine is shared, one hiccup must not end the ladder.
    if ((await serveStep(rate)) || (await serveStep(rate))) {
      const offered = ladder.at(-1)!.offered;
      if (offered < OFFER_SHORTFALL * rate) {
        publisherLimited = true;
        lastPass = Math.max(lastPass, Math.floor(offered / 250) * 250);
        opts.log(`  the publisher offered only ${Math.round(offered)} of ${rate} msg/s and serve kept up: the load generator is the limit`);
        break;
      }
      lastPass = rate;
    } else {
      firstFail = rate;
      break;
    }
  }
  // Bisect between the last step kept up and the first one that was not.
  for (let k = 0; k < opts.refine && firstFail > 0 && firstFail - lastPass > 500; k++) {
    const mid = Math.round((lastPass + firstFail) / 2 / 250) * 250;
    if ((await serveStep(mid)) || (await serveStep(mid))) lastPass = mid;
    else firstFail = mid;
  }
  // The ladder may have stopped before its middle: the raw figure still gets all its repetitions.
  while (rawSteps.length < Math.max(1, opts.rawReps)) await rawStep();
  // One saturated step for serve too: its rate while the publisher runs flat out, and how fast it then
  // drains what mosquitto queued with the publisher idle.
  const sat = await runStep(pub, serve, pids, { rate: 0, durationMs: opts.rawMs, maxInflight: opts.maxInflight, warmupMs: 700, drainMaxMs: 120_000 });
  published += sat.published;
  opts.log(`  serve saturated: ${Math.round(sat.delivered)} msg/s while the publisher sent ${Math.round(sat.offered)} msg/s; ${sat.backlog > 0 ? `then drained ${sat.backlog} queued messages at ${Math.round(sat.drainRate)} msg/s (publisher idle)` : 'nothing queued at mosquitto'}; CPU serve ${sat.cpu.receiver.toFixed(2)} cores`);
  const rawRate = median(rawSteps.map((r) => r.delivered));
  return { raw: rawSteps, ladder, saturated: sat, rawRate, sustained: lastPass, publisherLimited, published };
}
