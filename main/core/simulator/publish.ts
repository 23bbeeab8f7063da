// Puts simulator output on an MQTT broker: live on a timer, and backfill as fast as the broker acknowledges.
import { logger } from '../log.ts';

/** A message to publish: the simulator's own (QoS 1) or one of another format (formats.ts: its QoS). */
export interface Publishable {
  topic: string;
  payload: string | Buffer;
  qos?: 0 | 1;
}

/** What publishing needs of an MQTT client (mqtt.js's MqttClient, or one that routes to several). */
export interface PublishClient {
  publish(topic: string, payload: string | Buffer, opts: { qos: 0 | 1; retain: boolean }, cb: (err?: Error) => void): unknown;
}

/** What publishing needs of a simulator: its messages up to a time. */
export interface MessageSource {
  advanceTo(ts: number): readonly Publishable[];
}

const log = logger('simulate');

export interface PublishingOptions {
  /** How often the virtual clock catches up with the wall clock. */
  tickMs?: number;
  /** Wall clock, replaceable in tests. */
  now?: () => number;
}

export interface Publishing {
  stop(): void;
  /** Messages handed to the client so far. */
  readonly published: number;
  /** Messages the client reported as failed (e.g. the connection was closed with them in flight). */
  readonly failed: number;
  /** Resolves when every message handed over so far has been acknowledged or has failed. */
  settled(): Promise<void>;
}

/**
 * Every tick, advances the simulator to now and publishes what happened since the last tick with QoS 1.
 * While the connection is down the client keeps the messages and sends them after it reconnects.
 */
export function startPublishing(sim: MessageSource, client: PublishClient, { tickMs = 200, now = Date.now }: PublishingOptions = {}): Publishing {
  let published = 0;
  let failed = 0;
  let failedSinceLog = 0;
  let pending = 0;
  let waiters: Array<() => void> = [];
  const onDone = (err?: Error) => {
    pending--;
    if (pending === 0) {
      const ws = waiters;
      waiters = [];
      for (const w of ws) w();
    }
    if (err) {
      failed++;
      if (failedSinceLog++ === 0) log.warn('publish failed', { error: err.message });
    }
  };
  const tick = () => {
    const batch = sim.advanceTo(now());
    for (const m of batch) client.publish(m.topic, m.payload, { qos: m.qos ?? 1, retain: false }, onDone);
    published += batch.length;
    pending += batch.length;
    if (failedSinceLog > 1) log.warn('more publishes failed', { count: failedSinceLog - 1 });
    failedSinceLog = 0;
  };
  tick();
  const timer = setInterval(tick, tickMs);
  return {
    stop() {
      clearInterval(timer);
    },
    get published() {
      return published;
    },
    get failed() {
      return failed;
    },
    settled() {
      return pending === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

/**
 * QoS 1 publishing with at most `limit` messages awaiting PUBACK: fast enough to fill a day of history
 * in seconds, without piling hundreds of thousands of messages into the client's memory or the broker's queue.
 */
export function createBoundedPublisher(client: PublishClient, limit: number, signal?: AbortSignal) {
  let inFlight = 0;
  let acked = 0;
  let failed = 0;
  let waiters: Array<() => void> = [];
  const wakeAll = () => {
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  };
  // Stopping must not wait for a PUBACK that may never come (broker gone).
  signal?.addEventListener('abort', wakeAll, { once: true });
  const onDone = (err?: Error) => {
    inFlight--;
    if (err) {
      if (failed++ === 0) log.warn('publish failed', { error: err.message });
    } else acked++;
    wakeAll();
  };
  const waitBelow = async (n: number, untilAbort: boolean) => {
    while (inFlight > n && !(untilAbort && signal?.aborted)) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return {
    /** Hands one message to the client, first waiting for room; false (not sent) once the signal has aborted. */
    async publish(m: Publishable): Promise<boolean> {
      if (inFlight >= limit) await waitBelow(limit - 1, true);
      if (signal?.aborted) return false;
      inFlight++;
      client.publish(m.topic, m.payload, { qos: m.qos ?? 1, retain: false }, onDone);
      return true;
    },
    /** Resolves once every message handed over so far has been acknowledged or has failed. */
    drain: () => waitBelow(0, false),
    get inFlight() {
      return inFlight;
    },
    get acked() {
      return acked;
    },
    get failed() {
      return failed;
    },
  };
}
