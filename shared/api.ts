// The one API contract between the core and any screen (CONTRACT §6, DESIGN "one contract, two transports"),
// as types only: the renderer and the sandboxed preload import it without bundling a schema library.
// Each request's arguments are checked at every boundary by its schema in api-schemas.ts, which is typed
// against these declarations, so a request is declared once here, once there (checked to agree), and
// handled once in the core. The desktop preload, the IPC registration, the HTTP/WebSocket routing and the
// renderer's client all derive from REQUEST_NAMES and EVENT_NAMES.
import type { StationState } from './telemetry.ts';
import type { Figures } from './figures.ts';
import type { ShiftStatus } from './plan.ts';
import type { Words } from './words.ts';
import type { Forecast } from './forecast.ts';
import type { InputsStatus } from './inputs-status.ts';
import type { Config } from './config.ts';

export const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Every request of the shared API: its arguments and its result. */
export interface Requests {
  live: { args: Record<string, never>; result: LiveSnapshot };
  trend: { args: { lineId: string; minutes: 15 | 60 }; result: TrendSeries };
  shiftCalendar: { args: { date?: string }; result: ShiftCalendar };
  history: { args: { date: string; shift: string }; result: HistoryView };
  dailyCsv: { args: { date: string }; result: DailyCsv };
  diagnostics: { args: Record<string, never>; result: Diagnostics };
  configHistory: { args: Record<string, never>; result: ConfigHistory };
  stopsCsv: { args: { date: string }; result: DailyCsv };
  /** The operator's reason for the down period (or, station null, the unreported stop) that begins at `start` (epoch ms). */
  codeStop: { args: { line: string; station: string | null; start: number; reason: string; comment?: string }; result: WriteResult };
  shiftNote: { args: { date: string; shift: string; line: string; text: string }; result: WriteResult };
  /** Records a configuration as a version effective from a production date (CONTRACT §2.1; Settings saves this way). */
  applyConfig: { args: { config: unknown; effectiveFrom: string }; result: ApplyConfigResult };
  ackAlert: { args: { id: number }; result: WriteResult };
  /** The running configuration (with its defaults), for Settings; never a password. */
  getConfig: { args: Record<string, never>; result: ConfigView };
  /** Checks a configuration with the engine's schema, and says what would change, and which days, if applied from `effectiveFrom`. */
  checkConfig: { args: { config: unknown; effectiveFrom?: string }; result: ConfigCheck };
  /** Tries to connect to a broker with these settings and says what it answered (Settings' "test connection"). */
  testBroker: { args: { broker: unknown; password?: string }; result: BrokerTestResult };
  /** A new access token, shown once; Settings stores only its SHA-256 in access.tokens. */
  createToken: { args: Record<string, never>; result: { token: string; sha256: string } };
  /** Lines and stations telemetry names that the configuration does not, with what adopting them would take. */
  adoptionHints: { args: Record<string, never>; result: AdoptionHint[] };
  /** Who the caller is (a token's name and role, the desktop user, or an anonymous reader): sign-in checks it. */
  whoAmI: { args: Record<string, never>; result: Caller };
}

export interface ConfigView {
  /** The running configuration as parsed (defaults filled in; broker.passwordFile shown, never a password). */
  config: unknown;
  /** Where it is kept: a file Taktboard writes when Settings save, or nowhere (the demo). */
  persisted: boolean;
  /** Whether the caller may save (a supervisor; the desktop window). */
  editable: boolean;
  /** The demo's configuration is shown, and saving it only changes the demo. */
  demo: boolean;
}

/** One problem with a configuration: its field ('lines[0].targetTaktS'), the message and its words. */
export interface ConfigProblem {
  path: string;
  message: string;
  words: Words;
}

export interface ConfigCheck {
  ok: boolean;
  /** Every problem, naming its field. */
  errors: ConfigProblem[];
  /** What changes against the newest version, in English ('no change' when nothing does): `summaryWords` joined by "; ". */
  summary: string;
  /** The same, part by part, in words ('change.*'; empty when not ok). */
  summaryWords: Words[];
  /** The configuration as the engine reads it (the schema's defaults filled in); null when not ok. */
  config: Config | null;
  /** Past production dates (with telemetry) whose figures a version from `effectiveFrom` would change; empty for today or later. */
  changedDates: string[];
  /** The broker settings differ from the running ones: the engine reconnects after saving. */
  reconnects: boolean;
}

export interface AdoptionHint {
  line: string;
  /** null: the whole line is new (its stations listed in `stations`). */
  station: string | null;
  stations: string[];
  lastSeen: number | null;
  messages: number;
  /** The median interval between the cycles of the line's last station (the suggested output), s; null without. */
  medianIntervalS: number | null;
}

export type ApplyConfigResult =
  | { ok: true; at: number; versionId: number | null; summary: string; summaryWords: Words[]; effectiveFrom: string; reconnects: boolean }
  /** `errors`: "path: message" each; `problems`: the same with words. */
  | { ok: false; errors: string[]; problems: ConfigProblem[] };

/** What the broker answered Settings' "test connection": `message` is the English of `words`. */
export interface BrokerTestResult {
  ok: boolean;
  message: string;
  words: Words;
}

export const REQUEST_NAMES = [
  'live',
  'trend',
  'shiftCalendar',
  'history',
  'dailyCsv',
  'diagnostics',
  'configHistory',
  'stopsCsv',
  'codeStop',
  'shiftNote',
  'applyConfig',
  'ackAlert',
  'getConfig',
  'checkConfig',
  'testBroker',
  'createToken',
  'adoptionHints',
  'whoAmI',
] as const satisfies readonly (keyof Requests)[];

/** CONTRACT §6.2 roles, lowest first: a role may do everything the ones before it may. */
export const ROLE_ORDER = ['viewer', 'operator', 'supervisor'] as const;
export type Role = (typeof ROLE_ORDER)[number];

/** The role each request needs; every request not listed here is a read (viewer). */
export const WRITE_ROLES: Partial<Record<RequestName, Role>> = {
  codeStop: 'operator',
  shiftNote: 'operator',
  applyConfig: 'supervisor',
  ackAlert: 'operator',
  testBroker: 'supervisor',
  createToken: 'supervisor',
};

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(needed);
}

/** Who makes a request: a token's name (its role), the person at the desktop, or a reader without a token. */
export interface Caller {
  who: string;
  role: Role;
}

export interface WriteResult {
  ok: true;
  at: number;
}
export type RequestName = (typeof REQUEST_NAMES)[number];
export type RequestArgs<N extends RequestName> = Requests[N]['args'];
export type RequestResult<N extends RequestName> = Requests[N]['result'];
// Every request is listed in REQUEST_NAMES (the transports register from it): a missing one fails here.
const _allListed: Exclude<keyof Requests, RequestName> extends never ? true : never = true;
void _allListed;

/**
 * Requests only the desktop shell offers: they touch the file system through a dialog or change the
 * configuration, which the read-only web shell never does.
 */
export interface DesktopRequests {
  saveDailyCsv: { args: { date: string }; result: { savedTo: string | null } };
  saveStopsCsv: { args: { date: string }; result: { savedTo: string | null } };
  getSettings: { args: Record<string, never>; result: DesktopSettings };
  saveSettings: { args: { configText: string; brokerPassword?: string }; result: SaveSettingsResult };
  /** A TLS file of the broker (its CA, the client certificate or key) chosen in an open dialog: its path, or null when cancelled. */
  pickFile: { args: { purpose: TlsFilePurpose }; result: { path: string } | null };
  /** The running configuration, without its access tokens, written where a save dialog says; null when cancelled. */
  exportConfigFile: { args: Record<string, never>; result: { savedTo: string | null } };
  /** A configuration file chosen in an open dialog: its name and text, for the form to load; null when cancelled. */
  importConfigFile: { args: Record<string, never>; result: { name: string; text: string } | null };
}
export const DESKTOP_REQUEST_NAMES = [
  'saveDailyCsv',
  'saveStopsCsv',
  'getSettings',
  'saveSettings',
  'pickFile',
  'exportConfigFile',
  'importConfigFile',
] as const satisfies readonly (keyof DesktopRequests)[];
export type DesktopRequestName = (typeof DESKTOP_REQUEST_NAMES)[number];
export type DesktopRequestArgs<N extends DesktopRequestName> = DesktopRequests[N]['args'];
export type DesktopRequestResult<N extends DesktopRequestName> = DesktopRequests[N]['result'];
const _allDesktopListed: Exclude<keyof DesktopRequests, DesktopRequestName> extends never ? true : never = true;
void _allDesktopListed;

export interface DesktopSettings {
  path: string;
  configText: string;
  /** Whether a broker password is stored (encrypted with the OS keychain); never the password itself. */
  passwordStored: boolean;
  /** Why a password cannot be stored here (e.g. the Linux basic_text backend), or null. */
  passwordUnavailable: string | null;
}

/** A refusal: `errors` in English, and the same as `problems` (a field's) or `words` (anything else) for the screens. */
export type SaveSettingsResult = { ok: true } | { ok: false; errors: string[]; problems?: ConfigProblem[]; words?: Words[] };

/** The broker's TLS files (config broker.ca, broker.cert, broker.key). */
export const TLS_FILE_PURPOSES = ['ca', 'cert', 'key'] as const;
export type TlsFilePurpose = (typeof TLS_FILE_PURPOSES)[number];

/** `window.taktboard` in the desktop window: the shared API plus the desktop-only requests. */
export type DesktopApi = TaktboardApi & {
  [N in DesktopRequestName]: (args: DesktopRequestArgs<N>) => Promise<DesktopRequestResult<N>>;
};

/** The core implements these; every transport forwards to them after parsing the arguments and checking the caller's role. */
export type ApiHandlers = { [N in RequestName]: (args: RequestArgs<N>, caller: Caller) => Promise<RequestResult<N>> | RequestResult<N> };

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && (REQUEST_NAMES as readonly string[]).includes(name);
}

export interface Events {
  live: LiveSnapshot;
  connection: ConnectionState;
  /** An andon alert opened, rose a level, was acknowledged or closed (notifications; the snapshot carries the open ones). */
  andon: AndonChange;
}
export type EventName = keyof Events;
export const EVENT_NAMES: EventName[] = ['live', 'connection', 'andon'];

/** CONTRACT §6.1. */
export interface AndonAlert {
  id: number;
  line: string;
  station: string | null;
  kind: 'line_down' | 'line_stopped' | 'behind_plan' | 'slow_takt' | 'station_stale' | 'telemetry_gap';
  /** 1 → 2 → 3 as it stays open past alerts.escalateAfterS; acknowledged alerts rise no further. */
  level: number;
  /** When its cause began. */
  since: number;
  openedAt: number;
  ackBy: string | null;
  ackAt: number | null;
  closedAt: number | null;
  /** What it is about, in English; `words` for the screens to translate. */
  detail: string;
  words: { key: string; params: Record<string, string | number> };
}

export interface AndonChange {
  change: 'opened' | 'escalated' | 'acknowledged' | 'closed';
  alert: AndonAlert;
}

/** What the renderer holds: the requests, plus a subscription to pushed events. */
export type TaktboardApi = { [N in RequestName]: (args: RequestArgs<N>) => Promise<RequestResult<N>> } & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
};

// ---- results ---------------------------------------------------------------------------------

export type BrokerStatus = 'connected' | 'connecting' | 'offline';

export interface ConnectionState {
  status: BrokerStatus;
  url: string;
  since: number;
  /** Words a person can act on ("broker rejected credentials"), or null. */
  error: string | null;
  /** The same as words the screens translate (shared/words.ts); null when `error` is. */
  errorWords: Words | null;
}

/** Derived line state: a station `down` makes the line down; no output for a while makes it stopped. */
export type LineState = 'running' | 'down' | 'stopped' | 'changeover' | 'planned_stop' | 'unknown';

export interface ShiftRef {
  name: string;
  productionDate: string;
  start: number;
  end: number;
}

export interface LiveStation {
  id: string;
  configured: boolean;
  state: StationState | null;
  stateSince: number | null;
  lastCycleMs: number | null;
  /** Mean cycle_ms over the live window; the bottleneck is the highest. */
  meanCycleMs: number | null;
  lastSeen: number | null;
  /** Silent for longer than the stale limit (see README). */
  stale: boolean;
}

export interface LiveLine {
  id: string;
  name: string;
  /** false for a line that telemetry names but the configuration does not. */
  configured: boolean;
  targetTaktS: number | null;
  /** Rolling mean takt interval of the recent past (window in `LiveSnapshot.windowS`), null when stopped. */
  actualTaktS: number | null;
  unitsPerMin: number;
  state: LineState;
  shift: ShiftRef | null;
  shiftUnits: number;
  shiftGood: number;
  shiftRejects: number;
  shiftTargetUnits: number | null;
  attainmentPct: number | null;
  lastUnitTs: number | null;
  /** Mean takt per minute over the last 30 minutes, oldest first; null for a minute without two units. */
  sparkline: (number | null)[];
  stations: LiveStation[];
  bottleneckStation: string | null;
  gaps: { missing: number; since: number | null };
  /** The stop going on now: a configured station down (the first to go down), or no unit for longer than the line's stopAfterS. */
  openStop: OpenStop | null;
  /** Where the shift will land at the recent pace, and the takt that would still make its target; null outside a shift. */
  forecast: Forecast | null;
}

export interface OpenStop {
  kind: 'down' | 'unreported_stop';
  /** The station down, or null for the line standing still with no station down. */
  station: string | null;
  /** Where the stop begins (the down event, or the last unit): what codeStop names it by. */
  since: number;
  /** The station's reason (a down), or null. */
  reason: string | null;
  /** The operator's code for it, if given: it replaces the reason in every figure. */
  code: { reason: string; comment: string | null; by: string; at: number } | null;
}

export interface Counters {
  received: number;
  stored: number;
  duplicates: number;
  quarantined: number;
  gapsMissing: number;
}

export interface LiveSnapshot {
  ts: number;
  site: string;
  timezone: string;
  /** 'demo': simulated data (the embedded demo), never a plant's; every screen says so. */
  mode: 'plant' | 'demo';
  /** Why the demo runs although a plant configuration exists (it could not be used), in words; else null. */
  modeReason: string | null;
  broker: ConnectionState;
  /** The rolling window of `actualTaktS` per line, in seconds. */
  windowS: Record<string, number>;
  lines: LiveLine[];
  counters: Counters;
  /** Banners the operator must see (storage full, database problems), in English keys the UI translates. */
  alerts: Alert[];
  /** The open andon alerts (CONTRACT §6.1), oldest first. */
  andon: AndonAlert[];
  /** Supply between lines today (configuration `feeds`): an estimate from counts, not an inventory. */
  feeds: FeedStatus[];
}

export interface FeedStatus {
  from: string;
  to: string;
  /** Units of `from` in each unit of `to` (cells per vehicle). */
  perUnit: number;
  /** Units `from` made today so far. */
  made: number;
  /** What the units `to` built today used, and what its whole plan for today needs. */
  neededBuilt: number;
  neededPlanned: number;
  /** made − neededBuilt: ahead of (or, negative, behind) what was built. */
  stock: number;
  /** The seconds of `to` at its target takt that the stock covers (0 when there is none). */
  coversS: number;
}

export interface Alert {
  code: 'storage_full' | 'db_locked' | 'db_damaged' | 'db_recovered' | 'wal_large' | 'broker_rejected' | 'client_taken_over' | 'subscribe_refused';
  /** The detail in English; `words` is the same for the screens to translate. */
  message: string;
  words: Words;
  since: number;
}

export interface TrendSeries {
  lineId: string;
  targetTaktS: number | null;
  from: number;
  to: number;
  /** [ts of the interval's end, interval in seconds], downsampled to at most ~1 000 points. */
  points: [number, number][];
  /** Small and unreported stops in the window (CONTRACT §2.4 classes), [start, end, class], never downsampled away. */
  marks: [number, number, 'small_stop' | 'unreported_stop'][];
  stations: LiveStation[];
  bottleneckStation: string | null;
}

export interface ShiftCalendar {
  timezone: string;
  today: string;
  current: ShiftRef | null;
  last: ShiftRef | null;
  /** Shift instances of `date` (or today) that run that day (CONTRACT §2.2), configured order. */
  shifts: ShiftRef[];
  date: string;
  /** The nearest dates before and after `date` that have a shift (the date picker skips days without), or null. */
  previousWorkday: string | null;
  nextWorkday: string | null;
}

export interface HourBucket {
  start: number;
  /** The hour's end, or now for the hour in progress. */
  end: number;
  units: number;
  targetUnits: number | null;
  /** The hour is not over: its target is the part so far. */
  inProgress: boolean;
}

export interface StateSegment {
  start: number;
  end: number;
  state: StationState | 'unknown';
}

export interface HistoryLine {
  id: string;
  name: string;
  configured: boolean;
  targetTaktS: number | null;
  figures: Figures;
  hourly: HourBucket[];
  /** Takt intervals counted in bins; `toS` of the last bin is Infinity-free (the largest interval). */
  taktHistogram: { fromS: number; toS: number; count: number }[];
  stations: { id: string; meanCycleMs: number | null; cycles: number; downtimeS: number }[];
  timeline: { station: string; segments: StateSegment[] }[];
  gaps: { station: string; missing: number }[];
  /** Why the line lost time (CONTRACT §2.4). */
  losses: LineLosses;
  /** The newest handover note of each shift of the view. */
  notes: ShiftNote[];
  /** The andon alerts open at any time in the view's windows. */
  alerts: AndonAlert[];
}

/** One step of the loss waterfall: from planned time and target units down to good units. */
export interface WaterfallStep {
  step: 'planned' | 'downtime' | 'unreported_stops' | 'small_stops' | 'slow_cycles' | 'rejects' | 'other' | 'good';
  seconds: number;
  /** The same in units at the target takt (null without a target). */
  units: number | null;
}

export interface ReasonShare {
  reason: string;
  source: 'operator' | 'machine' | 'none';
  seconds: number;
}

export interface StopRow {
  shift: string;
  kind: 'down' | 'unreported_stop';
  station: string | null;
  /** Where the stop begins: what codeStop names it by. */
  stopStart: number;
  start: number;
  end: number;
  durationS: number;
  reason: string;
  source: 'operator' | 'machine' | 'none';
  comment: string | null;
  /** Who coded it, or null. */
  codedBy: string | null;
}

export interface LineLosses {
  waterfall: WaterfallStep[];
  /** First-out downtime by reason and source, most first (a Pareto). */
  downReasons: ReasonShare[];
  /** Rejected units by reason, most first. */
  rejectReasons: { reason: string; count: number }[];
  stops: StopRow[];
  /** Small stops and slow cycles as marks for the charts: [start, end, class], at most ~1 000. */
  marks: [number, number, 'small_stop' | 'unreported_stop'][];
}

export interface ShiftNote {
  date: string;
  shift: string;
  line: string;
  text: string;
  by: string;
  at: number;
}

export interface AuditItem {
  at: number;
  who: string;
  role: string;
  action: string;
  target: unknown;
  outcome: 'ok' | 'refused' | 'invalid';
  detail: string;
}

export interface HistoryView {
  date: string;
  shift: string;
  timezone: string;
  /** CONTRACT §2.3: whether the shift (or, for ALL, the day) is over; only complete figures are final. */
  status: ShiftStatus;
  /** Each shift's window, and how far its figures go (`soFarEnd` < `end` while it is in progress). */
  windows: { start: number; end: number; soFarEnd: number }[];
  lines: HistoryLine[];
  computeMs: number;
}

export interface DailyCsv {
  fileName: string;
  csv: string;
}

export interface QuarantineItem {
  receivedAt: number;
  topic: string;
  payload: string;
  reason: string;
  /** The reason as words (null for a row an older build stored, when its English matches no template). */
  words: Words | null;
}

export interface GapItem {
  line: string;
  station: string;
  boot: string;
  fromSeq: number;
  toSeq: number;
  missing: number;
  detectedAt: number;
}

/** Telemetry of a station (or a whole line) the newest configuration version does not list (CONTRACT §1.4). */
export interface UnconfiguredStation {
  line: string;
  station: string;
  /** Whether the line itself is configured (then only this station is missing from it). */
  lineConfigured: boolean;
  firstSeen: number;
  messages: number;
}

export interface ConfigVersionInfo {
  id: number;
  effectiveDate: string;
  recordedAt: number;
  recordedBy: string;
  summary: string;
  /** The summary part by part in words ('change.*'; a summary of an older build as 'text'). */
  summaryWords: Words[];
}

export interface ConfigHistory {
  versions: ConfigVersionInfo[];
  /** The version of today's production date. */
  todayVersionId: number | null;
}

export interface Diagnostics {
  broker: ConnectionState;
  brokerHistory: { ts: number; status: BrokerStatus; error: string | null; errorWords: Words | null }[];
  counters: Counters;
  /** Counted by the reason's English with its values left out; `words` is that, for the screens (or null). */
  quarantineByReason: { reason: string; count: number; words: Words | null }[];
  quarantine: QuarantineItem[];
  gaps: GapItem[];
  clockSkew: { line: string; station: string; skewMs: number }[];
  /** Every (line, station) telemetry has named, with first sight and message count. */
  stationsSeen: { line: string; station: string; firstSeen: number; messages: number }[];
  /** Those the newest configuration version does not list: kept, shown, counted once a version lists them. */
  unconfigured: UnconfiguredStation[];
  /** How ingest keeps up: bursts committed together, and a message's arrival → PUBACK time. */
  ingest: { batches: number; messages: number; largestBatch: number; ackLatencyMs: { p50: number; p99: number; max: number } | null };
  /** Every write and refused attempt, newest first (RELIABILITY row 36). */
  writes: AuditItem[];
  /** The input adapters (Sparkplug B, tag streams): edge nodes, devices, metrics, resets, errors. */
  inputs: InputsStatus;
  /** From the browser shell only: cross-site requests it refused and how its live viewers keep up. */
  web?: { crossSite: { total: number; byReason: Record<string, number>; recent: unknown[] }; viewers: Record<string, number> };
  /**
   * The engine thread's event-loop delay (what a commit or a read on it costs everything else), ms; and the
   * andon's evaluations since start (about one a second: the live snapshot, the causes, the store writes of
   * what changed), their count and the time they held the engine thread, in total and the slowest, ms; and
   * the engine thread's CPU time in them (null where the runtime has no per-thread CPU clock).
   */
  engine: {
    loopDelayP99Ms: number | null;
    loopDelayMaxMs: number | null;
    worstLoopDelayMs: number;
    readsInFlight: number[];
    andon: { evaluations: number; totalMs: number; maxMs: number; cpuMs: number | null };
  };
  db: {
    path: string;
    sizeBytes: number;
    walBytes: number;
    synchronous: string;
    lastQuickCheck: { ts: number; ok: boolean; detail: string } | null;
    lastBackup: { ts: number; path: string } | null;
  };
}
