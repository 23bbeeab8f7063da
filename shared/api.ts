// The one API contract between the core and any screen (CONTRACT §6, DESIGN "one contract, two transports").
// Requests: name → argument schema (checked at every boundary) and result type. Events: pushed payloads.
// The desktop preload, the IPC registration, the HTTP/WebSocket routing and the renderer's client are all
// derived from `requests` and `events`, so a new request is one entry here plus one handler in the core.
import { z } from 'zod';
import type { StationState } from './telemetry.ts';
import type { Figures } from './figures.ts';

export const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const date = z.string().regex(DATE_RE, 'must be a date YYYY-MM-DD');
const lineId = z.string().min(1).max(64);

/** Declares a request: its argument schema, and its result type (a type only: results are produced by our own core). */
function request<A extends z.ZodType, R>(args: A): { args: A; result?: R } {
  return { args };
}

export const requests = {
  live: request<z.ZodObject<{}>, LiveSnapshot>(z.strictObject({})),
  trend: request<z.ZodObject<{ lineId: typeof lineId; minutes: z.ZodUnion<[z.ZodLiteral<15>, z.ZodLiteral<60>]> }>, TrendSeries>(
    z.strictObject({ lineId, minutes: z.union([z.literal(15), z.literal(60)]) }),
  ),
  shiftCalendar: request<z.ZodObject<{ date: z.ZodOptional<typeof date> }>, ShiftCalendar>(z.strictObject({ date: date.optional() })),
  history: request<z.ZodObject<{ date: typeof date; shift: z.ZodString }>, HistoryView>(
    z.strictObject({ date, shift: z.string().min(1).max(32) }),
  ),
  dailyCsv: request<z.ZodObject<{ date: typeof date }>, DailyCsv>(z.strictObject({ date })),
  diagnostics: request<z.ZodObject<{}>, Diagnostics>(z.strictObject({})),
};

/**
 * Requests only the desktop shell offers: they touch the file system through a dialog or change the
 * configuration, which the read-only web shell never does.
 */
export const desktopRequests = {
  saveDailyCsv: request<z.ZodObject<{ date: typeof date }>, { savedTo: string | null }>(z.strictObject({ date })),
  getSettings: request<z.ZodObject<{}>, DesktopSettings>(z.strictObject({})),
  saveSettings: request<z.ZodObject<{ configText: z.ZodString; brokerPassword: z.ZodOptional<z.ZodString> }>, SaveSettingsResult>(
    z.strictObject({ configText: z.string().max(1_000_000), brokerPassword: z.string().max(1024).optional() }),
  ),
};
export type DesktopRequestName = keyof typeof desktopRequests;
export type DesktopRequestArgs<N extends DesktopRequestName> = z.infer<(typeof desktopRequests)[N]['args']>;
export type DesktopRequestResult<N extends DesktopRequestName> = NonNullable<(typeof desktopRequests)[N]['result']>;
export const DESKTOP_REQUEST_NAMES = Object.keys(desktopRequests) as DesktopRequestName[];

export interface DesktopSettings {
  path: string;
  configText: string;
  /** Whether a broker password is stored (encrypted with the OS keychain); never the password itself. */
  passwordStored: boolean;
  /** Why a password cannot be stored here (e.g. the Linux basic_text backend), or null. */
  passwordUnavailable: string | null;
}

export type SaveSettingsResult = { ok: true } | { ok: false; errors: string[] };

/** `window.taktboard` in the desktop window: the shared API plus the desktop-only requests. */
export type DesktopApi = TaktboardApi & {
  [N in DesktopRequestName]: (args: DesktopRequestArgs<N>) => Promise<DesktopRequestResult<N>>;
};

export type RequestName = keyof typeof requests;
export type RequestArgs<N extends RequestName> = z.infer<(typeof requests)[N]['args']>;
export type RequestResult<N extends RequestName> = NonNullable<(typeof requests)[N]['result']>;
export const REQUEST_NAMES = Object.keys(requests) as RequestName[];

/** The core implements these; every transport forwards to them after parsing the arguments. */
export type ApiHandlers = { [N in RequestName]: (args: RequestArgs<N>) => Promise<RequestResult<N>> | RequestResult<N> };

export interface Events {
  live: LiveSnapshot;
  connection: ConnectionState;
}
export type EventName = keyof Events;
export const EVENT_NAMES: EventName[] = ['live', 'connection'];

/** What the renderer holds: the requests, plus a subscription to pushed events. */
export type TaktboardApi = { [N in RequestName]: (args: RequestArgs<N>) => Promise<RequestResult<N>> } & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
};

export type ParsedArgs<N extends RequestName> = { ok: true; args: RequestArgs<N> } | { ok: false; error: string };

/** Every boundary calls this with what arrived as `unknown`. */
export function parseArgs<N extends RequestName>(name: N, raw: unknown): ParsedArgs<N> {
  const spec = requests[name];
  return parseWith(spec, name, raw) as ParsedArgs<N>;
}

export function parseDesktopArgs<N extends DesktopRequestName>(name: N, raw: unknown): { ok: true; args: DesktopRequestArgs<N> } | { ok: false; error: string } {
  return parseWith(desktopRequests[name], name, raw) as { ok: true; args: DesktopRequestArgs<N> } | { ok: false; error: string };
}

function parseWith(spec: { args: z.ZodType } | undefined, name: string, raw: unknown): { ok: true; args: unknown } | { ok: false; error: string } {
  if (!spec) return { ok: false, error: `unknown request "${String(name)}"` };
  const r = spec.args.safeParse(raw ?? {});
  if (r.success) return { ok: true, args: r.data };
  return { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ') };
}

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}

// ---- results ---------------------------------------------------------------------------------

export type BrokerStatus = 'connected' | 'connecting' | 'offline';

export interface ConnectionState {
  status: BrokerStatus;
  url: string;
  since: number;
  /** Words a person can act on ("broker rejected credentials"), or null. */
  error: string | null;
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
  broker: ConnectionState;
  /** The rolling window of `actualTaktS` per line, in seconds. */
  windowS: Record<string, number>;
  lines: LiveLine[];
  counters: Counters;
  /** Banners the operator must see (storage full, database problems), in English keys the UI translates. */
  alerts: Alert[];
}

export interface Alert {
  code: 'storage_full' | 'db_locked' | 'db_damaged' | 'db_recovered' | 'wal_large' | 'broker_rejected' | 'client_taken_over' | 'subscribe_refused';
  message: string;
  since: number;
}

export interface TrendSeries {
  lineId: string;
  targetTaktS: number | null;
  from: number;
  to: number;
  /** [ts of the interval's end, interval in seconds], downsampled to at most ~1 000 points. */
  points: [number, number][];
  stations: LiveStation[];
  bottleneckStation: string | null;
}

export interface ShiftCalendar {
  timezone: string;
  today: string;
  current: ShiftRef | null;
  last: ShiftRef | null;
  /** Shift instances of `date` (or today), configured order. */
  shifts: ShiftRef[];
  date: string;
}

export interface HourBucket {
  start: number;
  end: number;
  units: number;
  targetUnits: number | null;
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
}

export interface HistoryView {
  date: string;
  shift: string;
  timezone: string;
  windows: { start: number; end: number }[];
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

export interface Diagnostics {
  broker: ConnectionState;
  brokerHistory: { ts: number; status: BrokerStatus; error: string | null }[];
  counters: Counters;
  quarantineByReason: { reason: string; count: number }[];
  quarantine: QuarantineItem[];
  gaps: GapItem[];
  clockSkew: { line: string; station: string; skewMs: number }[];
  db: {
    path: string;
    sizeBytes: number;
    walBytes: number;
    synchronous: string;
    lastQuickCheck: { ts: number; ok: boolean; detail: string } | null;
    lastBackup: { ts: number; path: string } | null;
  };
}
