// The MQTT side of ingest: one mqtt.js client with a persistent session. A QoS 1 message is acknowledged
// only after the pipeline has committed it (group-commit.ts: a burst per transaction, PUBACKs after it),
// so whatever was not committed is still the broker's to deliver again.
import fs from 'node:fs';
import mqtt from 'mqtt';
import type { IClientOptions, IDisconnectPacket, MqttClient } from 'mqtt';
import type { Alert, BrokerStatus, ConnectionState } from '../../../shared/api.ts';
import type { Config } from '../../../shared/config.ts';
import { topicMatcher } from '../../../shared/telemetry.ts';
import { logger } from '../log.ts';
import type { Pipeline } from './pipeline.ts';
import { installGroupCommit } from './group-commit.ts';
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
 * Uncommitted messages before the connection is held until the next commit. A burst is what one event
 * loop turn reads; this only bounds memory and the size of one transaction.
 */
const MAX_BATCH = 2000;
/** This many short sessions in a row look like two clients taking the same id from each other. */
const SHORT_SESSIONS_FOR_TAKEOVER = 3;

export interface IngestOptions {
  config: Config;
  /** Overrides config.broker.url (`serve --broker`). */
  brokerUrl?: string;
  password?: string;
  pipeline: Pipeline;
  onConnection: (state: ConnectionState) => void;
  /** An alert raised (or its message changed), or cleared (`message` null). */
  onAlert: (code: AlertCode, message: string | null) => void;
  timing?: Partial<IngestTiming>;
}

export interface Ingest {
  stop(): Promise<void>;
  state(): ConnectionState;
  /** The mqtt.js client, for diagnostics and tests (listener counts); null when TLS files could not be read. */
  readonly client: MqttClient | null;
}

export function startIngest(options: IngestOptions): Ingest {
  const { config, pipeline } = options;
  const broker = config.broker;
  const timing: IngestTiming = { ...DEFAULT_TIMING, ...options.timing };
  const url = options.brokerUrl ?? broker.url;
  const subscription = topicMatcher(broker.topicPattern, config.site).subscription;
  const clientId = broker.clientId ?? `taktboard-${config.site}`;

  let current: ConnectionState = { status: 'connecting', url: displayUrl(url), since: Date.now(), error: null };
  let stopped = false;
  let wasConnected = false;
  let connectedAt = 0;
  let shortSessions = 0;
  let attemptError: string | null = null;
  let refused = false;
  let reconnectDelay = timing.reconnectMinMs;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let takeoverTimer: NodeJS.Timeout | null = null;
  const alerts = new Map<AlertCode, string>();
  /** When the current run of failed commits began, or 0. */
  let troubleSince = 0;

  function setState(status: BrokerStatus, error: string | null): void {
    if (current.status === status && current.error === error) return;
    current = { status, url: current.url, since: Date.now(), error };
    if (status !== 'connected' && error) log.warn('broker ' + status, { url: current.url, error });
    else log.info('broker ' + status, { url: current.url });
    options.onConnection(current);
  }

  function raise(code: AlertCode, message: string): void {
    if (alerts.get(code) === message) return;
    alerts.set(code, message);
    log.warn('alert', { code, message });
    options.onAlert(code, message);
  }

  function clear(code: AlertCode): void {
    if (!alerts.delete(code)) return;
    log.info('alert cleared', { code });
    options.onAlert(code, null);
  }

  options.onConnection(current);

  let tls: Pick<IClientOptions, 'ca' | 'cert' | 'key'>;
  try {
    tls = readTlsFiles(broker);
  } catch (err) {
    // Nothing to retry until someone fixes the file: say so and stay offline.
    setState('offline', (err as Error).message);
    return { stop: async () => undefined, state: () => current, client: null };
  }

  const clientOptions: IClientOptions = {
    clientId,
    clean: false,
    protocolVersion: broker.protocolVersion,
    keepalive: broker.keepaliveS,
    // mqtt.js only knows a fixed reconnect period; the bounded exponential backoff is ours (scheduleReconnect).
    reconnectPeriod: 0,
    connectTimeout: timing.connectTimeoutMs,
    // We subscribe on every connect ourselves; mqtt.js's own resubscribe would send a second SUBSCRIBE.
    resubscribe: false,
    manualConnect: true,
    username: broker.username || undefined,
    password: options.password,
    rejectUnauthorized: broker.rejectUnauthorized,
    ...tls,
    properties: broker.protocolVersion === 5 ? { sessionExpiryInterval: broker.sessionExpiryS } : undefined,
  };
  const client = mqtt.connect(url, clientOptions);
  // Fault injection for RELIABILITY row 5 (a crash after the commit, before the PUBACK): the test suite
  // sets it on a child process; nothing else ever does.
  const killAfterCommits = Number(process.env.TAKTBOARD_FAULT_KILL_AFTER_COMMIT) || 0;
  let commitsSeen = 0;

  const groupCommit = installGroupCommit(client, {
    maxBatch: MAX_BATCH,
    retryMinMs: timing.retryMinMs,
    retryMaxMs: timing.retryMaxMs,
    commit: (batch) => pipeline.handleBatch(batch),
    failed(err, retryInMs) {
      const alert = storageAlert(err);
      troubleSince ||= Date.now();
      // A backup or a maintenance tool may hold the lock for a moment; a full disk needs a person at once.
      if (alert.code !== 'db_locked' || Date.now() - troubleSince >= timing.lockAlertAfterMs) raise(alert.code, alert.message);
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

  client.on('connect', (connack) => {
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
    log.info('session', { clientId, sessionPresent: connack.sessionPresent });
    subscribe();
  });

  function subscribe(): void {
    client.subscribe(subscription, { qos: 1 }, (err, granted) => {
      if (stopped) return;
      if (err) {
        // mqtt.js reports a refusing SUBACK either with the reason as `code` or with the SUBACK packet attached.
        const e = err as Error & { code?: unknown; packet?: { granted?: number[] } };
        const code = e.code ?? e.packet?.granted?.find((g) => g >= 0x80);
        // A SUBACK refusal carries a reason code >= 0x80; anything else means the connection went away
        // and the next connect subscribes again.
        if (typeof code === 'number' && code >= 0x80) raise('subscribe_refused', describeSubscribeRefusal(subscription, code));
        else log.warn('subscribe did not complete', { error: err.message });
        return;
      }
      const qos = granted?.[0]?.qos;
      if (qos === undefined || qos >= 0x80) {
        raise('subscribe_refused', describeSubscribeRefusal(subscription, qos));
        return;
      }
      clear('subscribe_refused');
      if (qos === 0) log.warn('broker granted QoS 0 only: messages can be lost while the app is down', { subscription });
    });
  }

  client.on('error', (err) => {
    const problem = describeConnectionError(err);
    attemptError = problem.words;
    if (problem.refused) refused = true;
    if (problem.needsPerson) raise('broker_rejected', problem.words);
  });

  client.on('disconnect', (packet: IDisconnectPacket) => {
    attemptError = describeDisconnect(packet.reasonCode);
    if (packet.reasonCode === 142) {
      refused = true;
      raise('client_taken_over', `${attemptError} ("${clientId}"): is a second Taktboard running with this broker.clientId?`);
    }
  });

  client.on('close', () => {
    groupCommit.connectionClosed();
    if (takeoverTimer) clearTimeout(takeoverTimer);
    takeoverTimer = null;
    if (stopped) return;
    if (wasConnected) noteSessionLength();
    const error = attemptError ?? (wasConnected ? 'connection to the broker lost' : 'no answer from the broker');
    setState('offline', error);
    wasConnected = false;
    scheduleReconnect();
  });

  // An MQTT 3.1.1 broker (and mosquitto 2.0 even for MQTT 5) ends the older of two connections with the same
  // client id without saying why. Two Taktboards sharing an id then take it from each other every second;
  // repeated silent drops right after connecting are that pattern: say so, and let the other one have it.
  function noteSessionLength(): void {
    const silent = attemptError === null;
    shortSessions = silent && Date.now() - connectedAt < timing.shortSessionMs ? shortSessions + 1 : 0;
    if (shortSessions >= SHORT_SESSIONS_FOR_TAKEOVER) {
      refused = true;
      raise(
        'client_taken_over',
        `the broker closed the connection right after accepting it ${shortSessions} times in a row: is another client (a second Taktboard?) using client id "${clientId}"?`,
      );
    }
  }

  function scheduleReconnect(): void {
    if (reconnectTimer) return;
    const delay = refused ? timing.refusedDelayMs : reconnectDelay;
    if (!refused) reconnectDelay = Math.min(reconnectDelay * 2, timing.reconnectMaxMs);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (stopped) return;
      attemptError = null;
      setState('connecting', current.error);
      client.reconnect();
    }, delay);
  }

  client.connect();

  return {
    client,
    state: () => current,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (takeoverTimer) clearTimeout(takeoverTimer);
      groupCommit.stop();
      // A clean DISCONNECT keeps the session (clean: false); unacknowledged messages stay with the broker.
      await new Promise<void>((resolve) => {
        // end() waits for the DISCONNECT to be written; a dead socket must not hold shutdown forever.
        const force = setTimeout(() => {
          client.stream?.destroy();
          resolve();
        }, 2000);
        client.end(!client.connected, () => {
          clearTimeout(force);
          resolve();
        });
      });
      setState('offline', null);
    },
  };
}

function readTlsFiles(broker: Config['broker']): Pick<IClientOptions, 'ca' | 'cert' | 'key'> {
  const read = (field: string, file: string | undefined) => {
    if (!file) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new Error(`cannot read broker.${field} file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
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
