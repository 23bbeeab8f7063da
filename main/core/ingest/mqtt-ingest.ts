// The MQTT side of ingest: one subscriber connection at a time (mqtt-session.ts) with a persistent
// session, reconnecting with bounded backoff. A QoS 1 message is acknowledged only after the pipeline
// has committed it (group-commit.ts: a burst per transaction, PUBACKs after it), so whatever was not
// committed is still the broker's to deliver again.
import fs from 'node:fs';
import type { Alert, BrokerStatus, ConnectionState } from '../../../shared/api.ts';
import type { Config } from '../../../shared/config.ts';
import { MAX_PAYLOAD_BYTES, topicMatcher } from '../../../shared/telemetry.ts';
import { english, type Words } from '../../../shared/words.ts';
import { logger } from '../log.ts';
import type { Pipeline } from './pipeline.ts';
import { createGroupCommit, type GroupCommitStats } from './group-commit.ts';
import { SubscriberSession, type SessionOptions } from './mqtt-session.ts';
import { describeConnectionError, describeDisconnect, describeSubscribeRefusal, storageAlert } from './words.ts';

const log = logger('ingest');

export type AlertCode = Alert['code'];

export interface IngestTiming {
  /** Reconnect backoff: first delay, doubled per failed attempt up to max; back to min on connect. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** After the broker refused us on purpose (credentials, ACL) or another client took our id. */
  refusedDelayMs: number;
  /** Retry of a message whose commit failed: first delay, doubled up to max. */
  retryMinMs: number;
  retryMaxMs: number;
  connectTimeoutMs: number;
  /** Connected this long without being taken over clears the 'client_taken_over' alert. */
  takeoverClearMs: number;
  /** A session the broker ends without a word within this time counts as "closed right after connecting". */
  shortSessionMs: number;
  /** A lock held by another program this long becomes a 'db_locked' banner; shorter ones are only logged. */
  lockAlertAfterMs: number;
}

export const DEFAULT_TIMING: IngestTiming = {
  reconnectMinMs: 1000,
  reconnectMaxMs: 30_000,
  refusedDelayMs: 60_000,
  retryMinMs: 250,
  retryMaxMs: 5000,
  connectTimeoutMs: 10_000,
  takeoverClearMs: 5 * 60_000,
  shortSessionMs: 10_000,
  lockAlertAfterMs: 3000,
};
/**
 * Uncommitted messages before reading is held until the next commit. A burst is what one event loop
 * turn reads; this only bounds memory and the size of one transaction.
 */
const MAX_BATCH = 2000;
/** Messages one transaction takes: ~10 ms of the engine thread, against ~40 µs a transaction costs itself. */
const MAX_COMMIT = 250;
/**
 * MQTT 5 Receive Maximum: QoS 1 messages the broker may have in flight to us. A burst can only be as
 * large as the broker's window toward us (the smaller of this and its own limit, mosquitto's
 * max_inflight_messages), so it is large; memory stays bounded by it times MAX_PACKET_BYTES.
 */
export const RECEIVE_MAXIMUM = 1000;
/**
 * The largest packet read whole (and, with MQTT 5, the Maximum Packet Size the broker is told): a
 * payload at the contract's 16 KiB limit with room for a long topic and properties. Anything larger is
 * bad input by the contract; it is never buffered whole (mqtt-session.ts reads it as a stream).
 */
export const MAX_PACKET_BYTES = MAX_PAYLOAD_BYTES + 4096;
/** This many short sessions in a row look like two clients taking the same id from each other. */
const SHORT_SESSIONS_FOR_TAKEOVER = 3;

export interface IngestOptions {
  config: Config;
  /** Overrides config.broker.url (`serve --broker`). */
  brokerUrl?: string;
  password?: string;
  pipeline: Pipeline;
  onConnection: (state: ConnectionState) => void;
  /** An alert raised (or its message changed), or cleared (`message` and `words` null); `message` is the English of `words`. */
  onAlert: (code: AlertCode, message: string | null, words: Words | null) => void;
  timing?: Partial<IngestTiming>;
}

export interface Ingest {
  stop(): Promise<void>;
  state(): ConnectionState;
  /** Messages received and not yet committed (a burst in progress, or held while storage fails). */
  pending(): number;
  stats(): GroupCommitStats;
}

export function startIngest(options: IngestOptions): Ingest {
  const { config, pipeline } = options;
  const broker = config.broker;
  const timing: IngestTiming = { ...DEFAULT_TIMING, ...options.timing };
  const url = options.brokerUrl ?? broker.url;
  const subscription = topicMatcher(broker.topicPattern, config.site).subscription;
  const clientId = broker.clientId ?? `taktboard-${config.site}`;

  let current: ConnectionState = { status: 'connecting', url: displayUrl(url), since: Date.now(), error: null, errorWords: null };
  let stopped = false;
  let wasConnected = false;
  let connectedAt = 0;
  let shortSessions = 0;
  let attemptError: Words | null = null;
  let refused = false;
  let reconnectDelay = timing.reconnectMinMs;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let takeoverTimer: NodeJS.Timeout | null = null;
  const alerts = new Map<AlertCode, string>();
  /** When the current run of failed commits began, or 0. */
  let troubleSince = 0;

  function setState(status: BrokerStatus, errorWords: Words | null): void {
    const error = errorWords ? english(errorWords) : null;
    if (current.status === status && current.error === error) return;
    current = { status, url: current.url, since: Date.now(), error, errorWords };
    if (status !== 'connected' && error) log.warn('broker ' + status, { url: current.url, error });
    else log.info('broker ' + status, { url: current.url });
    options.onConnection(current);
  }

  function raise(code: AlertCode, words: Words): void {
    const message = english(words);
    if (alerts.get(code) === message) return;
    alerts.set(code, message);
    log.warn('alert', { code, message });
    options.onAlert(code, message, words);
  }

  function clear(code: AlertCode): void {
    if (!alerts.delete(code)) return;
    log.info('alert cleared', { code });
    options.onAlert(code, null, null);
  }

  options.onConnection(current);

  let tls: SessionOptions['tls'];
  try {
    tls = { ...readTlsFiles(broker), rejectUnauthorized: broker.rejectUnauthorized };
  } catch (err) {
    // Nothing to retry until someone fixes the file: say so and stay offline.
    setState('offline', (err as Error & { words?: Words }).words ?? { key: 'broker.error', params: { detail: (err as Error).message } });
    return { stop: async () => undefined, state: () => current, pending: () => 0, stats: () => ({ batches: 0, messages: 0, largestBatch: 0, ackLatencyMs: null }) };
  }

  const sessionOptions: SessionOptions = {
    url,
    clientId,
    protocolVersion: broker.protocolVersion,
    keepaliveS: broker.keepaliveS,
    sessionExpiryS: broker.sessionExpiryS,
    username: broker.username || undefined,
    password: options.password,
    tls,
    connectTimeoutMs: timing.connectTimeoutMs,
    receiveMaximum: RECEIVE_MAXIMUM,
    // Input adapters (Sparkplug births of many metrics) may read larger payloads than the contract's 16 KiB.
    maximumPacketBytes: Math.max(MAX_PACKET_BYTES, pipeline.inputs.maxPayloadBytes() + 4096),
  };
  // Fault injection for RELIABILITY row 5 (a crash after the commit, before the PUBACK): the test suite
  // sets it on a child process; nothing else ever does.
  const killAfterCommits = Number(process.env.TAKTBOARD_FAULT_KILL_AFTER_COMMIT) || 0;
  let commitsSeen = 0;

  const groupCommit = createGroupCommit({
    maxBatch: MAX_BATCH,
    maxCommit: MAX_COMMIT,
    retryMinMs: timing.retryMinMs,
    retryMaxMs: timing.retryMaxMs,
    commit: (batch) => pipeline.handleBatch(batch),
    isStorageFailure: (err) => pipeline.isStorageFailure(err),
    quarantinePoison: (message, err) => pipeline.quarantinePoison(message, err),
    failed(err, retryInMs) {
      const alert = storageAlert(err);
      troubleSince ||= Date.now();
      // A backup or a maintenance tool may hold the lock for a moment; a full disk needs a person at once.
      if (alert.code !== 'db_locked' || Date.now() - troubleSince >= timing.lockAlertAfterMs) raise(alert.code, alert.words);
      log.warn('commit failed; messages kept unacknowledged and retried', { error: String(err), retryInMs });
    },
    recovered() {
      troubleSince = 0;
      clear('storage_full');
      clear('db_locked');
    },
    committed(count) {
      if (killAfterCommits && (commitsSeen += count) >= killAfterCommits) process.kill(process.pid, 'SIGKILL');
    },
  });

  let session: SubscriberSession | null = null;

  function connect(): void {
    attemptError = null;
    // A Sparkplug primary host's will (its STATE death) carries the timestamp its STATE birth repeats: new per connection.
    const will = pipeline.inputs.will(Date.now()) ?? undefined;
    const s: SubscriberSession = new SubscriberSession(will ? { ...sessionOptions, will } : sessionOptions, {
      connected: ({ sessionPresent }) => {
        wasConnected = true;
        connectedAt = Date.now();
        refused = false;
        reconnectDelay = timing.reconnectMinMs;
        clear('broker_rejected');
        takeoverTimer = setTimeout(() => {
          shortSessions = 0;
          clear('client_taken_over');
        }, Math.max(timing.takeoverClearMs, timing.shortSessionMs));
        setState('connected', null);
        log.info('session', { clientId, sessionPresent });
        subscribe(s);
        pipeline.inputs.online(s);
      },
      received: (batch) => groupCommit.receive(s, batch),
      disconnected: (reasonCode) => {
        attemptError = describeDisconnect(reasonCode);
        if (reasonCode === 142) {
          refused = true;
          raise('client_taken_over', { key: 'alert.taken_over_disconnect', params: { clientId } });
        }
      },
      closed: (err) => {
        if (session === s) session = null;
        pipeline.inputs.offline();
        if (err && attemptError === null) {
          const problem = describeConnectionError(err);
          attemptError = problem.words;
          if (problem.refused) refused = true;
          if (problem.needsPerson) raise('broker_rejected', problem.words);
        }
        onClose();
      },
    });
    session = s;
    s.open();
  }

  function subscribe(s: SubscriberSession): void {
    // The native pattern and the input adapters' filters (Sparkplug groups, tag streams), in one SUBSCRIBE.
    const filters = [subscription, ...pipeline.inputs.filters()];
    s.subscribe(filters, (err, granted) => {
      if (stopped || err) {
        // The connection went away before the SUBACK; the next connect subscribes again.
        if (err && !stopped) log.warn('subscribe did not complete', { error: err.message });
        return;
      }
      const refused = filters.findIndex((_, i) => granted[i] === undefined || granted[i] >= 0x80);
      if (refused >= 0) {
        raise('subscribe_refused', describeSubscribeRefusal(filters[refused], granted[refused]));
        return;
      }
      clear('subscribe_refused');
      filters.forEach((filter, i) => {
        if (granted[i] === 0) log.warn('broker granted QoS 0 only: messages can be lost while the app is down', { subscription: filter });
      });
    });
  }

  function onClose(): void {
    if (takeoverTimer) clearTimeout(takeoverTimer);
    takeoverTimer = null;
    if (stopped) return;
    if (wasConnected) noteSessionLength();
    setState('offline', attemptError ?? { key: wasConnected ? 'broker.lost' : 'broker.no_answer' });
    wasConnected = false;
    scheduleReconnect();
  }

  // An MQTT 3.1.1 broker (and mosquitto 2.0 even for MQTT 5) ends the older of two connections with the same
  // client id without saying why. Two Taktboards sharing an id then take it from each other every second;
  // repeated silent drops right after connecting are that pattern: say so, and let the other one have it.
  function noteSessionLength(): void {
    const silent = attemptError === null;
    shortSessions = silent && Date.now() - connectedAt < timing.shortSessionMs ? shortSessions + 1 : 0;
    if (shortSessions >= SHORT_SESSIONS_FOR_TAKEOVER) {
      refused = true;
      raise('client_taken_over', { key: 'alert.taken_over_silent', params: { count: shortSessions, clientId } });
    }
  }

  function scheduleReconnect(): void {
    if (reconnectTimer) return;
    const delay = refused ? timing.refusedDelayMs : reconnectDelay;
    if (!refused) reconnectDelay = Math.min(reconnectDelay * 2, timing.reconnectMaxMs);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (stopped) return;
      setState('connecting', current.errorWords);
      connect();
    }, delay);
  }

  connect();

  return {
    state: () => current,
    pending: () => groupCommit.pending(),
    stats: () => groupCommit.stats(),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (takeoverTimer) clearTimeout(takeoverTimer);
      groupCommit.stop();
      // A clean DISCONNECT keeps the session (clean: false); unacknowledged messages stay with the broker.
      await session?.end();
      setState('offline', null);
    },
  };
}

function readTlsFiles(broker: Config['broker']): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (field: string, file: string | undefined) => {
    if (!file) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (err) {
      const words: Words = { key: 'broker.tls_file', params: { field, file, code: (err as NodeJS.ErrnoException).code ?? (err as Error).message } };
      throw Object.assign(new Error(english(words)), { words });
    }
  };
  return { ca: read('ca', broker.ca), cert: read('cert', broker.cert), key: read('key', broker.key) };
}

/** The URL without user:password, for the UI and logs. */
function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * Settings' "test connection": connects with these settings under a client id of its own (never the
 * ingest's: that would take over its session), with a clean session, subscribes to the telemetry filter,
 * and says in words what the broker answered: connected, refused (the reason code's words), no answer, or the
 * network's or TLS's error with its detail.
 */
export async function testBrokerConnection(config: Config, password: string | undefined, timeoutMs = 8000): Promise<{ ok: boolean; words: Words }> {
  const broker = config.broker;
  let tls: SessionOptions['tls'];
  try {
    tls = { ...readTlsFiles(broker), rejectUnauthorized: broker.rejectUnauthorized };
  } catch (err) {
    return { ok: false, words: (err as Error & { words?: Words }).words ?? { key: 'broker.error', params: { detail: (err as Error).message } } };
  }
  const subscription = topicMatcher(broker.topicPattern, config.site).subscription;
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: { ok: boolean; words: Words }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void s.end().finally(() => resolve(r));
    };
    const s: SubscriberSession = new SubscriberSession(
      {
        url: broker.url,
        clientId: `${(broker.clientId ?? `taktboard-${config.site}`).slice(0, 40)}-test-${process.pid}`,
        protocolVersion: broker.protocolVersion,
        keepaliveS: broker.keepaliveS,
        sessionExpiryS: 0,
        clean: true,
        username: broker.username || undefined,
        password,
        tls,
        connectTimeoutMs: timeoutMs,
        receiveMaximum: RECEIVE_MAXIMUM,
        maximumPacketBytes: MAX_PACKET_BYTES,
      },
      {
        connected: () =>
          s.subscribe(subscription, (err, granted) => {
            if (err) return finish({ ok: false, words: { key: 'broker.test_subscribe_failed', params: { detail: err.message } } });
            const qos = granted[0];
            if (qos === undefined || qos >= 0x80) return finish({ ok: false, words: describeSubscribeRefusal(subscription, qos) });
            const version = broker.protocolVersion === 5 ? '5' : '3.1.1';
            finish({ ok: true, words: { key: 'broker.test_connected', params: { url: displayUrl(broker.url), version, topic: subscription, qos } } });
          }),
        received: () => {},
        disconnected: (code) => finish({ ok: false, words: describeDisconnect(code) }),
        closed: (err) => finish({ ok: false, words: err ? describeConnectionError(err).words : { key: 'broker.closed' } }),
      },
    );
    const timer = setTimeout(() => finish({ ok: false, words: { key: 'broker.test_no_answer', params: { url: displayUrl(broker.url), seconds: Math.round(timeoutMs / 1000) } } }), timeoutMs + 500);
    s.open();
  });
}
