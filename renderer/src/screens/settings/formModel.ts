// The Settings form as data (issue 13): the configuration (CONTRACT §3, shared/config.ts) held the way a
// form edits it — every number as the text typed, every optional field as "absent" or a value, every map as
// rows — and back. Pure functions, no React: `formToConfig(configToForm(c))` gives back any valid
// configuration `c` unchanged (tests/unit/renderer-settings.test.ts checks it with generated configurations).
//
// The engine's schema stays the one judge: what the form sends is checked by `checkConfig`, and a value the
// form cannot read as a number is sent as the text typed, so the engine refuses it naming the field.
// The renderer never bundles the schema library: only types come from shared/config.ts, and the defaults
// below mirror the schema's (the same test checks them against `parseConfig`).
import type { Config } from '../../../../shared/config.ts';
import { configExportText } from '../../../../shared/config-export.ts';
import { WEEKDAYS } from '../../../../shared/dates.ts';

/** A number as typed in a field: '' is "not set" where the field is optional. */
export type NumText = string;
/** An optional text: null is "not set" ('' may be a value of its own, e.g. a path given as empty). */
export type OptText = string | null;

export interface BrokerForm {
  url: string;
  clientId: OptText;
  username: string;
  passwordFile: OptText;
  topicPattern: string;
  protocolVersion: NumText;
  keepaliveS: NumText;
  sessionExpiryS: NumText;
  ca: OptText;
  cert: OptText;
  key: OptText;
  rejectUnauthorized: boolean;
}

export interface LineForm {
  id: string;
  name: string;
  targetTaktS: NumText;
  idealCycleS: NumText;
  outputStation: string;
  stations: string[];
  smallStopAfterS: NumText;
  stopAfterS: NumText;
}

export interface ShiftForm {
  name: string;
  start: string;
  end: string;
  breaks: { start: string; end: string }[];
  days: string[];
}

export interface ReasonForm {
  code: string;
  label: string;
  labelZh: OptText;
  kind: string;
}

export interface AlertOverrideForm {
  line: string;
  downAfterS: NumText;
  behindPlanMin: NumText;
  slowPct: NumText;
  slowForS: NumText;
}

export interface AlertsForm {
  downAfterS: NumText;
  behindPlanMin: NumText;
  slowPct: NumText;
  slowForS: NumText;
  escalateAfterS: NumText[];
  gapQuietS: NumText;
  /** As configured (order and all); the check boxes write it sorted. */
  soundLevels: number[];
  lines: AlertOverrideForm[];
}

/** A map of the configuration (`stateValues`, `reasonValues`) as rows; null: the map is not set at all. */
export type PairRows = [string, string][] | null;

export interface SignalsForm {
  partCounter: string;
  partCounterCounts: string;
  rejectCounter: OptText;
  onReset: string;
  maxUnitsPerSample: NumText;
  state: OptText;
  stateValues: PairRows;
  reason: OptText;
  reasonValues: PairRows;
  cycleTime: OptText;
  cycleTimeUnit: string;
  product: OptText;
}

export interface SparkplugSourceForm {
  group: string;
  node: string;
  device: OptText;
  line: string;
  station: string;
  signals: SignalsForm;
}

export interface TagsSourceForm {
  node: OptText;
  group: OptText;
  line: string;
  station: string;
  signals: SignalsForm;
}

export interface SparkplugInputForm {
  kind: 'sparkplug';
  id: string;
  groups: string[];
  primaryHostId: OptText;
  rebirthEveryS: NumText;
  maxPayloadBytes: NumText;
  sources: SparkplugSourceForm[];
}

export interface TagsInputForm {
  kind: 'tags';
  id: string;
  topic: string;
  format: string;
  timestampField: string;
  timestampUnit: string;
  seqTag: OptText;
  maxPayloadBytes: NumText;
  sources: TagsSourceForm[];
}

export type InputForm = SparkplugInputForm | TagsInputForm;

export interface FormModel {
  site: string;
  timezone: string;
  broker: BrokerForm;
  lines: LineForm[];
  shifts: ShiftForm[];
  retention: { rawDays: NumText; quarantineRows: NumText };
  storage: { synchronous: string; backupEveryH: NumText; backupsKept: NumText };
  inputs: InputForm[];
  autoExportDir: OptText;
  calendar: { holidays: string[]; workdays: { date: string; as: string }[] };
  reasons: ReasonForm[];
  alerts: AlertsForm;
  feeds: { from: string; to: string; perUnit: NumText }[];
  access: { tokens: { name: string; role: string; sha256: string }[] };
  /** Top-level fields this form does not know (a newer engine's): kept and sent back as they came. */
  extra: Record<string, unknown>;
}

/** The configuration's top-level fields the form edits (a test compares them with the schema's). */
export const FORM_FIELDS = ['site', 'timezone', 'broker', 'lines', 'shifts', 'retention', 'storage', 'inputs', 'autoExportDir', 'calendar', 'reasons', 'alerts', 'feeds', 'access'] as const;

// ---- numbers ------------------------------------------------------------------------------------

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A number as the form shows it: the shortest text that reads back as the same number (-0 included). */
export function numText(n: number): NumText {
  return Object.is(n, -0) ? '-0' : String(n);
}

/** The typed text as a number, or (not a number) the text itself, for the engine to refuse by its field. */
export function toNumber(text: NumText): number | string {
  const s = text.trim();
  return NUMBER_RE.test(s) ? Number(s) : text;
}

/** Whether the text reads as a number at all (the form marks the field at once; the engine says why). */
export function isNumberText(text: NumText): boolean {
  return NUMBER_RE.test(text.trim());
}

// ---- defaults (the schema's, shared/config.ts) ------------------------------------------------------

export const DEFAULT_TOPIC_PATTERN = 'factory/{site}/{line}/{station}/{event}';
export const DEFAULTS = {
  timezone: 'Asia/Shanghai',
  broker: {
    url: 'mqtt://127.0.0.1:1883',
    username: '',
    topicPattern: DEFAULT_TOPIC_PATTERN,
    protocolVersion: 5,
    keepaliveS: 10,
    sessionExpiryS: 7 * 24 * 3600,
    rejectUnauthorized: true,
  },
  retention: { rawDays: 35, quarantineRows: 1000 },
  storage: { synchronous: 'NORMAL', backupEveryH: 24, backupsKept: 7 },
  alerts: { downAfterS: 60, behindPlanMin: 5, slowPct: 10, slowForS: 300, escalateAfterS: [0, 600, 1800], gapQuietS: 600 },
  signals: { partCounterCounts: 'all', onReset: 'from-zero', maxUnitsPerSample: 10_000, cycleTimeUnit: 'ms' },
  sparkplug: { rebirthEveryS: 5, maxPayloadBytes: 256 * 1024 },
  tags: { timestampField: 'timestamp', timestampUnit: 'ms', maxPayloadBytes: 64 * 1024 },
} as const;

// ---- configuration → form (tolerant: an imported file may leave out what has a default) ---------------

type Obj = Record<string, unknown>;

class Reader {
  /** Fields the form does not know, by path (an import says which it left out). */
  readonly ignored: string[] = [];

  obj(v: unknown, path: string, known: readonly string[]): Obj {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
    for (const k of Object.keys(v)) if (!known.includes(k)) this.ignored.push(path ? `${path}.${k}` : k);
    return v as Obj;
  }

  list(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
  }
}

function text(v: unknown, fallback = ''): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return fallback;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function optText(v: unknown): OptText {
  return v === undefined ? null : text(v);
}

function num(v: unknown, fallback?: number): NumText {
  if (typeof v === 'number') return numText(v);
  if (v === undefined) return fallback === undefined ? '' : numText(fallback);
  return text(v);
}

function texts(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => text(x)) : [];
}

function pairs(v: unknown): PairRows {
  if (v === undefined) return null;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [];
  return Object.entries(v as Obj).map(([k, x]) => [k, text(x)]);
}

const LINE_KEYS = ['id', 'name', 'targetTaktS', 'idealCycleS', 'outputStation', 'stations', 'smallStopAfterS', 'stopAfterS'] as const;
const BROKER_KEYS = ['url', 'clientId', 'username', 'passwordFile', 'topicPattern', 'protocolVersion', 'keepaliveS', 'sessionExpiryS', 'ca', 'cert', 'key', 'rejectUnauthorized'] as const;
const SIGNAL_KEYS = ['partCounter', 'partCounterCounts', 'rejectCounter', 'onReset', 'maxUnitsPerSample', 'state', 'stateValues', 'reason', 'reasonValues', 'cycleTime', 'cycleTimeUnit', 'product'] as const;
const ALERT_KEYS = ['downAfterS', 'behindPlanMin', 'slowPct', 'slowForS', 'escalateAfterS', 'gapQuietS', 'soundLevels', 'lines'] as const;
const OVERRIDE_KEYS = ['downAfterS', 'behindPlanMin', 'slowPct', 'slowForS'] as const;

/** The keys of each object of the configuration the form edits, by schema path (for the coverage test). */
export const FORM_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': FORM_FIELDS,
  broker: BROKER_KEYS,
  'lines[]': LINE_KEYS,
  'shifts[]': ['name', 'start', 'end', 'breaks', 'days'],
  'shifts[].breaks[]': ['start', 'end'],
  retention: ['rawDays', 'quarantineRows'],
  storage: ['synchronous', 'backupEveryH', 'backupsKept'],
  calendar: ['holidays', 'workdays'],
  'calendar.workdays[]': ['date', 'as'],
  'reasons[]': ['code', 'label', 'labelZh', 'kind'],
  alerts: ALERT_KEYS,
  'alerts.lines{}': OVERRIDE_KEYS,
  'feeds[]': ['from', 'to', 'perUnit'],
  access: ['tokens'],
  'access.tokens[]': ['name', 'role', 'sha256'],
  'inputs[sparkplug]': ['id', 'kind', 'groups', 'primaryHostId', 'rebirthEveryS', 'maxPayloadBytes', 'sources'],
  'inputs[sparkplug].sources[]': ['group', 'node', 'device', 'line', 'station', 'signals'],
  'inputs[tags]': ['id', 'kind', 'topic', 'format', 'timestampField', 'timestampUnit', 'seqTag', 'maxPayloadBytes', 'sources'],
  'inputs[tags].sources[]': ['node', 'group', 'line', 'station', 'signals'],
  'inputs[].sources[].signals': SIGNAL_KEYS,
};

function readSignals(r: Reader, v: unknown, path: string): SignalsForm {
  const s = r.obj(v, path, SIGNAL_KEYS);
  const d = DEFAULTS.signals;
  return {
    partCounter: text(s.partCounter),
    partCounterCounts: text(s.partCounterCounts, d.partCounterCounts),
    rejectCounter: optText(s.rejectCounter),
    onReset: text(s.onReset, d.onReset),
    maxUnitsPerSample: num(s.maxUnitsPerSample, d.maxUnitsPerSample),
    state: optText(s.state),
    stateValues: pairs(s.stateValues),
    reason: optText(s.reason),
    reasonValues: pairs(s.reasonValues),
    cycleTime: optText(s.cycleTime),
    cycleTimeUnit: text(s.cycleTimeUnit, d.cycleTimeUnit),
    product: optText(s.product),
  };
}

function readInput(r: Reader, v: unknown, path: string): InputForm {
  const raw = v !== null && typeof v === 'object' ? (v as Obj) : {};
  if (raw.kind === 'tags') {
    const x = r.obj(v, path, FORM_KEYS['inputs[tags]']);
    const d = DEFAULTS.tags;
    return {
      kind: 'tags',
      id: text(x.id),
      topic: text(x.topic),
      format: text(x.format),
      timestampField: text(x.timestampField, d.timestampField),
      timestampUnit: text(x.timestampUnit, d.timestampUnit),
      seqTag: optText(x.seqTag),
      maxPayloadBytes: num(x.maxPayloadBytes, d.maxPayloadBytes),
      sources: r.list(x.sources).map((s, j) => {
        const p = `${path}.sources[${j}]`;
        const o = r.obj(s, p, FORM_KEYS['inputs[tags].sources[]']);
        return { node: optText(o.node), group: optText(o.group), line: text(o.line), station: text(o.station), signals: readSignals(r, o.signals, `${p}.signals`) };
      }),
    };
  }
  const x = r.obj(v, path, FORM_KEYS['inputs[sparkplug]']);
  const d = DEFAULTS.sparkplug;
  return {
    kind: 'sparkplug',
    id: text(x.id),
    groups: texts(x.groups),
    primaryHostId: optText(x.primaryHostId),
    rebirthEveryS: num(x.rebirthEveryS, d.rebirthEveryS),
    maxPayloadBytes: num(x.maxPayloadBytes, d.maxPayloadBytes),
    sources: r.list(x.sources).map((s, j) => {
      const p = `${path}.sources[${j}]`;
      const o = r.obj(s, p, FORM_KEYS['inputs[sparkplug].sources[]']);
      return { group: text(o.group), node: text(o.node), device: optText(o.device), line: text(o.line), station: text(o.station), signals: readSignals(r, o.signals, `${p}.signals`) };
    }),
  };
}

export interface Imported {
  form: FormModel;
  /** Fields of the file the form does not know (inside the sections it edits): left out. */
  ignored: string[];
}

/**
 * Any JSON value read as the form: what is missing takes the schema's default, what has the wrong type is
 * kept as text (the engine then names it). Used for the running configuration and for an imported file.
 */
export function readForm(value: unknown): Imported {
  const r = new Reader();
  const top = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(top)) if (!(FORM_FIELDS as readonly string[]).includes(k)) extra[k] = v;
  const b = r.obj(top.broker, 'broker', BROKER_KEYS);
  const db = DEFAULTS.broker;
  const ret = r.obj(top.retention, 'retention', FORM_KEYS.retention);
  const sto = r.obj(top.storage, 'storage', FORM_KEYS.storage);
  const cal = r.obj(top.calendar, 'calendar', FORM_KEYS.calendar);
  const al = r.obj(top.alerts, 'alerts', ALERT_KEYS);
  const da = DEFAULTS.alerts;
  const acc = r.obj(top.access, 'access', FORM_KEYS.access);
  const overrides = al.lines !== null && typeof al.lines === 'object' && !Array.isArray(al.lines) ? Object.entries(al.lines as Obj) : [];
  const form: FormModel = {
    site: text(top.site),
    timezone: text(top.timezone, DEFAULTS.timezone),
    broker: {
      url: text(b.url, db.url),
      clientId: optText(b.clientId),
      username: text(b.username, db.username),
      passwordFile: optText(b.passwordFile),
      topicPattern: text(b.topicPattern, db.topicPattern),
      protocolVersion: num(b.protocolVersion, db.protocolVersion),
      keepaliveS: num(b.keepaliveS, db.keepaliveS),
      sessionExpiryS: num(b.sessionExpiryS, db.sessionExpiryS),
      ca: optText(b.ca),
      cert: optText(b.cert),
      key: optText(b.key),
      rejectUnauthorized: typeof b.rejectUnauthorized === 'boolean' ? b.rejectUnauthorized : db.rejectUnauthorized,
    },
    lines: r.list(top.lines).map((v, i) => {
      const l = r.obj(v, `lines[${i}]`, LINE_KEYS);
      return {
        id: text(l.id),
        name: text(l.name),
        targetTaktS: num(l.targetTaktS),
        idealCycleS: num(l.idealCycleS),
        outputStation: text(l.outputStation),
        stations: texts(l.stations),
        smallStopAfterS: num(l.smallStopAfterS),
        stopAfterS: num(l.stopAfterS),
      };
    }),
    shifts: r.list(top.shifts).map((v, i) => {
      const s = r.obj(v, `shifts[${i}]`, FORM_KEYS['shifts[]']);
      return {
        name: text(s.name),
        start: text(s.start),
        end: text(s.end),
        breaks: r.list(s.breaks).map((x, j) => {
          const br = r.obj(x, `shifts[${i}].breaks[${j}]`, FORM_KEYS['shifts[].breaks[]']);
          return { start: text(br.start), end: text(br.end) };
        }),
        days: s.days === undefined ? [...WEEKDAYS] : texts(s.days),
      };
    }),
    retention: { rawDays: num(ret.rawDays, DEFAULTS.retention.rawDays), quarantineRows: num(ret.quarantineRows, DEFAULTS.retention.quarantineRows) },
    storage: {
      synchronous: text(sto.synchronous, DEFAULTS.storage.synchronous),
      backupEveryH: num(sto.backupEveryH, DEFAULTS.storage.backupEveryH),
      backupsKept: num(sto.backupsKept, DEFAULTS.storage.backupsKept),
    },
    inputs: r.list(top.inputs).map((v, i) => readInput(r, v, `inputs[${i}]`)),
    autoExportDir: optText(top.autoExportDir),
    calendar: {
      holidays: texts(cal.holidays),
      workdays: r.list(cal.workdays).map((v, i) => {
        const w = r.obj(v, `calendar.workdays[${i}]`, FORM_KEYS['calendar.workdays[]']);
        return { date: text(w.date), as: text(w.as) };
      }),
    },
    reasons: r.list(top.reasons).map((v, i) => {
      const x = r.obj(v, `reasons[${i}]`, FORM_KEYS['reasons[]']);
      return { code: text(x.code), label: text(x.label), labelZh: optText(x.labelZh), kind: text(x.kind) };
    }),
    alerts: {
      downAfterS: num(al.downAfterS, da.downAfterS),
      behindPlanMin: num(al.behindPlanMin, da.behindPlanMin),
      slowPct: num(al.slowPct, da.slowPct),
      slowForS: num(al.slowForS, da.slowForS),
      escalateAfterS: Array.isArray(al.escalateAfterS) ? al.escalateAfterS.map((x) => num(x)) : da.escalateAfterS.map(numText),
      gapQuietS: num(al.gapQuietS, da.gapQuietS),
      soundLevels: Array.isArray(al.soundLevels) ? al.soundLevels.map(Number) : [],
      lines: overrides.map(([line, v]) => {
        const o = r.obj(v, `alerts.lines.${line}`, OVERRIDE_KEYS);
        return { line, downAfterS: num(o.downAfterS), behindPlanMin: num(o.behindPlanMin), slowPct: num(o.slowPct), slowForS: num(o.slowForS) };
      }),
    },
    feeds: r.list(top.feeds).map((v, i) => {
      const f = r.obj(v, `feeds[${i}]`, FORM_KEYS['feeds[]']);
      return { from: text(f.from), to: text(f.to), perUnit: num(f.perUnit) };
    }),
    access: {
      tokens: r.list(acc.tokens).map((v, i) => {
        const x = r.obj(v, `access.tokens[${i}]`, FORM_KEYS['access.tokens[]']);
        return { name: text(x.name), role: text(x.role), sha256: text(x.sha256) };
      }),
    },
    extra,
  };
  return { form, ignored: r.ignored };
}

/** The running configuration (parsed, defaults filled in) as the form. */
export function configToForm(config: Config): FormModel {
  return readForm(config).form;
}

// ---- form → configuration ----------------------------------------------------------------------

/** What the form sends: the configuration's JSON (checked by the engine, never here). */
export type ConfigDraft = Record<string, unknown>;

/** An object without the fields left unset (undefined), so "not set" is a missing key as in the file. */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

const optNum = (t: NumText) => (t.trim() === '' ? undefined : toNumber(t));
const opt = (t: OptText) => (t === null ? undefined : t);
const fromPairs = (rows: PairRows) => (rows === null ? undefined : Object.fromEntries(rows));

function signalsOut(s: SignalsForm): Record<string, unknown> {
  return defined({
    partCounter: s.partCounter,
    partCounterCounts: s.partCounterCounts,
    rejectCounter: opt(s.rejectCounter),
    onReset: s.onReset,
    maxUnitsPerSample: toNumber(s.maxUnitsPerSample),
    state: opt(s.state),
    stateValues: fromPairs(s.stateValues),
    reason: opt(s.reason),
    reasonValues: fromPairs(s.reasonValues),
    cycleTime: opt(s.cycleTime),
    cycleTimeUnit: s.cycleTimeUnit,
    product: opt(s.product),
  });
}

function inputOut(x: InputForm): Record<string, unknown> {
  if (x.kind === 'tags') {
    return defined({
      id: x.id,
      kind: 'tags',
      topic: x.topic,
      format: x.format,
      timestampField: x.timestampField,
      timestampUnit: x.timestampUnit,
      seqTag: opt(x.seqTag),
      maxPayloadBytes: toNumber(x.maxPayloadBytes),
      sources: x.sources.map((s) => defined({ node: opt(s.node), group: opt(s.group), line: s.line, station: s.station, signals: signalsOut(s.signals) })),
    });
  }
  return defined({
    id: x.id,
    kind: 'sparkplug',
    groups: [...x.groups],
    primaryHostId: opt(x.primaryHostId),
    rebirthEveryS: toNumber(x.rebirthEveryS),
    maxPayloadBytes: toNumber(x.maxPayloadBytes),
    sources: x.sources.map((s) => defined({ group: s.group, node: s.node, device: opt(s.device), line: s.line, station: s.station, signals: signalsOut(s.signals) })),
  });
}

export function formToConfig(f: FormModel): ConfigDraft {
  const b = f.broker;
  return {
    ...f.extra,
    site: f.site,
    timezone: f.timezone,
    broker: defined({
      url: b.url,
      clientId: opt(b.clientId),
      username: b.username,
      passwordFile: opt(b.passwordFile),
      topicPattern: b.topicPattern,
      protocolVersion: toNumber(b.protocolVersion),
      keepaliveS: toNumber(b.keepaliveS),
      sessionExpiryS: toNumber(b.sessionExpiryS),
      ca: opt(b.ca),
      cert: opt(b.cert),
      key: opt(b.key),
      rejectUnauthorized: b.rejectUnauthorized,
    }),
    lines: f.lines.map((l) =>
      defined({
        id: l.id,
        name: l.name,
        targetTaktS: toNumber(l.targetTaktS),
        idealCycleS: optNum(l.idealCycleS),
        outputStation: l.outputStation,
        stations: [...l.stations],
        smallStopAfterS: optNum(l.smallStopAfterS),
        stopAfterS: optNum(l.stopAfterS),
      }),
    ),
    shifts: f.shifts.map((s) => ({ name: s.name, start: s.start, end: s.end, breaks: s.breaks.map((x) => ({ start: x.start, end: x.end })), days: [...s.days] })),
    retention: { rawDays: toNumber(f.retention.rawDays), quarantineRows: toNumber(f.retention.quarantineRows) },
    storage: { synchronous: f.storage.synchronous, backupEveryH: toNumber(f.storage.backupEveryH), backupsKept: toNumber(f.storage.backupsKept) },
    inputs: f.inputs.map(inputOut),
    ...(f.autoExportDir === null ? {} : { autoExportDir: f.autoExportDir }),
    calendar: { holidays: [...f.calendar.holidays], workdays: f.calendar.workdays.map((w) => ({ date: w.date, as: w.as })) },
    reasons: f.reasons.map((r) => defined({ code: r.code, label: r.label, labelZh: opt(r.labelZh), kind: r.kind })),
    alerts: {
      downAfterS: toNumber(f.alerts.downAfterS),
      behindPlanMin: toNumber(f.alerts.behindPlanMin),
      slowPct: toNumber(f.alerts.slowPct),
      slowForS: toNumber(f.alerts.slowForS),
      escalateAfterS: f.alerts.escalateAfterS.map(toNumber),
      gapQuietS: toNumber(f.alerts.gapQuietS),
      soundLevels: [...f.alerts.soundLevels],
      lines: Object.fromEntries(
        f.alerts.lines.map((o) => [o.line, defined({ downAfterS: optNum(o.downAfterS), behindPlanMin: optNum(o.behindPlanMin), slowPct: optNum(o.slowPct), slowForS: optNum(o.slowForS) })]),
      ),
    },
    feeds: f.feeds.map((x) => ({ from: x.from, to: x.to, perUnit: toNumber(x.perUnit) })),
    access: { tokens: f.access.tokens.map((t) => ({ name: t.name, role: t.role, sha256: t.sha256 })) },
  };
}

// ---- files: export, import ---------------------------------------------------------------------------

/**
 * A configuration file read into the form. Access tokens are never exported (see `exportConfig`), so a file
 * without `access` keeps the tokens of the form it is loaded into: importing cannot lock the plant out.
 */
export function importConfig(value: unknown, current: FormModel): Imported & { keptAccess: boolean } {
  const read = readForm(value);
  const hasAccess = value !== null && typeof value === 'object' && !Array.isArray(value) && 'access' in value;
  if (hasAccess) return { ...read, keptAccess: false };
  return { form: { ...read.form, access: { tokens: current.access.tokens.map((t) => ({ ...t })) } }, ignored: read.ignored, keptAccess: true };
}

/** The running configuration as a file to keep or copy to another plant PC (the desktop's export writes the same): no password is ever in it, and the access tokens (credentials of this plant) are left out. */
export const exportConfig: (config: unknown) => string = configExportText;

/** JSON with keys sorted: two drafts are the same configuration when these are equal. */
export function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = sort((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

// ---- new rows and list edits ----------------------------------------------------------------------

/** `base`, or base-2, base-3 … : the first not in `taken`. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const set = new Set(taken);
  if (!set.has(base)) return base;
  for (let n = 2; ; n++) if (!set.has(`${base}-${n}`)) return `${base}-${n}`;
}

export function newLine(form: FormModel): LineForm {
  const id = uniqueName(`line-${form.lines.length + 1}`, form.lines.map((l) => l.id));
  return { id, name: id, targetTaktS: '60', idealCycleS: '', outputStation: 'station-2', stations: ['station-1', 'station-2'], smallStopAfterS: '', stopAfterS: '' };
}

export function newShift(form: FormModel): ShiftForm {
  const name = uniqueName(String.fromCharCode(65 + Math.min(form.shifts.length, 25)), form.shifts.map((s) => s.name));
  return { name, start: '08:00', end: '16:00', breaks: [], days: [...WEEKDAYS] };
}

export function newSignals(): SignalsForm {
  const d = DEFAULTS.signals;
  return {
    partCounter: '',
    partCounterCounts: d.partCounterCounts,
    rejectCounter: null,
    onReset: d.onReset,
    maxUnitsPerSample: numText(d.maxUnitsPerSample),
    state: null,
    stateValues: null,
    reason: null,
    reasonValues: null,
    cycleTime: null,
    cycleTimeUnit: d.cycleTimeUnit,
    product: null,
  };
}

export function newInput(form: FormModel, kind: InputForm['kind']): InputForm {
  const id = uniqueName(kind === 'sparkplug' ? 'sparkplug' : 'tags', form.inputs.map((x) => x.id));
  if (kind === 'tags') {
    const d = DEFAULTS.tags;
    return { kind, id, topic: 'neuron/{node}', format: 'neuron', timestampField: d.timestampField, timestampUnit: d.timestampUnit, seqTag: null, maxPayloadBytes: numText(d.maxPayloadBytes), sources: [] };
  }
  const d = DEFAULTS.sparkplug;
  return { kind, id, groups: [], primaryHostId: null, rebirthEveryS: numText(d.rebirthEveryS), maxPayloadBytes: numText(d.maxPayloadBytes), sources: [] };
}

/** An input turned into the other kind: its id and its sources' targets and signals stay. */
export function switchInputKind(x: InputForm, kind: InputForm['kind']): InputForm {
  if (x.kind === kind) return x;
  const fresh = newInput({ inputs: [] } as unknown as FormModel, kind);
  if (fresh.kind === 'tags') {
    return { ...fresh, id: x.id, maxPayloadBytes: fresh.maxPayloadBytes, sources: x.sources.map((s) => ({ node: null, group: null, line: s.line, station: s.station, signals: s.signals })) };
  }
  const groups = x.sources.map((s) => s.group).filter((g): g is string => typeof g === 'string' && g !== '');
  return { ...fresh, id: x.id, groups: [...new Set(groups)], sources: x.sources.map((s) => ({ group: s.group ?? '', node: s.node ?? '', device: null, line: s.line, station: s.station, signals: s.signals })) };
}

export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length || from === to) return [...list];
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item);
  return out;
}

export function removeAt<T>(list: readonly T[], i: number): T[] {
  return list.filter((_, j) => j !== i);
}

export function replaceAt<T>(list: readonly T[], i: number, item: T): T[] {
  return list.map((x, j) => (j === i ? item : x));
}

/** A station renamed in the list: the output station follows it when it was that one. */
export function renameStation(line: LineForm, i: number, name: string): LineForm {
  const old = line.stations[i];
  return { ...line, stations: replaceAt(line.stations, i, name), outputStation: line.outputStation === old ? name : line.outputStation };
}

/** A station removed: the output station becomes the last one left when it was the one removed. */
export function removeStation(line: LineForm, i: number): LineForm {
  const stations = removeAt(line.stations, i);
  const outputStation = line.outputStation === line.stations[i] ? (stations[stations.length - 1] ?? '') : line.outputStation;
  return { ...line, stations, outputStation };
}

/** A line renamed: feeds and alert overrides that name it follow. */
export function renameLine(form: FormModel, i: number, id: string): FormModel {
  const old = form.lines[i].id;
  const swap = (x: string) => (x === old ? id : x);
  return {
    ...form,
    lines: replaceAt(form.lines, i, { ...form.lines[i], id }),
    feeds: form.feeds.map((f) => ({ ...f, from: swap(f.from), to: swap(f.to) })),
    alerts: { ...form.alerts, lines: form.alerts.lines.map((o) => ({ ...o, line: swap(o.line) })) },
  };
}

/** A line removed, with the feeds and alert overrides that name it (they would be refused without it). */
export function removeLine(form: FormModel, i: number): FormModel {
  const id = form.lines[i].id;
  return {
    ...form,
    lines: removeAt(form.lines, i),
    feeds: form.feeds.filter((f) => f.from !== id && f.to !== id),
    alerts: { ...form.alerts, lines: form.alerts.lines.filter((o) => o.line !== id) },
  };
}
