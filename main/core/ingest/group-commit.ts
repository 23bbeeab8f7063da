// Group commit with acknowledgement after commit. mqtt.js hands over one message at a time and reads the
// next only after the PUBACK of this one was written (TOOLCHAIN.md), so a transaction per message is the
// most its public hook allows: ~40 µs of a ~90 µs message budget goes to SQLite's per-transaction cost.
//
// Here the messages of one burst (what arrives before the event loop turns) are committed in one
// transaction, and only then are their PUBACKs written, in the order the PUBLISHes came. To read on
// without writing the PUBACK, the PUBACK mqtt.js emits from handleMessage's callback is taken out of its
// send path (the internal `_sendPacket`; mqtt is pinned to an exact version, and
// tests/unit/group-commit.test.ts fails if this seam changes) and written after the commit.
//
// A failed commit acknowledges nothing; the next message is then held like mqtt.js holds it (its callback
// not called), which stops the connection until storage works again.
import type { IPublishPacket, MqttClient, Packet } from 'mqtt';

export interface Received {
  topic: string;
  payload: Buffer;
  receivedAt: number;
}

export interface GroupCommitOptions {
  /** Commits all of them, or throws and commits none. */
  commit(batch: readonly Received[]): void;
  /** A commit failed; it is tried again after `retryInMs`. */
  failed(err: unknown, retryInMs: number): void;
  /** The first commit that worked after failures. */
  recovered(): void;
  /** Committed and about to be acknowledged (fault injection for the crash-between-commit-and-PUBACK test). */
  committed?(count: number): void;
  /** More than this many uncommitted messages: hold the connection until the next commit. */
  maxBatch: number;
  retryMinMs: number;
  retryMaxMs: number;
}

export interface GroupCommit {
  /** The connection closed: what it delivered is still committed, but never acknowledged on the next one. */
  connectionClosed(): void;
  /** Commits and acknowledges what is pending if storage works, then stops. */
  stop(): void;
}

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

interface Pending extends Received {
  connection: number;
  /** The PUBACK mqtt.js wanted to send at once, written after the commit. */
  ack: Packet | null;
  /** A message held the way mqtt.js holds it: its callback, called after the commit. */
  release: (() => void) | null;
}

/** mqtt.js's internal send function, or null when this version has none (then every message is held). */
export function internalSend(client: MqttClient): SendPacket | null {
  const send = (client as unknown as { _sendPacket?: SendPacket })._sendPacket;
  return typeof send === 'function' ? send.bind(client) : null;
}

export function installGroupCommit(client: MqttClient, options: GroupCommitOptions): GroupCommit {
  const send = internalSend(client);
  let capturing: Pending | null = null;
  let canDefer = send !== null;
  if (send) {
    (client as unknown as { _sendPacket: SendPacket })._sendPacket = (packet, cb, ...rest) => {
      if (capturing && packet.cmd === 'puback') {
        capturing.ack = packet;
        cb?.();
        return;
      }
      send(packet, cb, ...rest);
    };
  }

  let pending: Pending[] = [];
  let connection = 0;
  let timer: NodeJS.Immediate | NodeJS.Timeout | null = null;
  let troubled = false;
  let retryDelay = options.retryMinMs;
  let stopped = false;

  client.handleMessage = (packet: IPublishPacket, done: (err?: Error) => void) => {
    const entry: Pending = { topic: packet.topic, payload: packet.payload as Buffer, receivedAt: Date.now(), connection, ack: null, release: null };
    pending.push(entry);
    if (canDefer && packet.qos === 1 && !troubled && pending.length < options.maxBatch) {
      capturing = entry;
      try {
        done();
      } finally {
        capturing = null;
      }
      // mqtt.js sends the PUBACK from within the callback; if a new version stops doing so, the PUBACK
      // could leave before the commit. Never guess: hold every later message instead.
      if (!entry.ack) canDefer = false;
    } else {
      entry.release = done;
    }
    schedule(0);
  };

  function schedule(delayMs: number): void {
    if (timer || stopped) return;
    timer = delayMs > 0 ? setTimeout(flush, delayMs) : setImmediate(flush);
  }

  function flush(): void {
    timer = null;
    if (pending.length === 0) return;
    const batch = pending;
    try {
      options.commit(batch);
    } catch (err) {
      troubled = true;
      options.failed(err, retryDelay);
      const delay = retryDelay;
      retryDelay = Math.min(retryDelay * 2, options.retryMaxMs);
      schedule(delay);
      return;
    }
    pending = [];
    if (troubled) {
      troubled = false;
      retryDelay = options.retryMinMs;
      options.recovered();
    }
    options.committed?.(batch.length);
    acknowledge(batch);
  }

  function acknowledge(batch: readonly Pending[]): void {
    // One write for the burst's PUBACKs instead of a syscall each.
    const stream = client.stream as unknown as { cork?: () => void; uncork?: () => void } | undefined;
    stream?.cork?.();
    try {
      for (const entry of batch) {
        if (entry.connection !== connection) continue;
        if (entry.ack) send!(entry.ack);
        else entry.release?.();
      }
    } finally {
      stream?.uncork?.();
    }
  }

  return {
    connectionClosed() {
      connection++;
    },
    stop() {
      if (stopped) return;
      if (timer && !troubled) {
        clearImmediate(timer as NodeJS.Immediate);
        flush();
      }
      stopped = true;
      if (timer) clearTimeout(timer as NodeJS.Timeout);
      timer = null;
      pending = [];
    },
  };
}
