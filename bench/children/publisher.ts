// Load publisher (a child process of bench/run.ts): one mqtt.js connection publishing QoS 1 plant
// telemetry at a given rate, or as fast as the broker acknowledges. Driven over the IPC channel:
//   → {type:'run', id, site, rate, durationMs, maxInflight, ts, recordTimes}
//   ← {type:'progress', id, published, acked, failed}   every 100 ms
//   ← {type:'done', id, published, acked, failed, elapsedMs, times?}
//   → {type:'halt'}   ends the run in progress early (it reports `done` as usual)
// `rate` 0 means "as fast as possible" with at most maxInflight messages awaiting the broker's PUBACK.
import mqtt from 'mqtt';
import { MessageSource } from '../lib/plant.ts';

interface RunCommand {
  type: 'run';
  id: number;
  site: string;
  /** Messages per second; 0 = as fast as the broker acknowledges. */
  rate: number;
  durationMs: number;
  maxInflight: number;
  /** Wall-clock ts, or ts spread evenly over [from, to] (accelerated time). */
  ts: { mode: 'now' } | { mode: 'span'; from: number; to: number };
  /** Send back each message's publish time (performance.timeOrigin + now(), ms). */
  recordTimes?: boolean;
  /** Publish to the first N lines of the plant only (default all). */
  lines?: number;
}

/** `halt` ends the run in progress at its next tick (it then reports `done` as usual). */
type Command = RunCommand | { type: 'stop' } | { type: 'halt' };

const url = process.argv[2];
const clientId = process.argv[3] ?? `bench-pub-${process.pid}`;
if (!url || !process.send) {
  console.error('usage: forked by bench/run.ts with <broker url> [client id]');
  process.exit(2);
}
const send = (m: unknown) => process.send!(m);

const client = await mqtt.connectAsync(url, { clientId, protocolVersion: 4, clean: true, keepalive: 30, reconnectPeriod: 0 });
const sources = new Map<string, MessageSource>();
const source = (site: string, lines?: number) => {
  const key = `${site}/${lines ?? 'all'}`;
  let s = sources.get(key);
  if (!s) sources.set(key, (s = new MessageSource(site, lines === undefined ? `bench-${process.pid}` : `bench-${process.pid}-${lines}`, lines)));
  return s;
};
let queue: Promise<void> = Promise.resolve();
let halted = false;

process.on('message', (m: Command) => {
  if (m.type === 'stop') {
    queue = queue.then(async () => {
      await client.endAsync().catch(() => undefined);
      process.exit(0);
    });
    return;
  }
  if (m.type === 'halt') {
    halted = true;
    return;
  }
  if (m.type === 'run') queue = queue.then(() => run(m)).catch((e) => void send({ type: 'error', message: String(e) }));
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });

function run(cmd: RunCommand): Promise<void> {
  halted = false;
  return new Promise((resolve) => {
    const src = source(cmd.site, cmd.lines);
    const total = cmd.rate > 0 ? Math.round((cmd.rate * cmd.durationMs) / 1000) : Number.POSITIVE_INFINITY;
    const times = cmd.recordTimes && Number.isFinite(total) ? new Float64Array(total) : null;
    const origin = performance.timeOrigin;
    let published = 0;
    let acked = 0;
    let failed = 0;
    let inflight = 0;
    let finished = false;
    /** Blocked on the in-flight window: the next PUBACK below half the window resumes publishing. */
    let blocked = false;
    const onAck = (err?: Error) => {
      inflight--;
      if (err) failed++;
      else acked++;
      if (blocked && inflight <= cmd.maxInflight / 2) {
        blocked = false;
        setImmediate(tick);
      }
    };
    const stream = client.stream as unknown as { cork(): void; uncork(): void };
    const t0 = performance.now();
    const progress = setInterval(() => send({ type: 'progress', id: cmd.id, published, acked, failed }), 100);

    const finish = () => {
      if (finished) return;
      finished = true;
      // Wait (bounded) for the broker's PUBACKs of what was handed over.
      const deadline = performance.now() + 30_000;
      const wait = () => {
        if (inflight > 0 && performance.now() < deadline) return void setTimeout(wait, 5);
        clearInterval(progress);
        send({ type: 'done', id: cmd.id, published, acked, failed, elapsedMs: performance.now() - t0, times: times ? Array.from(times) : undefined });
        resolve();
      };
      wait();
    };

    const tick = () => {
      if (finished) return;
      const now = performance.now();
      const elapsed = now - t0;
      if (halted || (elapsed >= cmd.durationMs && cmd.rate === 0)) return finish();
      const due = cmd.rate > 0 ? Math.min(total, Math.floor((cmd.rate * elapsed) / 1000)) : published + cmd.maxInflight;
      // One write per batch instead of one per PUBLISH: the publisher should cost the machine little.
      stream.cork();
      let n = 0;
      while (published < due && inflight < cmd.maxInflight && n < 2000) {
        const ts = cmd.ts.mode === 'now' ? Date.now() : Math.round(cmd.ts.from + ((cmd.ts.to - cmd.ts.from) * published) / Math.max(1, total - 1));
        const msg = src.next(ts);
        if (times) times[published] = origin + performance.now();
        inflight++;
        published++;
        n++;
        client.publish(msg.topic, msg.payload, { qos: 1 }, onAck);
      }
      stream.uncork();
      if (published >= total) return finish();
      // Keep going until the duration (plus a bounded grace for a late rate schedule) is over.
      if (elapsed > cmd.durationMs + 10_000) return finish();
      if (inflight >= cmd.maxInflight) blocked = true;
      else if (n >= 2000) setImmediate(tick);
      else setTimeout(tick, 1);
    };
    tick();
  });
}
