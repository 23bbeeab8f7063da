// Viewers of serve's `/api/events` WebSocket, watched from outside only (RELIABILITY row 34): the harness of
// tests/integration/web-viewers.test.ts and of the bench's viewers phase (bench/phases/viewers.ts).
// - live viewers: `ws` clients that record each live snapshot's arrival time;
// - stalled viewers: raw TCP sockets that complete the WebSocket handshake and never read again (they can
//   be resumed at the end to see what the server held for them);
// - trickling viewers: read one chunk (≤ 64 KB) a second, slower than they are pushed to, never stopped;
// - what serve still holds: its socket fds (/proc/<pid>/fd) matched by inode to /proc/net/tcp, with the
//   kernel send queue of each connection;
// - ViewerLoad: all three kinds on one serve, until every stalled connection's kernel send queue is full
//   and then for the hold, sampling serve's VmRSS every second; at the end the stalled ones read again.
import fs from 'node:fs';
import net from 'node:net';
import WebSocket from 'ws';
import { cpuSecondsOf, rssOf } from './procfs.ts';
import { sleep } from './wait.ts';

/** serve pushes a live snapshot every PUSH_MS. */
export const PUSH_MS = 300;
/**
 * Allowed rise of serve's VmRSS from the baseline (every stalled connection's kernel queue full) to any
 * later sample. Dropping: ≤ 2 unflushed snapshots per stalled viewer, 50 × 2 × 27 KB ≈ 3 MB, plus the
 * engine's own GC sawtooth (a few MB). Queueing (~3.3 snapshots a second per stalled viewer kept in user
 * space) would add 50 × 3.3 × 27 KB ≈ 4.5 MB a second: > 100 MB within half a minute.
 */
export const RSS_RISE_BOUND = 40 * 2 ** 20;
/** How long the stalled connections' kernel queues may take to fill (and, past the end, to fill again). */
export const FILL_TIMEOUT_MS = 150_000;

/** 16 lines of 5 stations, so a live snapshot is ≈ 27 KB. */
export const VIEWERS_PLANT = {
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

export interface TcpRow {
  localPort: number;
  remotePort: number;
  txQueue: number;
  rxQueue: number;
  inode: string;
}

export function tcpRows(): TcpRow[] {
  const rows: TcpRow[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const [tx, rx] = f[4].split(':').map((h) => parseInt(h, 16));
      rows.push({ localPort: parseInt(f[1].split(':')[1], 16), remotePort: parseInt(f[2].split(':')[1], 16), txQueue: tx, rxQueue: rx, inode: f[9] });
    }
  }
  return rows;
}

/** The process's open connections on its port, by client port, with their kernel send queues. */
export function serverConnections(pid: number, port: number): Map<number, TcpRow> {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  const out = new Map<number, TcpRow>();
  for (const r of tcpRows()) if (inodes.has(r.inode) && r.localPort === port) out.set(r.remotePort, r);
  return out;
}

export const isLive = (d: Buffer): boolean => d.subarray(0, 16).toString('latin1') === '{"event":"live",';
const tsOf = (d: Buffer) => Number(/"ts":(\d+)/.exec(d.subarray(0, 64).toString('latin1'))?.[1] ?? Number.NaN);

export interface LiveViewer {
  ws: WebSocket;
  arrivals: number[];
  closed: boolean;
}

export function liveViewer(url: string): Promise<LiveViewer> {
  return new Promise((resolve, reject) => {
    const v: LiveViewer = { ws: new WebSocket(url + 'api/events'), arrivals: [], closed: false };
    v.ws.on('message', (d: Buffer) => {
      if (isLive(d)) v.arrivals.push(performance.now());
    });
    v.ws.once('open', () => resolve(v));
    v.ws.once('error', reject);
    v.ws.on('close', () => (v.closed = true));
  });
}

/** Server-to-client WebSocket frames (never masked), parsed as they come. */
class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  private readonly onFrame: (payload: Buffer) => void;
  constructor(onFrame: (payload: Buffer) => void) {
    this.onFrame = onFrame;
  }
  push(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      if (this.buf.length < 2) return;
      let len = this.buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      if (this.buf.length < off + len) return;
      this.onFrame(this.buf.subarray(off, off + len));
      this.buf = this.buf.subarray(off + len);
    }
  }
}

export interface StalledViewer {
  socket: net.Socket;
  port: number;
  openedAt: number;
  /** First time its kernel send queue at the server was seen no longer growing. */
  fullAt: number | null;
  lastTx: number;
  steady: number;
  closedAt: number | null;
  /** After it reads again: bytes of stale messages before the first fresh snapshot, and when that came. */
  resumedAt: number | null;
  heldBeforeResume: number;
  staleBytes: number;
  freshAt: number | null;
}

/** Completes the WebSocket handshake over a raw socket, then stops reading. */
export function stalledViewer(url: string): Promise<StalledViewer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname);
    const s: StalledViewer = { socket, port: 0, openedAt: performance.now(), fullAt: null, lastTx: -1, steady: 0, closedAt: null, resumedAt: null, heldBeforeResume: 0, staleBytes: 0, freshAt: null };
    const frames = new FrameReader((payload) => {
      if (s.freshAt !== null || s.resumedAt === null) return;
      if (isLive(payload) && tsOf(payload) > Date.now() - (performance.now() - s.resumedAt) - 2_000) s.freshAt = performance.now();
      else s.staleBytes += payload.length + 4;
    });
    let head = Buffer.alloc(0);
    const onHandshake = (d: Buffer) => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!/^HTTP\/1\.1 101/.test(head.toString('latin1'))) return reject(new Error(`handshake refused: ${head.toString().split('\r\n')[0]}`));
      socket.off('data', onHandshake);
      s.port = socket.localPort!;
      socket.pause();
      socket.on('data', (more: Buffer) => frames.push(more));
      socket.pause();
      frames.push(head.subarray(end + 4));
      resolve(s);
    };
    socket.on('data', onHandshake);
    socket.on('error', () => undefined);
    socket.once('connect', () =>
      socket.write(`GET /api/events HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${Buffer.from('stalled-viewer-!').toString('base64')}\r\n\r\n`),
    );
  });
}

export interface TrickleViewer {
  ws: WebSocket;
  closed: boolean;
  chunks: number;
  timer?: NodeJS.Timeout;
}

/** Reads one chunk (≤ 64 KB) a second: slower than it is pushed to, but never stopped. */
export function trickleViewer(url: string): Promise<TrickleViewer> {
  return new Promise((resolve, reject) => {
    const v: TrickleViewer = { ws: new WebSocket(url + 'api/events'), closed: false, chunks: 0 };
    v.ws.once('open', () => {
      const socket = (v.ws as unknown as { _socket: net.Socket })._socket;
      socket.prependListener('data', () => {
        v.chunks++;
        socket.pause();
      });
      v.timer = setInterval(() => socket.resume(), 1000);
      resolve(v);
    });
    v.ws.once('error', reject);
    v.ws.on('close', () => (v.closed = true));
  });
}

export interface ViewerLoadOptions {
  live: number;
  stalled: number;
  trickle: number;
  /** The run lasts at least runS from the first viewer, and holdS past the moment every stalled queue was full. */
  runS: number;
  holdS: number;
  log: (line: string) => void;
  /** How often to log serve's RSS and the stalled viewers' state. */
  logEveryMs: number;
}

export interface ViewerRun {
  /** performance.now() when every viewer was attached; the times below are from there. */
  t0: number;
  runMs: number;
  /** When every stalled connection's kernel send queue was first seen full. */
  allFullAt: number;
  snapshotBytes: number;
  /** serve's VmRSS every second. */
  samples: { t: number; rss: number }[];
  /** serve's CPU over the run, in cores. */
  serveCpuCores: number;
  /** Stalled viewers serve closed and that were replaced by new ones. */
  reconnects: number;
}

/**
 * Live, stalled and trickling viewers on one serve. A stalled viewer serve closes (a minute without any
 * drain) is replaced until 10 s before the end, so as many stall at any moment. The viewers stay here for
 * the caller to judge; close() lets them all go (also after a failed run).
 */
export class ViewerLoad {
  readonly lives: LiveViewer[] = [];
  readonly trickles: TrickleViewer[] = [];
  /** The stalled viewers of the moment; those serve closed are in retired. */
  stalled: StalledViewer[] = [];
  readonly retired: StalledViewer[] = [];

  async run(url: string, pid: number, opts: ViewerLoadOptions): Promise<ViewerRun> {
    const port = Number(new URL(url).port);
    for (let i = 0; i < opts.live; i += 25) this.lives.push(...(await Promise.all(Array.from({ length: Math.min(25, opts.live - i) }, () => liveViewer(url)))));
    this.stalled = await Promise.all(Array.from({ length: opts.stalled }, () => stalledViewer(url)));
    this.trickles.push(...(await Promise.all(Array.from({ length: opts.trickle }, () => trickleViewer(url)))));
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
    const settled = () => this.stalled.length > 0 && this.stalled.every((s) => s.fullAt !== null && at() - s.fullAt >= 10_000);
    while (at() < endAt || (!settled() && at() < endAt + FILL_TIMEOUT_MS)) {
      await sleep(1000);
      const t = at();
      samples.push({ t, rss: rssOf(pid) });
      const conns = serverConnections(pid, port);
      for (const s of this.stalled) {
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
      const closed = this.stalled.filter((s) => s.closedAt !== null);
      if (closed.length) {
        for (const s of closed) s.socket.destroy();
        this.retired.push(...closed);
        this.stalled = this.stalled.filter((s) => s.closedAt === null);
        if (t < endAt - 10_000) {
          this.stalled.push(...(await Promise.all(closed.map(() => stalledViewer(url)))));
          reconnects += closed.length;
        }
      }
      if (allFullAt === null && this.stalled.every((s) => s.fullAt !== null)) {
        allFullAt = t;
        endAt = Math.max(t + opts.holdS * 1000, opts.runS * 1000);
        opts.log(`  every stalled connection's kernel send queue full after ${Math.round(t / 1000)} s (RSS ${(samples[samples.length - 1].rss / 2 ** 20).toFixed(1)} MiB); holding until ${Math.round(endAt / 1000)} s`);
      }
      if (allFullAt === null && t > FILL_TIMEOUT_MS) throw new Error(`the stalled connections' kernel queues did not fill in ${FILL_TIMEOUT_MS / 1000} s`);
      if (t - lastLog >= opts.logEveryMs) {
        lastLog = t;
        const tx = this.stalled.map((s) => conns.get(s.port)?.txQueue ?? 0);
        opts.log(`  ${Math.round(t / 1000)} s: serve RSS ${(samples[samples.length - 1].rss / 2 ** 20).toFixed(1)} MiB; stalled ${this.stalled.length} (full ${this.stalled.filter((s) => s.fullAt !== null).length}, kernel queue ≤ ${(Math.max(0, ...tx) / 2 ** 20).toFixed(2)} MiB), closed by serve ${this.retired.length}`);
      }
    }
    const runMs = at();
    const serveCpuCores = (cpuSecondsOf(pid) - cpu0) / (runMs / 1000);

    // The stalled viewers read again: first what the kernel holds, then at most a couple of stale messages
    // from serve's process (MAX_UNFLUSHED), then the latest. Queued snapshots would come as a long stale run.
    const conns = serverConnections(pid, port);
    const clientRows = new Map(tcpRows().map((r) => [r.localPort, r]));
    for (const s of this.stalled) {
      s.heldBeforeResume = (conns.get(s.port)?.txQueue ?? 0) + (clientRows.get(s.port)?.rxQueue ?? 0) + s.socket.readableLength;
      s.resumedAt = performance.now();
      s.socket.resume();
    }
    await sleep(4000);
    return { t0, runMs, allFullAt: allFullAt!, snapshotBytes, samples, serveCpuCores, reconnects };
  }

  close(): void {
    for (const v of this.trickles) clearInterval(v.timer);
    for (const v of [...this.lives, ...this.trickles]) v.ws.terminate();
    for (const s of [...this.stalled, ...this.retired]) s.socket.destroy();
  }
}
