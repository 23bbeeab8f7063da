// The plant configuration (CONTRACT §3): one schema, used by the CLI, the desktop Settings and tests.
import { z } from 'zod';
import { IANAZone } from 'luxon';
import { NAME_RE, issueProblems } from './validation.ts';
import { WEEKDAYS, isRealDate, minutesOf } from './dates.ts';
import { lossThresholdsOf } from './losses.ts';
import { ROLE_ORDER } from './api.ts';
import type { ConfigProblem } from './api.ts';
import { configProblemWords, english, type WordKey, type WordParam } from './words.ts';

export { WEEKDAYS, isRealDate, minutesOf, type Weekday } from './dates.ts';

/** A rule's message: the English of its words (shared/words.ts 'config.*'), found again from it by `parseConfig`. */
function say(key: WordKey & `config.${string}`, params?: Record<string, WordParam>): string {
  return english(params ? { key, params } : { key });
}

const HHMM_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
const hhmm = z.string().regex(HHMM_RE, say('config.hhmm'));
const name = z.string().regex(NAME_RE, say('config.name'));

const breakSchema = z.strictObject({ start: hhmm, end: hhmm });

const weekday = z.enum(WEEKDAYS, { error: (i) => say('config.weekday', { value: JSON.stringify(i.input) ?? String(i.input), weekdays: WEEKDAYS.join(', ') }) });

/** A production date YYYY-MM-DD that exists on the calendar (no 2026-02-30). */
export const productionDate = z.string().refine(isRealDate, { error: (i) => say('config.date', { value: JSON.stringify(i.input) ?? String(i.input) }) });

const shiftSchema = z.strictObject({
  name: z.string().min(1).max(32),
  start: hhmm,
  end: hhmm,
  breaks: z.array(breakSchema).default([]),
  /** The weekdays the shift runs on (CONTRACT §2.2). */
  days: z.array(weekday).min(1, say('config.no_days')).default([...WEEKDAYS]),
});

const calendarSchema = z.strictObject({
  /** Production dates on which no shift runs. */
  holidays: z.array(productionDate).default([]),
  /** Make-up working days: the shifts of weekday `as` run on `date`, holidays notwithstanding. */
  workdays: z.array(z.strictObject({ date: productionDate, as: weekday })).default([]),
});

const lineSchema = z.strictObject({
  id: name,
  name: z.string().min(1).max(128),
  targetTaktS: z.number().positive().max(86_400),
  idealCycleS: z.number().positive().max(86_400).optional(),
  outputStation: name,
  stations: z.array(name).min(1).max(200),
  /** A takt interval longer than this (but not a stop) is a small stop; default 2 × targetTaktS (CONTRACT §2.4). */
  smallStopAfterS: z.number().positive().max(86_400).optional(),
  /** Longer than this with no unit and no station down is an unreported stop; default max(120, 5 × targetTaktS). */
  stopAfterS: z.number().positive().max(86_400).optional(),
});

/** The plant's reasons for stops and rejects that operators pick from (free text is allowed too). */
const reasonSchema = z.strictObject({
  code: z.string().min(1).max(64).refine((c) => c.trim() === c, say('config.spaces')),
  label: z.string().min(1).max(128),
  labelZh: z.string().min(1).max(128).optional(),
  kind: z.enum(['down', 'reject']),
});


/** Andon thresholds (CONTRACT §6.1); per line where it matters. */
const alertThresholds = {
  /** A station down longer than this raises line_down. */
  downAfterS: z.number().positive().max(86_400),
  /** Shift units short of the target so far by more than this many minutes of output at target: behind_plan. */
  behindPlanMin: z.number().positive().max(24 * 60),
  /** Rolling takt over target by more than this percentage… */
  slowPct: z.number().positive().max(1000),
  /** …for this long: slow_takt. */
  slowForS: z.number().positive().max(86_400),
};
const alertsSchema = z.strictObject({
  downAfterS: alertThresholds.downAfterS.default(60),
  behindPlanMin: alertThresholds.behindPlanMin.default(5),
  slowPct: alertThresholds.slowPct.default(10),
  slowForS: alertThresholds.slowForS.default(300),
  /** Seconds open after which the level rises to 1, 2, 3 (the first is 0: an alert opens at level 1). */
  escalateAfterS: z
    .array(z.number().min(0).max(7 * 86_400))
    .length(3, say('config.escalate_three'))
    .refine((a) => a[0] === 0 && a[0] <= a[1] && a[1] <= a[2], say('config.escalate_order'))
    .default([0, 600, 1800]),
  /** A line whose seq gaps stop growing for this long has its telemetry_gap closed. */
  gapQuietS: z.number().positive().max(86_400).default(600),
  /** Levels whose alerts sound (1–3); none by default. */
  soundLevels: z.array(z.union([z.literal(1), z.literal(2), z.literal(3)])).max(3).default([]),
  /** Per line: the same thresholds, overriding the plant's. */
  lines: z.record(z.string(), z.strictObject({ downAfterS: alertThresholds.downAfterS.optional(), behindPlanMin: alertThresholds.behindPlanMin.optional(), slowPct: alertThresholds.slowPct.optional(), slowForS: alertThresholds.slowForS.optional() })).default({}),
});

/** Which line feeds which (issue 11): `perUnit` units of `from` go into each unit of `to` (cells per vehicle). */
const feedSchema = z.strictObject({ from: name, to: name, perUnit: z.number().positive().max(1_000_000) });

/** Access to the browser shell (CONTRACT §6.2): tokens as SHA-256 hashes, never the tokens themselves. */
const accessSchema = z.strictObject({
  tokens: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(64),
        role: z.enum(ROLE_ORDER),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, say('config.sha256')),
      }),
    )
    .max(200)
    .default([]),
});

const brokerSchema = z.strictObject({
  url: z.string().regex(/^(mqtts?|wss?):\/\/[^\s/]+/, say('config.broker_url')).default('mqtt://127.0.0.1:1883'),
  clientId: z.string().min(1).max(64).optional(),
  username: z.string().max(256).default(''),
  /** File holding the password (never the password itself: the config file is not a secret store). */
  passwordFile: z.string().optional(),
  topicPattern: z.string().default('factory/{site}/{line}/{station}/{event}'),
  /** 4 = MQTT 3.1.1, 5 = MQTT 5 (session expiry). */
  protocolVersion: z.union([z.literal(4), z.literal(5)]).default(5),
  keepaliveS: z.number().int().min(1).max(3600).default(10),
  /** MQTT 5 session expiry; must be > 0 or the broker drops the persistent session at disconnect. */
  sessionExpiryS: z.number().int().min(1).max(4_294_967_295).default(7 * 24 * 3600),
  ca: z.string().optional(),
  cert: z.string().optional(),
  key: z.string().optional(),
  rejectUnauthorized: z.boolean().default(true),
});

const retentionSchema = z.strictObject({
  rawDays: z.number().int().min(1).max(3650).default(35),
  quarantineRows: z.number().int().min(10).max(1_000_000).default(1000),
});

const storageSchema = z.strictObject({
  /** NORMAL survives an app crash; FULL also survives a power cut, at a lower commit rate. */
  synchronous: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  backupEveryH: z.number().min(0).max(24 * 30).default(24),
  backupsKept: z.number().int().min(0).max(365).default(7),
});

// ---- inputs (issue 12): Sparkplug B and tag streams from PLC gateways, turned into cycle and state events ----

/** Sparkplug group, edge node and device ids, Neuron node and group names: MQTT topic levels, no wildcards. */
const inputLevel = z.string().min(1).max(128).regex(/^[^/+#]+$/, say('config.topic_level'));
/** A metric or tag name as the gateway publishes it (Sparkplug names may hold "/"). */
const signalName = z.string().min(1).max(256);
const INPUT_STATES = ['running', 'idle', 'starved', 'blocked', 'down', 'changeover', 'planned_stop'] as const;
const inputStateSchema = z.enum(INPUT_STATES, { error: (i) => say('config.not_a_state', { value: JSON.stringify(i.input) ?? String(i.input), states: INPUT_STATES.join(', ') }) });
/** What a source's metrics or tags mean: counters become cycle events, the state value state events. */
const inputSignalsSchema = z.strictObject({
  /** Counts finished units: an increase by k between two samples is k units, spread evenly between their timestamps. */
  partCounter: signalName,
  /** "all": partCounter counts every unit, rejectCounter's increases mark some of them ng; "good": rejects are units of their own. */
  partCounterCounts: z.enum(['all', 'good']).default('all'),
  rejectCounter: signalName.optional(),
  /** After a counter decreases (a reset): "from-zero" counts its new value as units made since the reset; "none" counts none. */
  onReset: z.enum(['from-zero', 'none']).default('from-zero'),
  /** A larger increase in one sample is not spread into units: it is counted as a jump and shown as a gap of that many units. */
  maxUnitsPerSample: z.number().int().min(1).max(1_000_000).default(10_000),
  state: signalName.optional(),
  /** The state value (as text: 1, "RUN", true) → state; without it the value must be a state's name. */
  stateValues: z.record(z.string(), inputStateSchema).optional(),
  reason: signalName.optional(),
  /** The reason value (as text) → reason text; other values are kept as they come. */
  reasonValues: z.record(z.string(), z.string().min(1).max(128)).optional(),
  cycleTime: signalName.optional(),
  cycleTimeUnit: z.enum(['ms', 's']).default('ms'),
  /** The product or model being made: shown in Diagnostics. */
  product: signalName.optional(),
});
const inputTarget = { line: name, station: name, signals: inputSignalsSchema };
const sparkplugInputSchema = z.strictObject({
  id: name,
  kind: z.literal('sparkplug'),
  /** Subscribed as spBv1.0/{group}/#. */
  groups: z.array(inputLevel.refine((g) => g !== 'STATE', say('config.state_reserved'))).min(1).max(50),
  /** Publish Sparkplug 3.0 STATE (spBv1.0/STATE/{primaryHostId}, retained, with a will) as the primary host application. */
  primaryHostId: inputLevel.optional(),
  /** A rebirth (NCMD Node Control/Rebirth) is requested at most this often per edge node. */
  rebirthEveryS: z.number().min(0.1).max(3600).default(5),
  /** Births of many metrics are large: payloads up to this size are decoded. */
  maxPayloadBytes: z.number().int().min(1024).max(1024 * 1024).default(256 * 1024),
  /** (group, edge node, device) → line and station; no device = the edge node's own metrics (NBIRTH/NDATA). */
  sources: z.array(z.strictObject({ group: inputLevel, node: inputLevel, device: inputLevel.optional(), ...inputTarget })).min(1).max(5000),
});
const tagsInputSchema = z.strictObject({
  id: name,
  kind: z.literal('tags'),
  /** Topic with literal levels, "+", and {node} / {group} levels (then taken from the topic), e.g. "neuron/{node}". */
  topic: z.string().min(1).max(512),
  /** "neuron": {"timestamp", "node", "group", "values": {...}, "errors": {...}}; "flat": {tag: value, …, [timestampField]: …}. */
  format: z.enum(['neuron', 'flat']),
  timestampField: z.string().min(1).max(128).default('timestamp'),
  /** Integer epoch milliseconds or seconds; an RFC 3339 string is read as such either way. */
  timestampUnit: z.enum(['ms', 's']).default('ms'),
  /** A tag (or flat field) that goes up by one per sample: a jump is recorded as a gap, so lost samples are visible. */
  seqTag: signalName.optional(),
  maxPayloadBytes: z.number().int().min(1024).max(1024 * 1024).default(64 * 1024),
  /** (node, group) → line and station; a level left out matches any. */
  sources: z.array(z.strictObject({ node: inputLevel.optional(), group: inputLevel.optional(), ...inputTarget })).min(1).max(5000),
});
const inputSchema = z.discriminatedUnion('kind', [sparkplugInputSchema, tagsInputSchema]);
const inputsSchema = z
  .array(inputSchema)
  .max(50)
  .superRefine((inputs, ctx) => {
    const ids = new Set<string>();
    // One MQTT connection has one will: the primary host's STATE death.
    const hosts = inputs.filter((x) => x.kind === 'sparkplug' && x.primaryHostId !== undefined);
    if (hosts.length > 1) ctx.addIssue({ code: 'custom', path: [inputs.indexOf(hosts[1]), 'primaryHostId'], message: say('config.one_primary_host') });
    inputs.forEach((input, i) => {
      if (ids.has(input.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: say('config.duplicate_input', { id: input.id }) });
      ids.add(input.id);
      const where = new Map<string, number>();
      input.sources.forEach((s, j) => {
        const key = input.kind === 'sparkplug' ? `${s.group}\u0000${(s as { node: string }).node}\u0000${(s as { device?: string }).device ?? ''}` : `${s.node ?? '*'}\u0000${s.group ?? '*'}`;
        if (where.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'sources', j], message: say('config.same_source', { index: where.get(key)! }) });
        where.set(key, j);
        if (input.kind === 'sparkplug' && !input.groups.includes(s.group as string)) {
          ctx.addIssue({ code: 'custom', path: [i, 'sources', j, 'group'], message: say('config.not_a_group', { group: String(s.group) }) });
        }
        if (s.signals.partCounterCounts === 'good' && !s.signals.rejectCounter) {
          ctx.addIssue({ code: 'custom', path: [i, 'sources', j, 'signals', 'partCounterCounts'], message: say('config.good_needs_reject') });
        }
        if ((s.signals.stateValues || s.signals.reason) && !s.signals.state) {
          ctx.addIssue({ code: 'custom', path: [i, 'sources', j, 'signals', 'state'], message: say('config.state_needed') });
        }
      });
      if (input.kind === 'tags') {
        const levels = input.topic.split('/');
        levels.forEach((l, k) => {
          const ok = l === '+' || l === '{node}' || l === '{group}' || (l === '#' && k === levels.length - 1) || !/[+#{}]/.test(l);
          if (!ok) ctx.addIssue({ code: 'custom', path: [i, 'topic'], message: say('config.tag_level', { level: k + 1, value: l }) });
        });
        if (levels.filter((l) => l === '{node}').length > 1 || levels.filter((l) => l === '{group}').length > 1) {
          ctx.addIssue({ code: 'custom', path: [i, 'topic'], message: say('config.tag_once') });
        }
      }
    });
  });
export type InputConfig = z.output<typeof inputSchema>;
export type SparkplugInputConfig = z.output<typeof sparkplugInputSchema>;
export type TagsInputConfig = z.output<typeof tagsInputSchema>;
export type InputSignals = z.output<typeof inputSignalsSchema>;

export const configSchema = z
  .strictObject({
    site: name,
    timezone: z.string().default('Asia/Shanghai'),
    broker: brokerSchema.default(brokerSchema.parse({})),
    lines: z.array(lineSchema).min(1).max(500),
    shifts: z.array(shiftSchema).min(1).max(24),
    retention: retentionSchema.default(retentionSchema.parse({})),
    storage: storageSchema.default(storageSchema.parse({})),
    /** Sparkplug B and tag-stream sources (issue 12); none by default. */
    inputs: inputsSchema.default([]),
    /** Folder to write each finished production day's CSV to; off when absent. */
    autoExportDir: z.string().optional(),
    calendar: calendarSchema.default(calendarSchema.parse({})),
    reasons: z.array(reasonSchema).max(1000).default([]),
    alerts: alertsSchema.default(alertsSchema.parse({})),
    feeds: z.array(feedSchema).max(100).default([]),
    access: accessSchema.default(accessSchema.parse({})),
  })
  .superRefine((c, ctx) => {
    if (!IANAZone.isValidZone(c.timezone)) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: say('config.timezone', { timezone: c.timezone }) });
    }
    const p = c.broker.topicPattern;
    const segs = p.split('/');
    for (const key of ['{site}', '{line}', '{station}', '{event}']) {
      if (segs.filter((s) => s === key).length !== 1) {
        ctx.addIssue({ code: 'custom', path: ['broker', 'topicPattern'], message: say('config.pattern_once', { placeholder: key }) });
      }
    }
    if (segs.some((s) => s === '' || /[+#]/.test(s) || (s.includes('{') && !/^\{(site|line|station|event)\}$/.test(s)))) {
      ctx.addIssue({ code: 'custom', path: ['broker', 'topicPattern'], message: say('config.pattern_levels') });
    }
    const ids = new Set<string>();
    c.lines.forEach((l, i) => {
      if (ids.has(l.id)) ctx.addIssue({ code: 'custom', path: ['lines', i, 'id'], message: say('config.duplicate_line', { id: l.id }) });
      ids.add(l.id);
      if (new Set(l.stations).size !== l.stations.length) {
        ctx.addIssue({ code: 'custom', path: ['lines', i, 'stations'], message: say('config.duplicate_stations') });
      }
      const { T, S, L } = lossThresholdsOf(l);
      // A target that is itself wrong is reported as such, not as a threshold below it.
      if (T > 0 && !(T < S)) ctx.addIssue({ code: 'custom', path: ['lines', i, 'smallStopAfterS'], message: say('config.more_than_takt', { value: T }) });
      else if (T > 0 && !(S < L)) ctx.addIssue({ code: 'custom', path: ['lines', i, 'stopAfterS'], message: say('config.more_than_small_stop', { value: S }) });
      if (!l.stations.includes(l.outputStation)) {
        ctx.addIssue({ code: 'custom', path: ['lines', i, 'outputStation'], message: say('config.not_a_station', { station: l.outputStation }) });
      }
    });
    const shiftNames = new Set<string>();
    c.shifts.forEach((s, i) => {
      if (shiftNames.has(s.name) || s.name === 'ALL') {
        ctx.addIssue({ code: 'custom', path: ['shifts', i, 'name'], message: s.name === 'ALL' ? say('config.all_reserved') : say('config.duplicate_shift', { name: s.name }) });
      }
      shiftNames.add(s.name);
      if (new Set(s.days).size !== s.days.length) ctx.addIssue({ code: 'custom', path: ['shifts', i, 'days'], message: say('config.day_twice') });
      s.breaks.forEach((b, j) => {
        if (!breakInsideShift(s, b)) {
          ctx.addIssue({ code: 'custom', path: ['shifts', i, 'breaks', j], message: say('config.break_outside', { start: b.start, end: b.end, shiftStart: s.start, shiftEnd: s.end }) });
        }
      });
    });
    const codes = new Set<string>();
    c.reasons.forEach((r, i) => {
      const key = `${r.kind}\u0000${r.code}`;
      if (codes.has(key)) ctx.addIssue({ code: 'custom', path: ['reasons', i, 'code'], message: say(r.kind === 'down' ? 'config.down_reason_twice' : 'config.reject_reason_twice', { code: r.code }) });
      codes.add(key);
    });
    for (const id of Object.keys(c.alerts.lines)) {
      if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['alerts', 'lines', id], message: say('config.not_a_line', { line: id }) });
    }
    c.feeds.forEach((f, i) => {
      if (!ids.has(f.from)) ctx.addIssue({ code: 'custom', path: ['feeds', i, 'from'], message: say('config.not_a_line', { line: f.from }) });
      if (!ids.has(f.to)) ctx.addIssue({ code: 'custom', path: ['feeds', i, 'to'], message: say('config.not_a_line', { line: f.to }) });
      if (f.from === f.to) ctx.addIssue({ code: 'custom', path: ['feeds', i, 'to'], message: say('config.feeds_itself') });
    });
    const tokenNames = new Set<string>();
    c.access.tokens.forEach((t, i) => {
      if (tokenNames.has(t.name)) ctx.addIssue({ code: 'custom', path: ['access', 'tokens', i, 'name'], message: say('config.duplicate_token', { name: t.name }) });
      tokenNames.add(t.name);
    });
    const holidays = new Set<string>();
    c.calendar.holidays.forEach((d, i) => {
      if (holidays.has(d)) ctx.addIssue({ code: 'custom', path: ['calendar', 'holidays', i], message: say('config.listed_twice', { date: d }) });
      holidays.add(d);
    });
    const workdays = new Set<string>();
    c.calendar.workdays.forEach((w, i) => {
      if (workdays.has(w.date)) ctx.addIssue({ code: 'custom', path: ['calendar', 'workdays', i, 'date'], message: say('config.listed_twice', { date: w.date }) });
      if (holidays.has(w.date)) ctx.addIssue({ code: 'custom', path: ['calendar', 'workdays', i, 'date'], message: say('config.holiday_and_workday', { date: w.date }) });
      workdays.add(w.date);
    });
  });

export type Config = z.output<typeof configSchema>;
export type ReasonConfig = Config['reasons'][number];
export type AccessToken = Config['access']['tokens'][number];
export type AlertsConfig = Config['alerts'];
export type FeedConfig = Config['feeds'][number];
export type ConfigInput = z.input<typeof configSchema>;
export type LineConfig = Config['lines'][number];
export type ShiftConfig = Config['shifts'][number];
export type BreakConfig = ShiftConfig['breaks'][number];

/** Offsets of a shift and a break in minutes from the shift start, so midnight crossings are plain numbers. */
function breakInsideShift(s: { start: string; end: string }, b: { start: string; end: string }): boolean {
  const start = minutesOf(s.start);
  const len = (minutesOf(s.end) - start + 1440) % 1440 || 1440;
  const bs = (minutesOf(b.start) - start + 1440) % 1440;
  const blen = (minutesOf(b.end) - minutesOf(b.start) + 1440) % 1440;
  return blen > 0 && bs + blen <= len;
}

/** A configuration, or why not: `errors` "path: message" each (the CLI, logs, the audit). */
export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };
/** parseConfig's: the errors also as `problems`, each with its field's path and its message's words (Settings). */
export type ConfigParse = { ok: true; config: Config } | { ok: false; errors: string[]; problems: ConfigProblem[] };

/** Checks an already-parsed JSON value; every error names the field it is about. */
export function parseConfig(value: unknown): ConfigParse {
  const r = configSchema.safeParse(value);
  if (r.success) return { ok: true, config: r.data };
  const problems = issueProblems(r.error, configProblemWords);
  return { ok: false, errors: problems.map((p) => `${p.path}: ${p.message}`), problems };
}

/** The two lines of the contract: a 1 s battery-cell line and a 60 s vehicle-assembly line, three shifts. */
export const DEMO_CONFIG_INPUT: ConfigInput = {
  site: 'chongqing',
  timezone: 'Asia/Shanghai',
  broker: { url: 'mqtt://127.0.0.1:1883', clientId: 'taktboard-demo', topicPattern: 'factory/{site}/{line}/{station}/{event}', protocolVersion: 4 },
  lines: [
    { id: 'yibin-cell-1', name: 'Yibin cell line 1 · 宜宾电芯1线', targetTaktS: 1, outputStation: 'grading', stations: ['coating', 'winding', 'assembly', 'formation', 'grading'] },
    { id: 'yubei-assembly-1', name: 'Yubei vehicle assembly 1 · 渝北总装1线', targetTaktS: 60, outputStation: 'eol-test', stations: ['body', 'paint', 'trim', 'chassis', 'final', 'eol-test'] },
  ],
  shifts: [
    { name: 'A', start: '06:00', end: '14:00', breaks: [{ start: '10:00', end: '10:30' }] },
    { name: 'B', start: '14:00', end: '22:00', breaks: [{ start: '18:00', end: '18:30' }] },
    { name: 'C', start: '22:00', end: '06:00', breaks: [{ start: '02:00', end: '02:30' }] },
  ],
};

/** For configurations written in code (the demo's, tests', the bench's): a bad one is a bug, thrown with its errors. */
export function configOrThrow(input: unknown): Config {
  const r = parseConfig(input);
  if (!r.ok) throw new Error(`invalid configuration: ${r.errors.join('; ')}`);
  return r.config;
}

export function demoConfig(): Config {
  return configOrThrow(DEMO_CONFIG_INPUT);
}
