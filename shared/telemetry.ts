// Telemetry (CONTRACT §1): topic pattern, payload schemas, and the reasons bad input is quarantined.
import { z } from 'zod';
import { NAME_RE, issueWords } from './validation.ts';
import { english, type Words } from './words.ts';

export const STATION_STATES = ['running', 'idle', 'starved', 'blocked', 'down', 'changeover', 'planned_stop'] as const;
export type StationState = (typeof STATION_STATES)[number];
export type EventKind = 'cycle' | 'state';

export const MAX_PAYLOAD_BYTES = 16 * 1024;
export const QUARANTINE_PREFIX_BYTES = 1024;
export const MAX_FUTURE_MS = 5 * 60 * 1000;
const MAX_DATE_MS = 8.64e15;

const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

const tsSchema = z.union([
  z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  z
    .string()
    .regex(RFC3339_RE, 'must be an RFC 3339 timestamp with offset')
    .transform((s, ctx) => {
      const ms = Date.parse(s.replace(' ', 'T'));
      if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: 'not a real date' });
      return ms;
    }),
], { error: 'must be integer epoch milliseconds or an RFC 3339 string with offset' });

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text fields must be well-formed Unicode: SQLite stores a lone surrogate as U+FFFD, so two different
 * ill-formed `boot` values would become one stream in the file but two in memory.
 */
const text = (max: number) => z.string().max(max).refine((s) => !LONE_SURROGATE_RE.test(s), { error: 'contains a lone surrogate (not well-formed Unicode)' });

const common = {
  ts: tsSchema,
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  boot: text(64).optional(),
};

export const cyclePayloadSchema = z.object({
  ...common,
  unit: text(64).optional(),
  cycle_ms: z.number().min(0).lt(86_400_000).optional(),
  result: z.enum(['ok', 'ng']).optional(),
  reason: text(128).optional(),
});

export const statePayloadSchema = z.object({
  ...common,
  state: z.enum(STATION_STATES),
  reason: text(128).optional(),
});

/** One stored telemetry event. Identity: (line, station, boot, seq, ts). */
export interface TelemetryEvent {
  line: string;
  station: string;
  kind: EventKind;
  ts: number;
  seq: number;
  boot: string;
  unit?: string;
  cycleMs?: number;
  ok?: boolean;
  state?: StationState;
  reason?: string;
}

export interface TopicParts {
  site: string;
  line: string;
  station: string;
  event: string;
}

export interface TopicMatcher {
  /** The one subscription: the pattern with the site filled in and `+` in every other named level. */
  subscription: string;
  match(topic: string): TopicParts | TopicRefusal;
}

/** Why a topic is refused: the English (the quarantine reason) and its words. */
export interface TopicRefusal {
  error: string;
  words: Words;
}

const refuseTopic = (words: Words): TopicRefusal => ({ error: english(words), words });

export function topicMatcher(pattern: string, site: string): TopicMatcher {
  const levels = pattern.split('/');
  const subscription = levels.map((l) => (l === '{site}' ? site : l.startsWith('{') ? '+' : l)).join('/');
  return {
    subscription,
    match(topic) {
      const parts = topic.split('/');
      if (parts.length !== levels.length) return refuseTopic({ key: 'quarantine.topic_levels', params: { levels: parts.length, pattern, expected: levels.length } });
      const out: Record<string, string> = {};
      for (let i = 0; i < levels.length; i++) {
        const lv = levels[i];
        const v = parts[i];
        if (lv.startsWith('{')) {
          const key = lv.slice(1, -1);
          if (key !== 'event' && !NAME_RE.test(v)) return refuseTopic({ key: 'quarantine.bad_name', params: { part: key } });
          out[key] = v;
        } else if (lv !== v) {
          return refuseTopic({ key: 'quarantine.topic_level', params: { level: i + 1, value: v, want: lv } });
        }
      }
      if (out.site !== site) return refuseTopic({ key: 'quarantine.wrong_site', params: { site: out.site, expected: site } });
      return out as unknown as TopicParts;
    },
  };
}

/** A refused payload: `reason` is the English of `words` (the quarantine reason, CONTRACT §1.4). */
export type ParseResult = { ok: true; event: TelemetryEvent } | { ok: false; reason: string; words: Words };

const refusePayload = (words: Words): ParseResult => ({ ok: false, reason: english(words), words });

export interface ParseLimits {
  /** Receiving machine's clock, epoch ms. */
  now: number;
  /** Events older than this (raw-data retention) are refused. */
  oldestTs: number;
}

/**
 * Checks a decoded payload for one topic. The caller has already checked size and UTF-8;
 * this turns JSON text into an event or a reason a person can act on.
 */
export function parsePayload(parts: Pick<TopicParts, 'line' | 'station' | 'event'>, text: string, limits: ParseLimits): ParseResult {
  if (parts.event !== 'cycle' && parts.event !== 'state') return refusePayload({ key: 'quarantine.unknown_event' });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refusePayload({ key: 'quarantine.invalid_json' });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return refusePayload({ key: 'quarantine.not_object' });
  const base = { line: parts.line, station: parts.station };
  let event: TelemetryEvent;
  if (parts.event === 'cycle') {
    const r = cyclePayloadSchema.safeParse(json);
    if (!r.success) return refusePayload(issueWords(r.error, 'quarantine.field'));
    const p = r.data;
    event = { ...base, kind: 'cycle', ts: p.ts, seq: p.seq, boot: p.boot ?? '', unit: p.unit, cycleMs: p.cycle_ms, ok: p.result !== 'ng', reason: p.reason };
  } else {
    const r = statePayloadSchema.safeParse(json);
    if (!r.success) return refusePayload(issueWords(r.error, 'quarantine.field'));
    const p = r.data;
    event = { ...base, kind: 'state', ts: p.ts, seq: p.seq, boot: p.boot ?? '', state: p.state, reason: p.reason };
  }
  if (event.ts > limits.now + MAX_FUTURE_MS) {
    // Beyond year 275760 a Date has no ISO form (toISOString throws): the number itself is shown then.
    const time = event.ts <= MAX_DATE_MS ? new Date(event.ts).toISOString() : String(event.ts);
    return refusePayload({ key: 'quarantine.future', params: { time } });
  }
  if (event.ts < limits.oldestTs) return refusePayload({ key: event.ts < 1e11 ? 'quarantine.too_old_seconds' : 'quarantine.too_old' });
  return { ok: true, event };
}

/** Canonical identity string, for in-memory sets and logs. */
export function identityKey(e: Pick<TelemetryEvent, 'line' | 'station' | 'boot' | 'seq' | 'ts'>): string {
  return `${e.line}\u0000${e.station}\u0000${e.boot}\u0000${e.seq}\u0000${e.ts}`;
}
