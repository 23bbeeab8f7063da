// `taktboard simulate`: connect, optionally backfill history, then publish live until stopped.
import { randomBytes, randomInt } from 'node:crypto';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import type { Config } from '../../../shared/config.ts';
import { brokerPasswordFor } from '../config-file.ts';
import { logger } from '../log.ts';
import { createFormat, type SimFormat } from './formats.ts';
import { createBoundedPublisher, startPublishing, type PublishClient } from './publish.ts';
import { createSimulator } from './simulator.ts';

const log = logger('simulate');

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** '24h', '90m', '30s', '2d', '1.5h', '500ms' → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(String(text));
  const ms = m ? Math.round(Number(m[1]) * UNIT_MS[m[2]]) : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new Error(`bad duration "${text}": use a number followed by ms, s, m, h or d, e.g. 30s, 90m, 24h or 2d`);
  }
  return ms;
}

export interface SimulateOptions {
  brokerUrl: string;
  config: Config;
  /** Publish this much history first (ms before now), as fast as the broker acknowledges. */
  backfillMs?: number;
  /** Stop after publishing live this long (ms, after the backfill); default: until SIGINT/SIGTERM or `signal`. */
  durationMs?: number;
  seed?: number;
  /** Broker password; by default TAKTBOARD_MQTT_PASSWORD or the file config.broker.passwordFile names, like `serve`; null: none. */
  password?: string | null;
  signal?: AbortSignal;
  /** QoS 1 messages awaiting PUBACK during backfill. */
  maxInFlight?: number;
  tickMs?: number;
  /** native (CONTRACT §1 JSON, the default), sparkplug (Sparkplug B edge nodes), tags (EMQX Neuron JSON). */
  format?: SimFormat;
  /** QoS of the telemetry (default 1; Sparkplug 3.0 has edge nodes publish data at 0). */
  qos?: 0 | 1;
}

export interface SimulateSummary {
  clientId: string;
  boot: string;
  seed: number;
  backfilled: number;
  live: number;
  failed: number;
}

/** Simulated time published per backfill step: small enough to log progress and react to Ctrl-C promptly. */
const BACKFILL_STEP_MS = 5 * 60_000;
const PROGRESS_EVERY_MS = 2000;
const END_GRACE_MS = 5000;

/**
 * Waits for the last QoS 1 acknowledgements, so a clean stop loses nothing; but a broker that has gone
 * away must not keep Ctrl-C from working.
 */
async function withinGrace(done: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const inTime = await Promise.race([
    done.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), END_GRACE_MS))),
  ]);
  clearTimeout(timer);
  if (!inTime) log.warn('broker did not acknowledge the last messages in time; disconnecting anyway');
}

export async function runSimulate(opts: SimulateOptions): Promise<SimulateSummary> {
  const { brokerUrl, config, backfillMs = 0, durationMs, maxInFlight = 1000, tickMs = 200 } = opts;
  if (!Number.isSafeInteger(backfillMs) || backfillMs < 0) throw new Error(`backfill must be a whole number of ms ≥ 0, got ${backfillMs}`);
  if (durationMs !== undefined && !(durationMs >= 0)) throw new Error(`duration must be ≥ 0 ms, got ${durationMs}`);
  if (!Number.isSafeInteger(maxInFlight) || maxInFlight < 1) throw new Error(`maxInFlight must be a whole number ≥ 1, got ${maxInFlight}`);
  const seed = opts.seed ?? randomInt(2 ** 31);
  // A fresh boot id per run: a restarted simulator starts seq at 0 again, which receivers must not read as gaps.
  const boot = `sim-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const clientId = `taktboard-sim-${randomBytes(4).toString('hex')}`;

  const b = config.broker;
  const clientOpts: IClientOptions = {
    clientId,
    // 3.1.1 works with every broker, aedes included; the simulator needs nothing from MQTT 5.
    protocolVersion: 4,
    clean: true,
    keepalive: b.keepaliveS,
    reconnectPeriod: 1000,
    rejectUnauthorized: b.rejectUnauthorized,
  };
  if (b.username) clientOpts.username = b.username;
  const password = opts.password === undefined ? brokerPasswordFor(config) : opts.password;
  if (password !== undefined && password !== null) clientOpts.password = password;

  const stop = new AbortController();
  const onSignal = () => {
    log.info('stopping');
    stop.abort();
  };
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const fmt = createFormat(config, opts.format ?? 'native', { qos: opts.qos, bdSeq: randomInt(256) });
  const clients: MqttClient[] = [];
  try {
    // Sparkplug: one connection per edge node (line), each with its NDEATH as the will.
    for (let i = 0; i < fmt.clients; i++) {
      const will = fmt.will(i);
      const o: IClientOptions = { ...clientOpts, clientId: fmt.clients > 1 ? `${clientId}-${i}` : clientId, ...(will ? { will } : {}) };
      try {
        clients.push(await connectAsync(brokerUrl, o, false));
      } catch (err) {
        throw new Error(`cannot connect to MQTT broker ${brokerUrl}: ${(err as Error).message}`);
      }
    }
    for (const c of clients) {
      c.on('error', (err) => log.warn('broker connection error', { error: err.message }));
      c.on('offline', () => log.warn('broker offline, reconnecting'));
      c.on('reconnect', () => log.debug('reconnecting'));
      c.on('connect', () => log.info('reconnected', { broker: brokerUrl }));
    }
    log.info('connected', { broker: brokerUrl, clientId, seed, boot, format: fmt.format, lines: config.lines.map((l) => l.id) });

    const startTs = Date.now() - backfillMs;
    const simulator = createSimulator(config, { seed, boot, startTs });
    // Sparkplug topics name their edge node (level 4): its line's connection publishes them.
    const lineIndex = new Map(config.lines.map((l, i) => [l.id, i]));
    const c: PublishClient = {
      publish: (topic, payload, o, cb) => clients[fmt.clients > 1 ? (lineIndex.get(topic.split('/')[3]) ?? 0) : 0].publish(topic, payload, o, cb),
    };
    const sim = {
      get clock() {
        return simulator.clock;
      },
      advanceTo: (ts: number) => fmt.encode(simulator.advanceTo(ts)),
    };
    // Births before anything else (a millisecond before the first events, so those are newer), and again
    // when the host asks (NCMD Node Control/Rebirth).
    for (const m of fmt.start(startTs - 1)) c.publish(m.topic, m.payload, { qos: m.qos, retain: false }, () => undefined);
    clients.forEach((client, i) => {
      const cmd = fmt.commandTopic(i);
      if (!cmd) return;
      const subscribe = () => client.subscribe(cmd, { qos: 0 });
      subscribe();
      client.on('connect', () => {
        subscribe();
        for (const m of fmt.rebirth(i, Math.max(startTs, simulator.clock))) client.publish(m.topic, m.payload, { qos: m.qos, retain: false });
      });
      client.on('message', (topic) => {
        if (topic !== cmd) return;
        log.info('rebirth requested', { topic });
        for (const m of fmt.rebirth(i, Math.max(startTs, simulator.clock))) client.publish(m.topic, m.payload, { qos: m.qos, retain: false });
      });
    });

    let backfilled = 0;
    let failed = 0;
    if (backfillMs > 0) {
      const pub = createBoundedPublisher(c, maxInFlight, stop.signal);
      const began = Date.now();
      let lastLog = began;
      log.info('backfill started', { hours: +(backfillMs / 3_600_000).toFixed(2) });
      while (!stop.signal.aborted) {
        const now = Date.now();
        const target = Math.min(sim.clock + BACKFILL_STEP_MS, now);
        for (const m of sim.advanceTo(target)) {
          if (!(await pub.publish(m))) break;
          backfilled++;
        }
        if (target >= now) break;
        if (Date.now() - lastLog >= PROGRESS_EVERY_MS) {
          lastLog = Date.now();
          const done = (target - startTs) / (now - startTs);
          log.info('backfill progress', {
            pct: +(100 * done).toFixed(1),
            simulatedH: +((target - startTs) / 3_600_000).toFixed(2),
            messages: backfilled,
            perSecond: Math.round(pub.acked / ((Date.now() - began) / 1000)),
          });
        }
      }
      if (stop.signal.aborted) await withinGrace(pub.drain());
      else await pub.drain();
      failed += pub.failed;
      log.info('backfill done', { messages: backfilled, seconds: +((Date.now() - began) / 1000).toFixed(1), failed: pub.failed });
    }

    let live = 0;
    if (!stop.signal.aborted) {
      log.info('publishing live', { tickMs, durationS: durationMs === undefined ? 'until stopped' : durationMs / 1000 });
      const publishing = startPublishing(sim, c, { tickMs });
      await new Promise<void>((resolve) => {
        const timer = durationMs === undefined ? undefined : setTimeout(resolve, durationMs);
        stop.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
      publishing.stop();
      live = publishing.published;
      await withinGrace(publishing.settled());
      failed += publishing.failed;
    }
    const summary = { clientId, boot, seed, backfilled, live, failed };
    log.info('stopped', { ...summary });
    return summary;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    opts.signal?.removeEventListener('abort', onAbort);
    // A Sparkplug edge node that stops on purpose says so (the will is only for a lost connection).
    for (let i = 0; i < clients.length; i++) {
      const will = fmt.will(i);
      if (will && clients[i].connected) await new Promise<void>((resolve) => clients[i].publish(will.topic, will.payload, { qos: 1 }, () => resolve()));
    }
    for (const c of clients) await c.endAsync(true);
  }
}
