// Real processes for the bench: mosquitto with a temp config on 127.0.0.1 and a free port, `taktboard
// serve` as a user starts it, and forked helper children. Every process started here is remembered by
// PID and stopped by that PID (also when the bench fails or is interrupted); nothing else is touched.
import { spawn, fork, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMosquitto as startBrokerProcess } from '../../tests/helpers/brokers.ts';

// A process's VmRSS and CPU seconds: the test suite's readers.
export { cpuSecondsOf, rssOf } from '../../tests/helpers/procfs.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/**
 * The checkout whose `bin/taktboard.mjs` is benchmarked: this one, or another (e.g. a copy with a proposed
 * fix) given as TAKTBOARD_BENCH_PRODUCT, so a change can be measured before and after with the same bench.
 */
export const PRODUCT_ROOT = path.resolve(process.env.TAKTBOARD_BENCH_PRODUCT ?? ROOT);

// ---- bookkeeping -------------------------------------------------------------------------------

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function track(proc: ChildProcess): ChildProcess {
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return proc;
}

/** SIGKILL whatever is still running (by PID) and remove temp folders: for exit paths. */
export function killAllSync(): void {
  for (const p of children) {
    if (p.pid !== undefined && p.exitCode === null && p.signalCode === null) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  children.clear();
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `taktboard-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Stops one process by PID: the signal, then SIGKILL after graceMs. Resolves with its exit code. */
export function stopProcess(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 8000): Promise<number | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
    const timer = setTimeout(() => {
      if (proc.pid !== undefined) process.kill(proc.pid, 'SIGKILL');
    }, graceMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    if (proc.pid !== undefined) process.kill(proc.pid, signal);
  });
}

// ---- mosquitto ---------------------------------------------------------------------------------

export interface Mosquitto {
  url: string;
  port: number;
  pid: number;
  /** The config file it runs with (what a result records as the broker's settings). */
  config: string;
  log: () => string;
  stop(): Promise<void>;
}

/**
 * mosquitto as a plant would run it for a zero-loss subscriber: nothing dropped while a persistent
 * session falls behind (`max_queued_messages 0` = no limit; the default 1000 would drop QoS 1 messages).
 * The test suite's launcher (temp config, free port, retries, killed on exit), with the bench's shape.
 */
export async function startMosquitto(): Promise<Mosquitto> {
  const m = await startBrokerProcess({ extraConf: 'max_queued_messages 0' });
  const config = fs.readFileSync(path.join(m.dataDir, 'mosquitto.conf'), 'utf8');
  return { url: m.url, port: m.port, pid: m.pid()!, config, log: m.log, stop: () => m.stop() };
}

// ---- other executables ------------------------------------------------------------------------

/** `spawn`, with the process remembered by PID so that it is stopped however the bench ends. */
export function spawnTracked(command: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  return track(spawn(command, args, opts));
}

// ---- taktboard serve ---------------------------------------------------------------------------

export interface Serve {
  url: string;
  pid: number;
  proc: ChildProcess;
  dbPath: string;
  /** From spawn to the URL printed: what a user waits for. */
  startMs: number;
  output: () => string;
  stop(): Promise<number | null>;
}

/**
 * `node bin/taktboard.mjs serve --config F --db D --port 0 [--broker URL] [extra…]`, as a user starts it
 * (without a broker and with `--demo` in extraArgs: the embedded demo with the config's lines).
 */
export async function startServe(opts: { config: string; db: string; broker?: string; extraArgs?: string[]; nodeArgs?: string[]; env?: Record<string, string> }): Promise<Serve> {
  const args = [
    ...(opts.nodeArgs ?? []),
    path.join(PRODUCT_ROOT, 'bin', 'taktboard.mjs'),
    'serve',
    '--config',
    opts.config,
    '--db',
    opts.db,
    '--port',
    '0',
    ...(opts.broker ? ['--broker', opts.broker] : []),
    ...(opts.extraArgs ?? []),
  ];
  const t0 = performance.now();
  const proc = track(spawn(process.execPath, args, { cwd: PRODUCT_ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  const keep = (d: Buffer) => (out = (out + d).slice(-50_000));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 60 s:\n${out}`)), 60_000);
    const onData = () => {
      const m = /Taktboard is running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        resolve(m[1]);
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before printing its URL:\n${out}`));
    });
  });
  return { url, pid: proc.pid!, proc, dbPath: opts.db, startMs: performance.now() - t0, output: () => out, stop: () => stopProcess(proc, 'SIGTERM', 10_000) };
}

// ---- forked helpers ----------------------------------------------------------------------------

export interface Child {
  proc: ChildProcess;
  pid: number;
  send(m: unknown): void;
  /** The next message satisfying `pred`, or a rejection after timeoutMs. */
  next<T = Record<string, unknown>>(pred: (m: Record<string, unknown>) => boolean, timeoutMs: number): Promise<T>;
  /** Listens to every message; returns the function that stops listening. */
  on(fn: (m: Record<string, unknown>) => void): () => void;
  stop(): Promise<void>;
}

export async function forkChild(file: string, args: string[], readyTimeoutMs = 20_000): Promise<Child> {
  const proc = track(fork(path.join(ROOT, 'bench', 'children', file), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] }));
  const listeners = new Set<(m: Record<string, unknown>) => void>();
  proc.on('message', (m) => {
    for (const l of [...listeners]) l(m as Record<string, unknown>);
  });
  const child: Child = {
    proc,
    pid: proc.pid!,
    send: (m) => proc.send(m as never),
    on: (fn) => {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
    next(pred, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(l);
          reject(new Error(`${file}: no answer in ${timeoutMs} ms`));
        }, timeoutMs);
        const l = (m: Record<string, unknown>) => {
          if (m.type === 'error') {
            clearTimeout(timer);
            listeners.delete(l);
            reject(new Error(`${file}: ${String(m.message)}`));
          } else if (pred(m)) {
            clearTimeout(timer);
            listeners.delete(l);
            resolve(m as never);
          }
        };
        listeners.add(l);
      });
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      try {
        proc.send({ type: 'stop' });
      } catch {
        /* channel closed */
      }
      const timer = setTimeout(() => {
        if (proc.pid !== undefined && proc.exitCode === null) process.kill(proc.pid, 'SIGKILL');
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  // A child that dies before it is ready (a syntax error in what it imports, say) fails at once.
  let onExit: ((code: number | null) => void) | null = null;
  const exited = new Promise<never>((_, reject) => {
    onExit = (code) => reject(new Error(`${file} exited with ${code} before it was ready`));
    proc.once('exit', onExit);
  });
  try {
    await Promise.race([child.next((m) => m.type === 'ready', readyTimeoutMs), exited]);
  } finally {
    proc.off('exit', onExit!);
    exited.catch(() => undefined);
  }
  return child;
}

// ---- misc --------------------------------------------------------------------------------------

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * CPU time (user + system, seconds) of this process's children that have exited and been reaped
 * (cutime + cstime of /proc/self/stat): the only way to read the CPU of a short-lived child such as
 * mosquitto_pub, whose /proc entry is gone by the time its exit is seen. A delta across a window is the
 * CPU of the children that ended in it.
 */
export function reapedChildrenCpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[13] = cutime, fields[14] = cstime (after pid and comm were cut off), in clock ticks.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/**
 * CPU time (seconds, all cores) the whole machine spent busy and that the hypervisor stole, from the
 * `cpu` line of /proc/stat: minus what the bench's own processes used, it is the load of everything else.
 */
export function machineCpuSeconds(): { busy: number; steal: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  // cpu user nice system idle iowait irq softirq steal guest guest_nice, in clock ticks.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq) / 100, steal: steal / 100 };
}
