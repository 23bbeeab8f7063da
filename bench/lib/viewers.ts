// Viewers of serve's `/api/events` WebSocket for the viewers phase (RELIABILITY row 34), the approach of
// tests/integration/web-viewers.test.ts (whose harness stays the test's own; this is the bench's copy):
// - live viewers: `ws` clients that record each live snapshot's arrival time;
// - stalled viewers: raw TCP sockets that complete the WebSocket handshake and never read again (they can
//   be resumed at the end to see what the server held for them);
// - trickling viewers: read one chunk (≤ 64 KB) a second, slower than they are pushed to, never stopped;
// - what serve still holds: its socket fds (/proc/<pid>/fd) matched by inode to /proc/net/tcp, with the
//   kernel send queue of each connection.
import fs from 'node:fs';
import net from 'node:net';
import WebSocket from 'ws';

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
