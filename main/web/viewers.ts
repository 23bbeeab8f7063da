// The WebSocket viewers of `/api/events` (RELIABILITY row 34). One subscription to the core for all of
// them; each pushed event is serialized once and the same bytes go to every viewer.
//
// A viewer that does not keep up is never queued for without limit: it has at most MAX_UNFLUSHED messages
// not yet handed to the kernel; a newer event of the same kind then replaces the one waiting for it
// (latest wins, the replaced one is counted as dropped), and as soon as its socket drains it gets the
// latest snapshot, never a backlog of stale ones. Only a viewer that has drained nothing for
// STALL_CLOSE_MS is closed (a wall display whose network froze reconnects on its own).
//
// What this bounds is the server process's memory. Before any of this applies, the kernel takes what fits
// in the connection's send buffer (on Linux it autotunes up to net.ipv4.tcp_wmem's max, 4 MB by default,
// whatever the peer's window; Node cannot set SO_SNDBUF on a TCP socket): outside the process, bounded
// per connection by the system, and what a viewer that reads again gets first, before the latest.
import { ANONYMOUS } from './access.ts';
import type { WebSocket } from 'ws';
import { EVENT_NAMES, type EventName, type Events } from '../../shared/api.ts';
import type { Core } from '../core/core-types.ts';
import { logger } from '../core/log.ts';

const log = logger('web');

/** Messages a viewer may have written but not yet flushed to its socket (kernel) before newer ones wait. */
export const MAX_UNFLUSHED = 2;
/** Also hold back while this many bytes are buffered for the viewer, whatever the message count. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** A viewer with unflushed data that has drained nothing for this long is closed. */
export const STALL_CLOSE_MS = 60_000;
const STALL_CHECK_MS = 5_000;
/** Held-back events go out small first, the snapshot last (it is the one a renderer redraws from). */
const FLUSH_ORDER: EventName[] = [...EVENT_NAMES.filter((e) => e !== 'live'), 'live'];

export interface ViewerStats {
  /** Open viewers. */
  open: number;
  /** Viewers that currently have an event held back (their socket has not drained). */
  behind: number;
  /** Events not sent to a viewer because a newer one replaced it while it was behind, over all viewers. */
  dropped: number;
  /** Viewers closed because they drained nothing for STALL_CLOSE_MS. */
  closedStalled: number;
  /** Messages serialized (once per pushed event, whatever the number of viewers) and written. */
  serialized: number;
  written: number;
}

export interface ViewerHub {
  add(ws: WebSocket): void;
  stats(): ViewerStats;
  close(): void;
}

interface Viewer {
  ws: WebSocket;
  unflushed: number;
  /** Latest held-back message per event, sent in FLUSH_ORDER when the socket drains. */
  waiting: Map<EventName, Buffer>;
  gotLive: boolean;
  /** Last time something drained (a write flushed, or the buffered amount went down). */
  lastProgress: number;
  lastBuffered: number;
}

export function createViewerHub(core: Core, opts: { stallCloseMs?: number; now?: () => number } = {}): ViewerHub {
  const now = opts.now ?? Date.now;
  const stallCloseMs = opts.stallCloseMs ?? STALL_CLOSE_MS;
  const viewers = new Set<Viewer>();
  let offs: (() => void)[] = [];
  let dropped = 0;
  let closedStalled = 0;
  let serialized = 0;
  let written = 0;

  const encode = <E extends EventName>(event: E, payload: Events[E]) => {
    serialized++;
    return Buffer.from(JSON.stringify({ event, payload }), 'utf8');
  };

  function subscribe(): void {
    offs = EVENT_NAMES.map((event) =>
      core.subscribe(event, (payload) => {
        if (viewers.size === 0) return;
        const bytes = encode(event, payload as never);
        for (const v of viewers) deliver(v, event, bytes);
      }),
    );
  }

  function deliver(v: Viewer, event: EventName, bytes: Buffer): void {
    if (v.ws.readyState !== v.ws.OPEN) return;
    if (event === 'live') v.gotLive = true;
    if (v.unflushed >= MAX_UNFLUSHED || v.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      if (v.waiting.has(event)) dropped++;
      v.waiting.set(event, bytes);
      return;
    }
    write(v, bytes);
  }

  function write(v: Viewer, bytes: Buffer): void {
    if (v.unflushed === 0) v.lastProgress = now();
    v.unflushed++;
    written++;
    v.ws.send(bytes, { binary: false }, () => {
      v.unflushed--;
      v.lastProgress = now();
      flush(v);
    });
  }

  function flush(v: Viewer): void {
    if (v.ws.readyState !== v.ws.OPEN) return;
    for (const event of FLUSH_ORDER) {
      if (v.unflushed >= MAX_UNFLUSHED || v.ws.bufferedAmount > MAX_BUFFERED_BYTES) return;
      const bytes = v.waiting.get(event);
      if (!bytes) continue;
      v.waiting.delete(event);
      write(v, bytes);
    }
  }

  const stallTimer = setInterval(() => {
    const t = now();
    for (const v of viewers) {
      if (v.unflushed === 0) continue;
      const buffered = v.ws.bufferedAmount;
      if (buffered < v.lastBuffered) v.lastProgress = t;
      v.lastBuffered = buffered;
      if (t - v.lastProgress > stallCloseMs) {
        closedStalled++;
        log.warn('closing a viewer that has drained nothing', { forS: Math.round((t - v.lastProgress) / 1000), bufferedBytes: buffered });
        v.ws.terminate();
        remove(v);
      }
    }
  }, Math.min(STALL_CHECK_MS, stallCloseMs));
  stallTimer.unref();

  function remove(v: Viewer): void {
    if (!viewers.delete(v)) return;
    v.waiting.clear();
    if (viewers.size === 0) {
      offs.forEach((off) => off());
      offs = [];
    }
  }

  return {
    add(ws) {
      const v: Viewer = { ws, unflushed: 0, waiting: new Map(), gotLive: false, lastProgress: now(), lastBuffered: 0 };
      if (viewers.size === 0) subscribe();
      viewers.add(v);
      ws.on('close', () => remove(v));
      ws.on('error', () => {
        ws.terminate();
        remove(v);
      });
      // Viewers only listen; anything they send is ignored.
      ws.on('message', () => undefined);
      Promise.resolve(core.handlers.live({}, ANONYMOUS))
        .then((snap) => {
          deliver(v, 'connection', encode('connection', snap.broker));
          // A push that came first is newer than this snapshot.
          if (!v.gotLive) deliver(v, 'live', encode('live', snap));
        })
        .catch((e) => log.error('first snapshot failed', { error: String(e) }));
    },
    stats() {
      let behind = 0;
      for (const v of viewers) if (v.waiting.size > 0) behind++;
      return { open: viewers.size, behind, dropped, closedStalled, serialized, written };
    },
    close() {
      clearInterval(stallTimer);
      for (const v of [...viewers]) {
        v.ws.terminate();
        remove(v);
      }
    },
  };
}
