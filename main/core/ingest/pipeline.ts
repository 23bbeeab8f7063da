// One MQTT message in, one outcome out: checked in the contract's order (size, topic, UTF-8, schema,
// station), then committed. Bad input is quarantined and reported as handled, so the caller acknowledges
// it and the broker does not send it forever; only a storage failure is thrown, so it is not acknowledged.
import type { Counters } from '../../../shared/api.ts';
import type { Config, LineConfig } from '../../../shared/config.ts';
import {
  MAX_PAYLOAD_BYTES,
  QUARANTINE_PREFIX_BYTES,
  parsePayload,
  topicMatcher,
  type TelemetryEvent,
} from '../../../shared/telemetry.ts';
import { english, type Words } from '../../../shared/words.ts';
import { logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { createInputs, type InputSink, type Inputs } from './inputs/index.ts';

const log = logger('ingest');
const DAY_MS = 86_400_000;
/** CONTRACT §1.4: telemetry of lines and stations the configuration does not name is kept, up to these. */
export const MAX_UNCONFIGURED_LINES = 64;
export const MAX_UNCONFIGURED_STATIONS = 32;
/** Topics are bounded by MQTT at 64 KiB; the quarantine keeps enough to recognise one. */
const QUARANTINE_TOPIC_CHARS = 512;

export type Outcome = 'stored' | 'duplicate' | 'quarantined';
export type EventListener = (event: TelemetryEvent) => void;

export interface PipelineOptions {
  /** The running configuration: site and topic pattern, retention. */
  config: Config;
  store: Store;
  /** The lines and stations of the newest configuration version (CONTRACT §2.1: ingestion follows it); default config.lines. */
  lines?: readonly LineConfig[];
  /** The receiving machine's clock (future / retention limits); tests move it. */
  now?: () => number;
}

export interface Message {
  topic: string;
  /** The payload, or only its first bytes when it was too large to keep (then `size` says how large). */
  payload: Buffer | Uint8Array;
  /** The payload's full size when larger than `payload` (default: payload.byteLength). */
  size?: number;
  receivedAt: number;
}

export interface Pipeline {
  /** One message: handleBatch of one. */
  handle(topic: string, payload: Buffer | Uint8Array, receivedAt: number): Outcome;
  /**
   * Many messages in one transaction (group commit), outcomes in the same order. Throws only when the
   * store does: then none of them was stored, and none may be acknowledged.
   */
  handleBatch(messages: readonly Message[]): Outcome[];
  /** Whether a failed handleBatch was storage's fault (disk, lock, damage) rather than one message's. */
  isStorageFailure(err: unknown): boolean;
  /** Keeps a message that cannot be stored (its commit fails on its own) in the quarantine, with the error. */
  quarantinePoison(message: Message, err: unknown): void;
  /** Called with each newly stored event (not duplicates, not quarantined). */
  onEvent(listener: EventListener): () => void;
  /** A newer configuration version: which stations are configured from now on. */
  setLines(lines: readonly LineConfig[]): void;
  /**
   * New settings saved: the topic pattern, the site and the retention follow them, and the input adapters are
   * made anew when `inputs` changed (their state is in the store, so they go on where the old ones were). Their
   * subscriptions and the will are the connection's: the engine reconnects for such a change.
   */
  reconfigure(config: Config): void;
  counters(): Counters;
  /** The input adapters of config.inputs (Sparkplug B, tag streams): their topics are handled here too. */
  readonly inputs: Inputs;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { config, store } = options;
  const now = options.now ?? Date.now;
  let matcher = topicMatcher(config.broker.topicPattern, config.site);
  let stationsByLine = new Map((options.lines ?? config.lines).map((l) => [l.id, new Set(l.stations)]));
  let retentionMs = config.retention.rawDays * DAY_MS;
  const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
  const listeners = new Set<EventListener>();
  let inputs = createInputs(config, store.db);
  let inputsKey = JSON.stringify(config.inputs ?? []);
  /** Where the adapters write, inside the batch's transaction: stored events go to `inputStored`. */
  let inputStored: TelemetryEvent[] = [];
  const sink: InputSink = {
    commit(event, receivedAt) {
      if (!store.writer.hasStation(event.line, event.station)) {
        const refused = unknownRefusal(event.line, event.station);
        if (refused) return { refused };
      }
      const result = store.writer.commitEvent(event, receivedAt);
      if (result === 'stored') inputStored.push(event);
      return result;
    },
    quarantine,
    recordGap: (line, station, boot, fromSeq, toSeq, detectedAt) => store.writer.recordGap(line, station, boot, fromSeq, toSeq, detectedAt),
    now,
    oldestTs: () => now() - retentionMs,
  };

  /** Keeps the message with its reason: the English (CONTRACT §1.4) and the words the screens translate. */
  function quarantine(topic: string, payload: Uint8Array, words: Words, receivedAt: number, binary = false): Outcome {
    const reason = english(words);
    store.writer.quarantine({
      topic: topic.length > QUARANTINE_TOPIC_CHARS ? topic.slice(0, QUARANTINE_TOPIC_CHARS) + '…' : topic,
      payloadPrefix: prefixText(payload, binary),
      reason,
      words,
      receivedAt,
    });
    log.debug('quarantined', { topic: topic.slice(0, 200), reason });
    return 'quarantined';
  }

  /** Checks and writes one message; newly stored events go to `stored`, told to listeners after the commit. */
  function check(topic: string, payload: Buffer | Uint8Array, size: number, receivedAt: number, stored: TelemetryEvent[]): Outcome {
    // An input adapter's topic (Sparkplug, a tag stream): its own size limit and format.
    if (inputs.enabled && inputs.claims(topic)) {
      inputStored = stored;
      return inputs.handle(topic, payload, size, receivedAt, sink);
    }
    // Before anything looks at the bytes: a 50 MB payload must cost no more than its first KiB.
    if (size > MAX_PAYLOAD_BYTES) {
      return quarantine(topic, payload, { key: 'quarantine.too_large', params: { bytes: size } }, receivedAt);
    }
    const parts = matcher.match(topic);
    if ('error' in parts) return quarantine(topic, payload, parts.words, receivedAt);

    let text: string;
    try {
      text = strictUtf8.decode(payload);
    } catch {
      return quarantine(topic, payload, { key: 'quarantine.not_utf8' }, receivedAt, true);
    }

    const t = now();
    const parsed = parsePayload(parts, text, { now: t, oldestTs: t - retentionMs });
    if (!parsed.ok) return quarantine(topic, payload, parsed.words, receivedAt);
    const event = parsed.event;

    // A line or station the configuration does not name is kept (CONTRACT §1.4: shown as unconfigured,
    // counted once a version lists it), up to a bound, so a topic flood cannot grow the store without end.
    if (!store.writer.hasStation(event.line, event.station)) {
      const refused = unknownRefusal(event.line, event.station);
      if (refused) return quarantine(topic, payload, refused, receivedAt);
    }
    const result = store.writer.commitEvent(event, receivedAt);
    if (result === 'stored') stored.push(event);
    return result;
  }

  /** Why a new (line, station) is refused, or null when it may be kept. */
  function unknownRefusal(line: string, station: string): Words | null {
    const configured = stationsByLine.get(line);
    if (configured?.has(station)) return null;
    const seen = store.writer.stationsSeen(line);
    if (configured === undefined && seen.length === 0) {
      const unknownLines = store.writer.linesSeen().filter((l) => !stationsByLine.has(l)).length;
      if (unknownLines >= MAX_UNCONFIGURED_LINES) return { key: 'quarantine.too_many_lines', params: { max: MAX_UNCONFIGURED_LINES, line } };
    }
    const unknownStations = seen.filter((s) => !configured?.has(s)).length;
    if (unknownStations >= MAX_UNCONFIGURED_STATIONS) return { key: 'quarantine.too_many_stations', params: { max: MAX_UNCONFIGURED_STATIONS, line, station } };
    return null;
  }

  function handleBatch(messages: readonly Message[]): Outcome[] {
    const stored: TelemetryEvent[] = [];
    let outcomes: Outcome[];
    try {
      outcomes = store.writer.groupCommit(() => {
        const out = messages.map((m) => check(m.topic, m.payload, m.size ?? m.payload.byteLength, m.receivedAt, stored));
        if (inputs.enabled) inputs.endBatch(now());
        return out;
      });
    } catch (err) {
      // Nothing of the batch was stored: the adapters forget what they took from it.
      if (inputs.enabled) inputs.rolledBack();
      throw err;
    }
    if (inputs.enabled) inputs.committed();
    tell(stored);
    return outcomes;
  }

  function tell(stored: readonly TelemetryEvent[]): void {
    if (listeners.size === 0) return;
    for (const event of stored) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (err) {
          // Already committed: a failing listener must not turn into a retry (and a duplicate).
          log.error('event listener failed', { error: String(err) });
        }
      }
    }
  }

  return {
    handleBatch,
    isStorageFailure: (err) => store.writer.isStorageFailure(err),
    quarantinePoison(m, err) {
      const why = err instanceof Error ? err.message : String(err);
      log.error('a message could not be stored and was quarantined', { topic: m.topic.slice(0, 200), error: why });
      quarantine(m.topic, m.payload, { key: 'quarantine.not_stored', params: { detail: why.slice(0, 200) } }, m.receivedAt);
    },
    handle: (topic, payload, receivedAt) => handleBatch([{ topic, payload, receivedAt }])[0],
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    counters: () => store.writer.counters(),
    get inputs() {
      return inputs;
    },
    reconfigure(next) {
      matcher = topicMatcher(next.broker.topicPattern, next.site);
      retentionMs = next.retention.rawDays * DAY_MS;
      // Between batches (handleBatch is synchronous): every row the old adapters changed is already written.
      const key = JSON.stringify(next.inputs ?? []);
      if (key !== inputsKey) {
        inputs = createInputs(next, store.db);
        inputsKey = key;
      }
    },
    setLines(lines) {
      stationsByLine = new Map(lines.map((l) => [l.id, new Set(l.stations)]));
    },
  };
}

/**
 * The first KiB as text a person can read in the UI. Invalid UTF-8 is shown as hex, since replacement
 * characters would hide exactly what was wrong; a character cut at the KiB boundary is dropped.
 */
function prefixText(payload: Uint8Array, binary: boolean): string {
  const head = payload.subarray(0, QUARANTINE_PREFIX_BYTES);
  if (binary) return 'hex:' + Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('hex');
  return new TextDecoder('utf-8').decode(head, { stream: true });
}
