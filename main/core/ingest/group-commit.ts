// Group commit with acknowledgement after commit. The messages of one burst (whatever the connection
// read before the event loop turns) are committed in one transaction, and only then are their PUBACKs
// written, in the order the PUBLISHes came (MQTT 3.1.1 §4.6), in one write. Nothing that arrived on a
// connection that has closed is acknowledged on the next one: the broker sends it again and the store
// drops it as a duplicate. QoS 0 messages need no acknowledgement and are committed in the same bursts.
//
// A commit that fails because of storage (disk full, locked, damaged) acknowledges nothing: it is
// retried with backoff and reading stops meanwhile, so the broker keeps the rest. A commit that fails
// because of one message (a constraint, a bug) would fail forever and stop ingestion: the batch is
// split until that message is alone, it is quarantined with the reason, and the others are stored.
import type { Message } from './pipeline.ts';

/** Where a message came from: its connection, which acknowledges it if still open. */
export interface AckTarget {
  ack(packetIds: readonly number[]): void;
  /** Stop (true) or go on (false) reading from the connection. */
  hold(on: boolean): void;
  readonly connected: boolean;
}

export interface Delivered extends Message {
  qos: 0 | 1;
  packetId: number;
}

export interface GroupCommitOptions {
  /** Commits all of them, or throws and commits none. */
  commit(batch: readonly Message[]): void;
  /** Whether a failed commit was the storage's fault (held and retried) rather than a message's (isolated). */
  isStorageFailure(err: unknown): boolean;
  /** Keeps a message whose commit fails on its own in the quarantine; throws when storage fails. */
  quarantinePoison(message: Message, err: unknown): void;
  /** A commit failed for storage reasons; it is tried again after `retryInMs`. */
  failed(err: unknown, retryInMs: number): void;
  /** The first commit that worked after failures. */
  recovered(): void;
  /** Committed and about to be acknowledged (fault injection for the crash-between-commit-and-PUBACK test). */
  committed?(count: number): void;
  /** Uncommitted messages beyond which reading stops until the next commit (bounds memory and one transaction). */
  maxBatch: number;
  /**
   * Messages one transaction takes at most; the rest are committed on the next turn of the event loop.
   * A commit holds the engine thread, so this bounds how long a live push, an IPC call or a PUBACK of
   * another connection can wait behind one; a transaction's own cost is tens of µs, a message's ~30.
   */
  maxCommit: number;
  retryMinMs: number;
  retryMaxMs: number;
}

/** How the bursts go: their sizes, and how long a message waits from its arrival to its PUBACK. */
export interface GroupCommitStats {
  batches: number;
  messages: number;
  largestBatch: number;
  /** Over the last ACK_SAMPLE messages acknowledged: arrival → PUBACK written, ms. */
  ackLatencyMs: { p50: number; p99: number; max: number } | null;
}

/** Messages whose arrival → PUBACK time the percentiles are taken over. */
const ACK_SAMPLE = 4096;

export interface GroupCommit {
  /** The messages of one read from `from`, in arrival order. */
  receive(from: AckTarget, batch: readonly Delivered[]): void;
  stats(): GroupCommitStats;
  /** Commits and acknowledges what is pending if storage works, then stops. */
  stop(): void;
  /** Messages received and not yet committed. */
  pending(): number;
}

interface Pending {
  message: Delivered;
  from: AckTarget;
}

export function createGroupCommit(options: GroupCommitOptions): GroupCommit {
  let pending: Pending[] = [];
  let timer: NodeJS.Immediate | NodeJS.Timeout | null = null;
  let troubled = false;
  let retryDelay = options.retryMinMs;
  let stopped = false;
  /** The connections reading is held on (storage trouble, or a full batch). */
  const holding = new Set<AckTarget>();
  let batches = 0;
  let messages = 0;
  let largestBatch = 0;
  const latencies = new Float64Array(ACK_SAMPLE);
  let latencyCount = 0;

  function schedule(delayMs: number): void {
    if (timer || stopped) return;
    timer = delayMs > 0 ? setTimeout(flush, delayMs) : setImmediate(flush);
  }

  function hold(from: AckTarget): void {
    if (holding.has(from)) return;
    holding.add(from);
    from.hold(true);
  }

  function releaseAll(): void {
    for (const from of holding) from.hold(false);
    holding.clear();
  }

  function flush(): void {
    timer = null;
    if (pending.length === 0) return;
    const batch = pending.length > options.maxCommit ? pending.slice(0, options.maxCommit) : pending;
    const rest = batch === pending ? [] : pending.slice(batch.length);
    let done = 0;
    try {
      done = commitIsolating(batch, 0, batch.length);
    } catch (err) {
      // A storage failure: what was committed before it (a prefix, in arrival order) is acknowledged.
      done = (err as { committedBefore?: number }).committedBefore ?? 0;
      acknowledge(batch, done);
      pending = batch.slice(done).concat(rest);
      troubled = true;
      for (const p of pending) hold(p.from);
      options.failed(err, retryDelay);
      const delay = retryDelay;
      retryDelay = Math.min(retryDelay * 2, options.retryMaxMs);
      schedule(delay);
      return;
    }
    pending = rest;
    if (troubled) {
      troubled = false;
      retryDelay = options.retryMinMs;
      options.recovered();
    }
    options.committed?.(batch.length);
    acknowledge(batch, batch.length);
    if (pending.length < options.maxBatch) releaseAll();
    if (pending.length) schedule(0);
  }

  /**
   * Commits batch[from, to) and returns `to`; a part that fails for a message's sake is split in halves
   * (left first, so what is committed is always a prefix in arrival order) until the message is alone and
   * is quarantined. A storage failure is rethrown with how many messages were committed before it.
   */
  function commitIsolating(batch: readonly Pending[], from: number, to: number): number {
    try {
      options.commit(messagesOf(batch, from, to));
      return to;
    } catch (err) {
      if (options.isStorageFailure(err)) throw withCommitted(err, from);
      if (to - from > 1) {
        const mid = from + ((to - from) >> 1);
        commitIsolating(batch, from, mid);
        return commitIsolating(batch, mid, to);
      }
      // Alone, once more: a failure that does not come back was not this message's.
      try {
        options.commit(messagesOf(batch, from, to));
        return to;
      } catch (again) {
        if (options.isStorageFailure(again)) throw withCommitted(again, from);
        try {
          options.quarantinePoison(batch[from].message, again);
        } catch (qErr) {
          throw withCommitted(qErr, from);
        }
        return to;
      }
    }
  }

  function acknowledge(batch: readonly Pending[], count: number): void {
    if (count === 0) return;
    batches++;
    messages += count;
    if (count > largestBatch) largestBatch = count;
    const now = Date.now();
    // One write per connection for the burst's PUBACKs (a burst comes from one connection but for a reconnect).
    let ids: number[] = [];
    let target: AckTarget | null = null;
    for (let i = 0; i < count; i++) {
      const { message, from } = batch[i];
      latencies[latencyCount++ % ACK_SAMPLE] = now - message.receivedAt;
      if (message.qos === 0) continue;
      if (from !== target) {
        if (target && ids.length) target.ack(ids);
        ids = [];
        target = from;
      }
      ids.push(message.packetId);
    }
    // ack() sends nothing on a connection that has closed since.
    if (target && ids.length) target.ack(ids);
  }

  return {
    receive(from, batch) {
      if (stopped) return;
      for (const message of batch) pending.push({ message, from });
      if (pending.length >= options.maxBatch) hold(from);
      if (!troubled) schedule(0);
    },
    pending: () => pending.length,
    stats() {
      const n = Math.min(latencyCount, ACK_SAMPLE);
      const sorted = latencies.slice(0, n).sort();
      const at = (p: number) => sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)];
      return { batches, messages, largestBatch, ackLatencyMs: n === 0 ? null : { p50: at(50), p99: at(99), max: sorted[n - 1] } };
    },
    stop() {
      if (stopped) return;
      // Every part of what is pending, now (flush commits maxCommit at a time and schedules the rest).
      while (timer && !troubled) {
        clearImmediate(timer as NodeJS.Immediate);
        timer = null;
        flush();
      }
      stopped = true;
      if (timer) clearTimeout(timer as NodeJS.Timeout);
      timer = null;
      pending = [];
      holding.clear();
    },
  };
}

function messagesOf(batch: readonly Pending[], from: number, to: number): Message[] {
  const out = new Array<Message>(to - from);
  for (let i = from; i < to; i++) out[i - from] = batch[i].message;
  return out;
}

function withCommitted(err: unknown, committedBefore: number): unknown {
  if (err !== null && typeof err === 'object') {
    try {
      Object.defineProperty(err, 'committedBefore', { value: committedBefore, configurable: true });
      return err;
    } catch {
      // a frozen error: wrapped instead
    }
  }
  return Object.assign(new Error(String(err)), { cause: err, committedBefore });
}
