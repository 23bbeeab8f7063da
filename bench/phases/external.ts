// (2b) The external ingest comparison of issue 8: the plain `mosquitto_pub -l` flow (QoS 1, its default
// inflight window) into `taktboard serve` against the same flow into `mosquitto_sub`, on one mosquitto,
// measured from outside in rounds interleaved raw, serve, raw, serve, … so that both see the same minutes
// of a noisy 2-core machine, where the app's CPU competes with the broker's.
//
// - Publisher: exactly `mosquitto_pub -h 127.0.0.1 -p <port> -q 1 -t <topic> -l`, stdin redirected from
//   a file of N lines written before the round: one station's `cycle` events, seq 0 … N−1 under a boot of
//   their own per attempt (no identity repeats across rounds, no gaps), ts over the minute before now.
// - Raw receiver: `mosquitto_sub -q 1 -t <raw topic> -i <fixed id> -c` (persistent session), its stdout
//   redirected to a file whose newlines the bench counts: unlike a pipe, the bench never wakes up per
//   message nor holds mosquitto_sub back, so both receivers are polled the same way (every POLL_MS).
// - serve: started once by run.ts and kept running; its committed rows are counted with a read-only
//   connection on its database, and its duplicate and gap counters must not move.
// - Each round: the delivered rate from the first message received to the last (both receivers polled
//   alike; mosquitto_pub's own start-up and connect, ~0.1 s the same for both, is left out); CPU seconds
//   of the receiver and mosquitto from mosquitto_pub's spawn to the last message and then until they are
//   idle again, and mosquitto_pub's over its life; and the load of everything else on the machine. A round that fails (timeout, loss, extra
//   messages, a process exiting) is retried once.
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findBinary } from '../../tests/helpers/brokers.ts';
import { RAW_SITE, SITE, STATIONS, lineIds } from '../lib/plant.ts';
import { cpuSecondsOf, machineCpuSeconds, reapedChildrenCpuSeconds, removeTempDir, sleep, spawnTracked, stopProcess, tempDir, type Mosquitto, type Serve } from '../lib/procs.ts';
import { fmt, pct, type Figure } from '../lib/report.ts';
import { median } from '../lib/stats.ts';
import { storedCounter } from './ingest.ts';

/**
 * mosquitto_pub -l numbers its messages with 16-bit MQTT message ids and, at the end of its input, waits
 * for the PUBACK of the *id* of the last line, not of the last message: with more than 65 535 lines
 * (it reads stdin far faster than its 20-message window sends) that id's first use is acknowledged long
 * before the end, and it disconnects, exit code 0, having sent only part of the file (mosquitto 2.0.11,
 * client/pub_client.c).
 */
const MAX_LINES_PER_PUBLISHER = 65_535;
const POLL_MS = 10;
/** Quiet: mosquitto and both receivers together below this many cores, over QUIET_SAMPLE_MS. */
const QUIET_CORES = 0.1;
const QUIET_SAMPLE_MS = 250;
const QUIET_MAX_MS = 10_000;
/** How long after the last expected message a round watches for extra (duplicate) ones. */
const EXTRA_WATCH_MS = 300;
const TS_SPAN_MS = 60_000;
const WARMUP_MESSAGES = 5_000;
/**
 * A pair of rounds is quiet when the rest of the machine (other users' processes) used less than this
 * in each of its two rounds: on 2 cores, more than that skews one side of the ratio.
 */
const QUIET_PAIR_OTHERS_CORES = 0.25;
/** A publisher that sent everything but whose messages stopped arriving: failed after this long. */
const STALL_MS = 5_000;
const PUBLISHER_END_MS = 10_000;

type ReceiverName = 'raw' | 'serve';

interface Receiver {
  name: ReceiverName;
  topic: string;
  pid: number;
  /** Messages taken so far: lines written by mosquitto_sub, rows committed by serve. */
  count(): number;
  /** serve's cumulative duplicate and gap counters (mosquitto_sub cannot tell: its extras show in count). */
  faults(): { duplicates: number; gaps: number };
  /** Why it cannot take messages any more (it exited), or null. */
  dead(): string | null;
  close(): Promise<void>;
}

export interface ExternalRound {
  receiver: ReceiverName;
  /** 0 = warm-up (not counted), then 1 … rounds. */
  round: number;
  attempt: number;
  boot: string;
  messages: number;
  received: number;
  ok: boolean;
  error?: string;
  /** From mosquitto_pub's spawn: the first poll that saw messages, the one that saw all, mosquitto_pub's exit (ms). */
  firstMs: number;
  lastMs: number;
  publisherMs: number;
  /** How many messages that first poll saw (serve commits in groups). */
  firstCount: number;
  /** Delivered rate from the first poll that saw messages to the last: (messages − firstCount) / (lastMs − firstMs). */
  rate: number;
  /** messages / lastMs: includes mosquitto_pub's start-up and connect (~0.1 s: it polls for its CONNACK). */
  rateFromSpawn: number;
  /**
   * CPU seconds from mosquitto_pub's spawn to the last message received (publisher: its whole life);
   * others: everything else on the machine (other receiver included), steal: taken by the hypervisor.
   */
  cpu: { receiver: number; broker: number; publisher: number; bench: number; others: number; steal: number };
  /** CPU seconds after the last message until mosquitto and the receivers were idle again (deferred work). */
  cpuAfter: { receiver: number; broker: number };
  /** Waited before the round for mosquitto and the receivers to be idle (ms). */
  quietMs: number;
}

export interface ExternalResult {
  settings: { broker: string[]; publisher: string; subscriber: string; windows: string; versions: Record<string, string>; messages: number; rounds: number };
  /** Every attempt, warm-ups and failures included, in the order run. */
  attempts: ExternalRound[];
  raw: ExternalRound[];
  serve: ExternalRound[];
  /** serve / raw rate of the same round, for the rounds where both succeeded. */
  ratios: number[];
  rawRate: number;
  serveRate: number;
  ratio: number;
  /** The same for the pairs of rounds during which the rest of the machine was nearly idle. */
  quietRatios: number[];
  quietRatio: number;
  /** Median over rounds of CPU µs per message, the deferred work included. */
  usPerMessage: { serve: number; sub: number; brokerServe: number; brokerRaw: number; publisherServe: number; publisherRaw: number };
  /** Median over rounds of cores used while the round ran. */
  cores: {
    serve: number;
    sub: number;
    brokerServe: number;
    brokerRaw: number;
    publisherServe: number;
    publisherRaw: number;
    benchServe: number;
    benchRaw: number;
    /** The rest of the machine's load (other users' processes): what makes a round noisy. */
    othersServe: number;
    othersRaw: number;
  };
  failedAttempts: number;
  /** Rounds whose retry failed too. */
  missingRounds: number;
}

export async function runExternal(mq: Mosquitto, serve: Serve, opts: { rounds: number; messages: number; roundTimeoutMs: number; log: (s: string) => void }): Promise<ExternalResult> {
  if (opts.messages > MAX_LINES_PER_PUBLISHER) throw new Error(`external: ${opts.messages} messages per round, but mosquitto_pub -l sends at most ${MAX_LINES_PER_PUBLISHER} reliably`);
  const dir = tempDir('external');
  const raw = await startRawSubscriber(mq, dir);
  const srv = serveReceiver(serve);
  const attempts: ExternalRound[] = [];
  const receivers = [raw, srv];
  try {
    for (const r of receivers) await untilSubscribed(mq, r);
    const slot = async (r: Receiver, round: number, messages: number) => {
      for (let attempt = 1; attempt <= 2; attempt++) {
        const res = await runRound(mq, r, receivers, { round, attempt, messages, timeoutMs: opts.roundTimeoutMs, dir });
        attempts.push(res);
        opts.log(`  ${describeRound(res)}`);
        if (res.ok) return;
      }
    };
    // JIT, SQLite's page cache, the broker's sessions: one short round each, not counted.
    for (const r of receivers) await slot(r, 0, Math.min(WARMUP_MESSAGES, opts.messages));
    for (let round = 1; round <= opts.rounds; round++) {
      for (const r of receivers) await slot(r, round, opts.messages);
    }
  } finally {
    await raw.close();
    await srv.close();
    removeTempDir(dir);
  }
  return summarize(mq, raw, attempts, opts);
}

// ---- receivers ---------------------------------------------------------------------------------

function topicOf(site: string): string {
  return `factory/${site}/${lineIds[0]}/${STATIONS[0]}/cycle`;
}

function binary(name: string): string {
  const b = findBinary(name);
  if (!b) throw new Error(`${name} not found (apt-get install -y mosquitto-clients)`);
  return b;
}

function subscriberArgs(mq: Mosquitto, topic: string): string[] {
  return ['-h', '127.0.0.1', '-p', String(mq.port), '-q', '1', '-t', topic, '-i', `taktboard-bench-raw-${process.pid}`, '-c'];
}

/** The publisher's command line: `-l` (lines of stdin) unless told otherwise. */
function publisherArgs(mq: Mosquitto, topic: string, input: string[] = ['-l']): string[] {
  return ['-h', '127.0.0.1', '-p', String(mq.port), '-q', '1', '-t', topic, ...input];
}

async function startRawSubscriber(mq: Mosquitto, dir: string): Promise<Receiver> {
  const topic = topicOf(RAW_SITE);
  const file = path.join(dir, 'mosquitto_sub.out');
  const fd = fs.openSync(file, 'a');
  const proc = spawnTracked(binary('mosquitto_sub'), subscriberArgs(mq, topic), { stdio: ['ignore', fd, 'pipe'] });
  fs.closeSync(fd);
  const stderr = captured(proc);
  const lines = lineCounter(file);
  return {
    name: 'raw',
    topic,
    pid: proc.pid!,
    count: lines.count,
    faults: () => ({ duplicates: 0, gaps: 0 }),
    dead: () => (proc.exitCode !== null || proc.signalCode !== null ? `mosquitto_sub exited (${proc.exitCode ?? proc.signalCode}): ${stderr()}` : null),
    async close() {
      await stopProcess(proc, 'SIGTERM', 3000);
      lines.close();
    },
  };
}

function serveReceiver(serve: Serve): Receiver {
  const counter = storedCounter(serve.dbPath);
  return {
    name: 'serve',
    topic: topicOf(SITE),
    pid: serve.pid,
    count: counter.count,
    faults: () => counter.totals(),
    dead: () => (serve.proc.exitCode !== null || serve.proc.signalCode !== null ? `serve exited (${serve.proc.exitCode ?? serve.proc.signalCode}): ${serve.output().slice(-2000)}` : null),
    close: async () => counter.close(),
  };
}

/** Newlines in a file another process appends to, read incrementally. */
function lineCounter(file: string): { count(): number; close(): void } {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let pos = 0;
  let lines = 0;
  return {
    count() {
      for (;;) {
        const got = fs.readSync(fd, buf, 0, buf.length, pos);
        if (got === 0) return lines;
        pos += got;
        const chunk = buf.subarray(0, got);
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      }
    },
    close: () => fs.closeSync(fd),
  };
}

function captured(proc: ChildProcess): () => string {
  let out = '';
  proc.stderr?.on('data', (d) => (out = (out + d).slice(-4000)));
  return () => out.trim();
}

function exitOf(proc: ChildProcess): Promise<{ code: number | null; at: number }> {
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, at: performance.now() })));
}

/** A valid cycle event; `boot` makes each one an identity of its own. */
function cycleEvent(ts: number, seq: number, boot: string): string {
  return `{"ts":${ts},"seq":${seq},"boot":"${boot}","unit":"C2612${String(seq).padStart(9, '0')}","cycle_ms":987,"result":"ok"}`;
}

/**
 * The subscription is in place once a probe published now arrives: one message at a time (each under a
 * boot of its own, so a probe sent before the subscription leaves no gap in serve), bounded.
 */
async function untilSubscribed(mq: Mosquitto, r: Receiver): Promise<void> {
  const base = r.count();
  for (let k = 0; k < 20; k++) {
    const proc = spawnTracked(binary('mosquitto_pub'), publisherArgs(mq, r.topic, ['-m', cycleEvent(Date.now(), 0, `probe-${process.pid}-${k}`)]), { stdio: 'ignore' });
    await exitOf(proc);
    const until = performance.now() + 1000;
    while (performance.now() < until) {
      if (r.count() > base) return;
      await sleep(POLL_MS);
    }
  }
  throw new Error(`${r.name}: no probe message arrived in 20 s${r.dead() ? `: ${r.dead()}` : ''}`);
}

// ---- rounds ------------------------------------------------------------------------------------

function writeMessages(file: string, boot: string, n: number): void {
  const now = Date.now();
  const lines = new Array<string>(n);
  for (let seq = 0; seq < n; seq++) lines[seq] = cycleEvent(now - TS_SPAN_MS + Math.floor((seq * TS_SPAN_MS) / n), seq, boot);
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/**
 * Waits until mosquitto and every receiver are idle and no receiver's count moves, so that one round's
 * deferred work (serve's checkpoints, a late redelivery) is not charged to the next. Returns the ms waited.
 */
async function waitQuiet(mq: Mosquitto, receivers: Receiver[]): Promise<number> {
  const t0 = performance.now();
  const cpu = () => cpuSecondsOf(mq.pid) + receivers.reduce((s, r) => s + (r.dead() ? 0 : cpuSecondsOf(r.pid)), 0);
  const counts = () => receivers.map((r) => r.count()).join(',');
  for (;;) {
    const c0 = cpu();
    const n0 = counts();
    await sleep(QUIET_SAMPLE_MS);
    const quiet = cpu() - c0 <= (QUIET_CORES * QUIET_SAMPLE_MS) / 1000 && counts() === n0;
    if (quiet || performance.now() - t0 > QUIET_MAX_MS) return performance.now() - t0;
  }
}

interface CpuMark {
  receiver: number;
  broker: number;
  bench: NodeJS.CpuUsage;
  machine: { busy: number; steal: number };
}

function cpuMark(mq: Mosquitto, r: Receiver): CpuMark {
  return { receiver: cpuSecondsOf(r.pid), broker: cpuSecondsOf(mq.pid), bench: process.cpuUsage(), machine: machineCpuSeconds() };
}

async function runRound(mq: Mosquitto, r: Receiver, all: Receiver[], spec: { round: number; attempt: number; messages: number; timeoutMs: number; dir: string }): Promise<ExternalRound> {
  const n = spec.messages;
  // The same length for both receivers, so both get byte-for-byte the same load.
  const boot = `ext${process.pid}-${spec.round}.${spec.attempt}-${r.name === 'raw' ? 'r' : 's'}`;
  const file = path.join(spec.dir, `${boot}.jsonl`);
  writeMessages(file, boot, n);
  const quietMs = await waitQuiet(mq, all);

  const base = r.count();
  const faults0 = r.faults();
  const reaped0 = reapedChildrenCpuSeconds();
  const before = cpuMark(mq, r);
  const pub = startPublisher(mq, r.topic, file);
  const seen = await watchDelivery(r, base, n, pub, spec.timeoutMs);
  const atLast = cpuMark(mq, r);
  const end = await pub.end(seen.error !== null);
  fs.rmSync(file, { force: true });

  // Extra copies would show within a moment of the last expected message.
  await sleep(EXTRA_WATCH_MS);
  const received = r.count() - base;
  await waitQuiet(mq, all);
  const after = cpuMark(mq, r);
  const cpu = {
    receiver: atLast.receiver - before.receiver,
    broker: atLast.broker - before.broker,
    // Only mosquitto_pub ends (and is reaped) while a round runs: every other child lives on.
    publisher: reapedChildrenCpuSeconds() - reaped0,
    bench: benchSeconds(before.bench, atLast.bench),
    others: Number.NaN,
    steal: atLast.machine.steal - before.machine.steal,
  };
  // The publisher may outlive the window by a little; its whole CPU is charged to it, not to the others.
  cpu.others = Math.max(0, atLast.machine.busy - before.machine.busy - cpu.receiver - cpu.broker - cpu.publisher - cpu.bench);
  const error = seen.error ?? (end.code !== 0 ? `mosquitto_pub exited with ${end.code}: ${end.stderr}` : integrityError(r, n, received, faults0));
  return {
    receiver: r.name,
    round: spec.round,
    attempt: spec.attempt,
    boot,
    messages: n,
    received,
    ok: !error,
    error: error ?? undefined,
    firstMs: seen.firstMs,
    lastMs: seen.lastMs,
    publisherMs: end.ms,
    firstCount: seen.firstCount,
    rate: error ? Number.NaN : (n - seen.firstCount) / ((seen.lastMs - seen.firstMs) / 1000),
    rateFromSpawn: error ? Number.NaN : n / (seen.lastMs / 1000),
    cpu,
    cpuAfter: { receiver: after.receiver - atLast.receiver, broker: after.broker - atLast.broker },
    quietMs,
  };
}

function benchSeconds(a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number {
  return (b.user - a.user + b.system - a.system) / 1e6;
}

interface Publisher {
  /** performance.now() at spawn. */
  t0: number;
  /** The exit, once it happened. */
  exited(): { code: number | null; ms: number } | null;
  /** Waits for the exit (bounded, then stops it by PID); `now`: stops it at once (a failed round). */
  end(now: boolean): Promise<{ code: number | null; ms: number; stderr: string }>;
}

/** `mosquitto_pub … -l < file`, exactly: stdin is the file itself, the bench copies nothing. */
function startPublisher(mq: Mosquitto, topic: string, file: string): Publisher {
  const stdin = fs.openSync(file, 'r');
  const t0 = performance.now();
  const proc = spawnTracked(binary('mosquitto_pub'), publisherArgs(mq, topic), { stdio: [stdin, 'ignore', 'pipe'] });
  fs.closeSync(stdin);
  const stderr = captured(proc);
  let exit: { code: number | null; ms: number } | null = null;
  const exited = exitOf(proc).then((e) => (exit = { code: e.code, ms: e.at - t0 }));
  return {
    t0,
    exited: () => exit,
    async end(now) {
      // mosquitto_pub has its last PUBACK about when a receiver that keeps up has the last message;
      // behind one it may need a little longer: bounded, then stopped by its PID.
      const late = now || (await Promise.race([exited.then(() => false), sleep(PUBLISHER_END_MS).then(() => true)]));
      if (late) await stopProcess(proc, 'SIGTERM', 2000);
      await exited;
      return { ...exit!, stderr: stderr() };
    },
  };
}

/**
 * Polls the receiver until it has all n messages; the times are from the publisher's spawn. Fails on the
 * round's time bound, a receiver that died, a publisher that failed, or no progress for STALL_MS after the
 * publisher finished.
 */
async function watchDelivery(r: Receiver, base: number, n: number, pub: Publisher, timeoutMs: number): Promise<{ firstMs: number; firstCount: number; lastMs: number; error: string | null }> {
  let firstMs = Number.NaN;
  let firstCount = 0;
  let last = { count: 0, at: pub.t0 };
  for (;;) {
    const got = r.count() - base;
    const now = performance.now();
    if (got > 0 && Number.isNaN(firstMs)) {
      firstMs = now - pub.t0;
      firstCount = got;
    }
    // All of them in one poll: no window to measure a rate over.
    if (got >= n) return { firstMs, firstCount, lastMs: now - pub.t0, error: firstCount >= n ? 'every message arrived within one poll: too few messages per round' : null };
    if (got !== last.count) last = { count: got, at: now };
    const fail = (why: string) => ({ firstMs, firstCount, lastMs: Number.NaN, error: `${why} (${got} of ${n} received)` });
    const exit = pub.exited();
    if (r.dead()) return fail(r.dead()!);
    if (exit && exit.code !== 0) return fail(`mosquitto_pub exited with ${exit.code}`);
    if (exit && now - Math.max(last.at, pub.t0 + exit.ms) > STALL_MS) return fail(`nothing more arrived in ${STALL_MS / 1000} s after mosquitto_pub exited`);
    if (now - pub.t0 > timeoutMs) return fail(`not all received within ${timeoutMs / 1000} s`);
    await sleep(POLL_MS);
  }
}

function integrityError(r: Receiver, n: number, received: number, faults0: { duplicates: number; gaps: number }): string | null {
  if (received !== n) return `${received} received for ${n} published`;
  const f = r.faults();
  if (f.duplicates !== faults0.duplicates || f.gaps !== faults0.gaps) return `serve counted ${f.duplicates - faults0.duplicates} duplicates and ${f.gaps - faults0.gaps} new gaps`;
  return null;
}

function describeRound(x: ExternalRound): string {
  const what = `${x.round === 0 ? 'warm-up' : `round ${x.round}`}${x.attempt > 1 ? ` (retry)` : ''} ${x.receiver}`;
  if (!x.ok) return `${what}: FAILED: ${x.error}`;
  const us = (s: number) => ((s * 1e6) / x.messages).toFixed(1);
  const cores = (s: number) => (s / (x.lastMs / 1000)).toFixed(2);
  return (
    `${what}: ${x.messages} msgs, first after ${Math.round(x.firstMs)} ms, last after ${(x.lastMs / 1000).toFixed(2)} s → ${Math.round(x.rate)} msg/s (publisher done at ${(x.publisherMs / 1000).toFixed(2)} s); ` +
    `CPU µs/msg ${x.receiver === 'raw' ? 'mosquitto_sub' : 'serve'} ${us(x.cpu.receiver + x.cpuAfter.receiver)}, mosquitto ${us(x.cpu.broker + x.cpuAfter.broker)}, mosquitto_pub ${us(x.cpu.publisher)}; ` +
    `cores ${cores(x.cpu.receiver)} / ${cores(x.cpu.broker)} / ${(x.cpu.publisher / (x.publisherMs / 1000)).toFixed(2)}, bench ${cores(x.cpu.bench)}, ` +
    `everything else on the machine ${cores(x.cpu.others)}${x.cpu.steal > 0 ? `, stolen ${cores(x.cpu.steal)}` : ''}`
  );
}

// ---- summary -----------------------------------------------------------------------------------

function versionOf(bin: string): string {
  // `--help` prints e.g. "mosquitto_pub version 2.0.11 running on libmosquitto 2.0.11." (and exits 1).
  const r = spawnSync(binary(bin), ['--help'], { encoding: 'utf8', timeout: 5000 });
  return /version (\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? '?';
}

function summarize(mq: Mosquitto, raw: Receiver, attempts: ExternalRound[], opts: { rounds: number; messages: number }): ExternalResult {
  const counted = (name: ReceiverName) => attempts.filter((a) => a.receiver === name && a.round > 0 && a.ok);
  const rawRounds = counted('raw');
  const serveRounds = counted('serve');
  const ratios: number[] = [];
  const quietRatios: number[] = [];
  const othersCores = (x: ExternalRound) => x.cpu.others / (x.lastMs / 1000);
  for (const s of serveRounds) {
    const r = rawRounds.find((x) => x.round === s.round);
    if (!r) continue;
    ratios.push(s.rate / r.rate);
    if (othersCores(r) < QUIET_PAIR_OTHERS_CORES && othersCores(s) < QUIET_PAIR_OTHERS_CORES) quietRatios.push(s.rate / r.rate);
  }
  const perMsg = (xs: ExternalRound[], f: (x: ExternalRound) => number) => median(xs.map((x) => (f(x) * 1e6) / x.messages));
  const coresOf = (xs: ExternalRound[], f: (x: ExternalRound) => number, ms: (x: ExternalRound) => number = (x) => x.lastMs) => median(xs.map((x) => f(x) / (ms(x) / 1000)));
  return {
    settings: {
      broker: mq.config.split('\n').filter((l) => l.trim() && !l.startsWith('listener') && !l.startsWith('persistence_location')).concat('everything else at mosquitto defaults (max_inflight_messages 20, max_queued_bytes 0, …)'),
      publisher: ['mosquitto_pub', ...publisherArgs(mq, '<topic>')].join(' ') + ' < file',
      subscriber: ['mosquitto_sub', ...subscriberArgs(mq, raw.topic)].join(' ') + ' > file',
      // mosquitto 2.0 takes an MQTT 5 client's Receive Maximum as its window toward that client instead of
      // max_inflight_messages (src/property_broker.c), so the two receivers do not get the same window.
      windows:
        "mosquitto_pub → broker: mosquitto_pub's default, 20 in flight; broker → mosquitto_sub (MQTT 3.1.1): max_inflight_messages, default 20; broker → serve (MQTT 5): serve's own Receive Maximum, which mosquitto 2.0 uses in place of max_inflight_messages",
      versions: Object.fromEntries(['mosquitto', 'mosquitto_pub', 'mosquitto_sub'].map((b) => [b, versionOf(b)])),
      messages: opts.messages,
      rounds: opts.rounds,
    },
    attempts,
    raw: rawRounds,
    serve: serveRounds,
    ratios,
    rawRate: median(rawRounds.map((x) => x.rate)),
    serveRate: median(serveRounds.map((x) => x.rate)),
    ratio: median(ratios),
    quietRatios,
    quietRatio: median(quietRatios),
    usPerMessage: {
      serve: perMsg(serveRounds, (x) => x.cpu.receiver + x.cpuAfter.receiver),
      sub: perMsg(rawRounds, (x) => x.cpu.receiver + x.cpuAfter.receiver),
      brokerServe: perMsg(serveRounds, (x) => x.cpu.broker + x.cpuAfter.broker),
      brokerRaw: perMsg(rawRounds, (x) => x.cpu.broker + x.cpuAfter.broker),
      publisherServe: perMsg(serveRounds, (x) => x.cpu.publisher),
      publisherRaw: perMsg(rawRounds, (x) => x.cpu.publisher),
    },
    cores: {
      serve: coresOf(serveRounds, (x) => x.cpu.receiver),
      sub: coresOf(rawRounds, (x) => x.cpu.receiver),
      brokerServe: coresOf(serveRounds, (x) => x.cpu.broker),
      brokerRaw: coresOf(rawRounds, (x) => x.cpu.broker),
      publisherServe: coresOf(serveRounds, (x) => x.cpu.publisher, (x) => x.publisherMs),
      publisherRaw: coresOf(rawRounds, (x) => x.cpu.publisher, (x) => x.publisherMs),
      benchServe: coresOf(serveRounds, (x) => x.cpu.bench),
      benchRaw: coresOf(rawRounds, (x) => x.cpu.bench),
      othersServe: coresOf(serveRounds, (x) => x.cpu.others),
      othersRaw: coresOf(rawRounds, (x) => x.cpu.others),
    },
    failedAttempts: attempts.filter((a) => !a.ok).length,
    missingRounds: 2 * opts.rounds - rawRounds.length - serveRounds.length,
  };
}

// ---- figures -----------------------------------------------------------------------------------

export function externalFigures(x: ExternalResult): Figure[] {
  const rates = (xs: ExternalRound[]) => xs.map((r) => Math.round(r.rate)).join(', ');
  const failures = x.failedAttempts ? `; ${x.failedAttempts} failed attempts${x.missingRounds ? `, ${x.missingRounds} rounds missing after their retry` : ', each retried once successfully'}` : '';
  const num = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
  const us = (v: number) => `${num(v, 1)} µs`;
  const c = Object.fromEntries(Object.entries(x.cores).map(([k, v]) => [k, num(v, 2)])) as Record<keyof ExternalResult['cores'], string>;
  return [
    {
      id: 'external.raw_rate',
      section: '2',
      name: `External: mosquitto_pub -l → mosquitto_sub (QoS 1, default inflight, ${fmt(x.settings.messages)} msgs per round)`,
      value: x.rawRate,
      unit: 'msg/s',
      ratio: 'reference',
      detail: `${rates(x.raw)} msg/s over ${x.raw.length} rounds interleaved with serve's; ${x.settings.publisher}; ${x.settings.subscriber}; broker: ${x.settings.broker.join(', ')}; mosquitto ${x.settings.versions.mosquitto}`,
    },
    {
      id: 'external.serve_rate',
      section: '2',
      name: 'External: mosquitto_pub -l → serve, stored (same broker, rounds interleaved)',
      value: x.serveRate,
      unit: 'msg/s',
      ratio: `${pct(x.serveRate / x.rawRate)} of mosquitto_sub (medians)`,
      detail: `${rates(x.serve)} msg/s; every round: stored count +${fmt(x.settings.messages)} exactly, no duplicates, no gaps${failures}`,
    },
    {
      id: 'external.serve_vs_raw',
      section: '2',
      name: 'External: serve / mosquitto_sub delivered rate, same round (median)',
      value: 100 * x.ratio,
      unit: '%',
      shown: Number.isFinite(x.ratio) ? `${(100 * x.ratio).toFixed(1)} %` : 'n/a',
      goal: { op: '>=', target: 90, unit: '%' },
      ratio: `rounds: ${x.ratios.map((r) => pct(r)).join(', ') || 'none complete'}; ${x.quietRatios.length} pairs with the rest of the machine < ${QUIET_PAIR_OTHERS_CORES} cores${x.quietRatios.length ? `: median ${pct(x.quietRatio)}` : ''}${failures}`,
    },
    {
      id: 'info.external_cpu_per_msg',
      section: '2',
      name: 'External: CPU per message, serve vs mosquitto_sub (deferred work included)',
      value: x.usPerMessage.serve,
      unit: 'µs/msg',
      shown: `${us(x.usPerMessage.serve)} vs ${us(x.usPerMessage.sub)}`,
      ratio: `${num(x.usPerMessage.serve / x.usPerMessage.sub, 1)}× mosquitto_sub's`,
      detail: `mosquitto ${us(x.usPerMessage.brokerServe)} (serve rounds) / ${us(x.usPerMessage.brokerRaw)} (mosquitto_sub rounds), mosquitto_pub ${us(x.usPerMessage.publisherServe)} / ${us(x.usPerMessage.publisherRaw)} per message`,
    },
    {
      id: 'info.external_cores',
      section: '2',
      name: 'External: cores used while a round runs, serve rounds / mosquitto_sub rounds',
      value: x.cores.serve,
      unit: 'cores',
      shown: `serve ${c.serve} / sub ${c.sub}`,
      ratio: `mosquitto ${c.brokerServe} / ${c.brokerRaw}, mosquitto_pub ${c.publisherServe} / ${c.publisherRaw}`,
      detail: `the bench process itself (counting) ${c.benchServe} / ${c.benchRaw} cores; everything else on the machine ${c.othersServe} / ${c.othersRaw} cores`,
    },
  ];
}
