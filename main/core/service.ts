// The engine behind both shells: store + ingest + live view on this thread, the heavy reads in the read
// workers, and one handler per request of the contract.
import { EventEmitter } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Alert, ApiHandlers, ConnectionState, Counters, Diagnostics, EventName, Events, ShiftRef, TrendSeries, UnconfiguredStation } from '../../shared/api.ts';
import { addDays, localDate } from '../../shared/shifts.ts';
import { english, type Words } from '../../shared/words.ts';
import { instancesOf, lastFinishedShift, neighbouringWorkdays, newestVersion, shiftAt, versionFor, type ConfigVersion } from '../../shared/versions.ts';
import type { Core, CoreOptions } from './core-types.ts';
import { damageOf, isCorruption, markDamaged, openStoreChecked, recoverDamaged, startMaintenance, type CheckedStore } from './store/maintenance.ts';
import { listVersions, recordVersion, versionsStamp } from './store/versions.ts';
import { createPipeline } from './ingest/pipeline.ts';
import { startIngest } from './ingest/mqtt-ingest.ts';
import { createReadPool } from './reads/read-pool.ts';
import { LiveView } from './live.ts';
import { logger } from './log.ts';
import { RequestError } from './errors.ts';
import { startAutoExport } from './auto-export.ts';

const log = logger('core');
const BROKER_HISTORY = 200;
/** ~3 snapshots a second: live p95 stays well under 500 ms while the screens redraw rarely enough to stay idle. */
const PUSH_INTERVAL_MS = 300;
/** How often the engine looks for a version recorded by someone else (`config apply`, Settings). */
const VERSION_POLL_MS = 2000;

/**
 * quick_check at start (in the background for a large file); a damaged file is moved aside and a backup
 * restored (or a new file started). The configuration is then recorded as a version if it differs from
 * the newest (CONTRACT §2.1), and the live view starts from what the file holds. With the check in the
 * background, those first reads can be what meets the damage: that is handled the same way.
 */
function openChecked(opts: CoreOptions): CheckedStore & { live: LiveView; versions: ConfigVersion[] } {
  const start = (checked: CheckedStore) => {
    const now = Date.now();
    recordVersion(checked.store.db, opts.config, {
      effectiveDate: localDate(opts.config.timezone, now),
      recordedBy: opts.recordedBy ?? 'serve',
      recordedAt: now,
      onlyIfChanged: true,
    });
    const versions = listVersions(checked.store.db);
    return { ...checked, versions, live: new LiveView(versions, checked.store.reads, now) };
  };
  const checked = openStoreChecked(opts.dbPath, opts.config, Date.now, { syncCheckMaxBytes: opts.syncCheckMaxBytes });
  try {
    return start(checked);
  } catch (err) {
    if (!isCorruption(err)) throw err;
    checked.background?.cancel();
    try {
      checked.store.close();
    } catch {
      // a damaged file may fail its final checkpoint; it is moved aside next anyway
    }
    return start(recoverDamaged(opts.dbPath, opts.config, (err as Error).message, Date.now()));
  }
}

export async function startCore(opts: CoreOptions): Promise<Core> {
  const { config } = opts;
  const opened = openChecked(opts);
  const { store, recovery, background, live } = opened;
  let versions = opened.versions;
  let stamp = versionsStamp(store.db);
  const pipeline = createPipeline({ config, store, lines: newestVersion(versions).config.lines });
  const pool = createReadPool(opts.dbPath, opts.readWorkers);
  const bus = new EventEmitter();
  bus.setMaxListeners(100);
  const mode = { mode: opts.mode ?? 'plant', modeReason: opts.modeReason ?? null } as const;

  const alerts = new Map<Alert['code'], Alert>();
  const brokerHistory: Diagnostics['brokerHistory'] = [];
  let connection: ConnectionState = { status: 'connecting', url: opts.brokerUrl ?? config.broker.url, since: Date.now(), error: null, errorWords: null };

  const setAlert = (code: Alert['code'], message: string | null, words: Words | null) => {
    if (message === null) alerts.delete(code);
    else {
      // The words follow the cause (a lock that became a full disk, a new byte count); `since` stays.
      const prev = alerts.get(code);
      alerts.set(code, { code, message, words: words ?? { key: 'text', params: { text: message } }, since: prev?.since ?? Date.now() });
    }
  };

  pipeline.onEvent((e) => live.onEvent(e, Date.now()));
  const autoExport = startAutoExport({ config, pool, versions: () => versions, ingestIdle: () => ingestIdle(), pipeline });
  // Backups, retention and the WAL banner; 'db_recovered' is raised here when the file was replaced above.
  const maintenance = startMaintenance({ store, config, recovery, onAlert: setAlert });

  let stopped = false;
  void background?.result.then((check) => {
    if (stopped) return;
    if (!check) return void log.warn('background quick_check could not run; it runs again at the next start');
    log.info('database quick_check', { ok: check.ok, ms: check.ms, background: true });
    store.care.noteQuickCheck({ ts: check.ts, ok: check.ok, detail: check.detail });
    if (check.ok) return;
    // Found while in use: writing on would put acknowledged telemetry into a file the next start must move
    // aside. So nothing more is written or acknowledged (the broker keeps it), and the next start recovers.
    const damage = damageOf(check.detail);
    log.error('database damaged: writes stopped until a restart recovers it', { damage });
    markDamaged(opts.dbPath, damage);
    store.writer.refuseWrites(damage);
    const words: Words = { key: 'alert.db_damaged_found', params: { damage } };
    setAlert('db_damaged', english(words), words);
  });

  const ingest = startIngest({
    config,
    brokerUrl: opts.brokerUrl ?? config.broker.url,
    password: opts.brokerPassword,
    pipeline,
    onConnection: (s) => {
      connection = s;
      brokerHistory.push({ ts: s.since, status: s.status, error: s.error, errorWords: s.errorWords });
      if (brokerHistory.length > BROKER_HISTORY) brokerHistory.shift();
      bus.emit('connection', s);
    },
    onAlert: setAlert,
  });
  const ingestIdle = () => connection.status === 'connected' && ingest.pending() === 0;

  // What the engine thread's event loop waits (DESIGN: nothing may make it wait longer than a commit),
  // over 10 s windows, for Diagnostics.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let lastWindow: { p99: number; max: number } | null = null;
  let worstLoopDelayMs = 0;
  const loopTimer = setInterval(() => {
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    lastWindow = { p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
    worstLoopDelayMs = Math.max(worstLoopDelayMs, lastWindow.max);
    loopDelay.reset();
  }, 10_000);
  loopTimer.unref();

  // A version recorded by `config apply` or Settings takes effect without a restart: ingestion follows the
  // newest, every figure the version of its date.
  const versionTimer = setInterval(() => {
    try {
      const next = versionsStamp(store.db);
      if (next === stamp) return;
      stamp = next;
      versions = listVersions(store.db);
      pipeline.setLines(newestVersion(versions).config.lines);
      live.setVersions(versions, Date.now());
      log.info('configuration versions changed', { versions: versions.length });
    } catch (err) {
      log.warn('could not read the configuration versions', { error: String(err) });
    }
  }, VERSION_POLL_MS);
  versionTimer.unref();

  const counters = (): Counters => pipeline.counters();
  const sources = { counters, connection: () => connection, alerts: () => [...alerts.values()], gaps: () => store.writer.gapsByLine() };
  const snapshot = () => live.snapshot(Date.now(), sources, mode);

  // Snapshots are computed only while someone listens, at most every pushIntervalMs.
  const pushTimer = setInterval(() => {
    if (bus.listenerCount('live') > 0) bus.emit('live', snapshot());
  }, opts.pushIntervalMs ?? PUSH_INTERVAL_MS);
  pushTimer.unref();

  const ref = (s: ShiftRef | null): ShiftRef | null => (s ? { name: s.name, productionDate: s.productionDate, start: s.start, end: s.end } : null);
  const today = (now: number) => localDate(newestVersion(versions).config.timezone, now);

  const handlers: ApiHandlers = {
    live: () => snapshot(),
    trend: async ({ lineId, minutes }): Promise<TrendSeries> => {
      const now = Date.now();
      const snap = snapshot().lines.find((l) => l.id === lineId);
      if (!snap) throw new RequestError({ key: 'refusal.unknown_line', params: { line: lineId } });
      const from = now - minutes * 60_000;
      const cfg = (shiftAt(versions, now)?.config ?? versionFor(versions, today(now)).config).lines.find((l) => l.id === lineId);
      // The breaks of the shifts the window touches: an interval across one is a break, not a slow cycle.
      const breaks = [addDays(today(now), -1), today(now)].flatMap((d) => instancesOf(versions, d)).flatMap((s) => s.breaks);
      const points = cfg ? await pool.call('trendPoints', { line: lineId, station: cfg.outputStation, from, to: now + 1, breaks }) : [];
      return { lineId, targetTaktS: cfg?.targetTaktS ?? null, from, to: now, points, stations: snap.stations, bottleneckStation: snap.bottleneckStation };
    },
    shiftCalendar: ({ date }) => {
      const now = Date.now();
      const d = date ?? today(now);
      const { previous, next } = neighbouringWorkdays(versions, d);
      return {
        timezone: versionFor(versions, d).config.timezone,
        today: today(now),
        date: d,
        current: ref(shiftAt(versions, now)),
        last: ref(lastFinishedShift(versions, now)),
        shifts: instancesOf(versions, d).map((s) => ref(s)!),
        previousWorkday: previous,
        nextWorkday: next,
      };
    },
    history: ({ date, shift }) => pool.call('history', { date, shift, now: Date.now() }),
    dailyCsv: ({ date }) => pool.call('dailyCsv', { date, now: Date.now() }),
    diagnostics: async (): Promise<Diagnostics> => {
      const fromFile = await pool.call('diagnostics', {});
      return {
        broker: connection,
        brokerHistory: [...brokerHistory],
        counters: counters(),
        ...fromFile,
        unconfigured: unconfiguredOf(newestVersion(versions), fromFile.stationsSeen),
        ingest: ingest.stats(),
        engine: { loopDelayP99Ms: lastWindow?.p99 ?? null, loopDelayMaxMs: lastWindow?.max ?? null, worstLoopDelayMs, readsInFlight: pool.load() },
        db: store.care.info(),
      };
    },
    configHistory: () => {
      const current = versionFor(versions, today(Date.now()));
      return {
        versions: versions.map(({ id, effectiveDate, recordedAt, recordedBy, summary }) => ({ id, effectiveDate, recordedAt, recordedBy, summary })),
        todayVersionId: current.id,
      };
    },
  };

  return {
    config,
    dbPath: opts.dbPath,
    handlers,
    subscribe<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
      bus.on(event, listener);
      return () => {
        bus.off(event, listener);
      };
    },
    async stop() {
      stopped = true;
      background?.cancel();
      clearInterval(pushTimer);
      clearInterval(versionTimer);
      clearInterval(loopTimer);
      loopDelay.disable();
      autoExport.stop();
      await maintenance.stop();
      await ingest.stop();
      await pool.close();
      store.close();
      log.info('core stopped');
    },
  };
}

/** The stations (and lines) telemetry names that the newest version does not list. */
function unconfiguredOf(newest: ConfigVersion, seen: Diagnostics['stationsSeen']): UnconfiguredStation[] {
  const lines = new Map(newest.config.lines.map((l) => [l.id, new Set(l.stations)]));
  return seen
    .filter((s) => !lines.get(s.line)?.has(s.station))
    .map((s) => ({ line: s.line, station: s.station, lineConfigured: lines.has(s.line), firstSeen: s.firstSeen, messages: s.messages }));
}
