// The engine behind both shells: store + ingest + live view, and one handler per request of the contract.
import { EventEmitter } from 'node:events';
import type { Alert, ApiHandlers, ConnectionState, Counters, EventName, Events, TrendSeries, Diagnostics } from '../../shared/api.ts';
import { shiftAt, shiftInstancesOfDate, lastFinishedShift, localDate } from '../../shared/shifts.ts';
import { taktIntervals } from '../../shared/figures.ts';
import { lttb } from '../../shared/downsample.ts';
import type { Core, CoreOptions } from './core-types.ts';
import type { Store } from './store/store.ts';
import { damageOf, isCorruption, markDamaged, openStoreChecked, recoverDamaged, startMaintenance, type CheckedStore } from './store/maintenance.ts';
import { createPipeline } from './ingest/pipeline.ts';
import { startIngest } from './ingest/mqtt-ingest.ts';
import { LiveView } from './live.ts';
import { historyView, dailyCsvOf } from './history.ts';
import { logger } from './log.ts';
import { RequestError } from './errors.ts';
import { startAutoExport } from './auto-export.ts';

const log = logger('core');
const TREND_POINTS = 1000;
const BROKER_HISTORY = 200;
/** ~3 snapshots a second: live p95 stays well under 500 ms while the screens redraw rarely enough to stay idle. */
const PUSH_INTERVAL_MS = 300;


/**
 * quick_check at start (in the background for a large file); a damaged file is moved aside and a backup
 * restored (or a new file started). With the check in the background, the live view's first reads can be
 * what meets the damage: that is handled the same way, before anything runs on the file.
 */
function openChecked(opts: CoreOptions): CheckedStore & { live: LiveView } {
  const checked = openStoreChecked(opts.dbPath, opts.config, Date.now, { syncCheckMaxBytes: opts.syncCheckMaxBytes });
  try {
    return { ...checked, live: new LiveView(opts.config, checked.store, Date.now()) };
  } catch (err) {
    if (!isCorruption(err)) throw err;
    checked.background?.cancel();
    try {
      checked.store.close();
    } catch {
      // a damaged file may fail its final checkpoint; it is moved aside next anyway
    }
    const recovered = recoverDamaged(opts.dbPath, opts.config, (err as Error).message, Date.now());
    return { ...recovered, live: new LiveView(opts.config, recovered.store, Date.now()) };
  }
}

export async function startCore(opts: CoreOptions): Promise<Core> {
  const { config } = opts;
  const { store, recovery, background, live } = openChecked(opts);
  const pipeline = createPipeline({ config, store });
  const bus = new EventEmitter();
  bus.setMaxListeners(100);

  const alerts = new Map<Alert['code'], Alert>();
  const brokerHistory: Diagnostics['brokerHistory'] = [];
  let connection: ConnectionState = { status: 'connecting', url: opts.brokerUrl ?? config.broker.url, since: Date.now(), error: null };

  const setAlert = (code: Alert['code'], message: string | null) => {
    if (message === null) alerts.delete(code);
    else if (!alerts.has(code)) alerts.set(code, { code, message, since: Date.now() });
  };

  pipeline.onEvent((e) => live.onEvent(e, Date.now()));
  const stopAutoExport = startAutoExport(store, config);
  // Backups, retention and the WAL banner; 'db_recovered' is raised here when the file was replaced above.
  const maintenance = startMaintenance({ store, config, recovery, onAlert: setAlert });

  let stopped = false;
  void background?.result.then((check) => {
    if (stopped) return;
    if (!check) return void log.warn('background quick_check could not run; it runs again at the next start');
    log.info('database quick_check', { ok: check.ok, ms: check.ms, background: true });
    store.noteQuickCheck({ ts: check.ts, ok: check.ok, detail: check.detail });
    if (check.ok) return;
    // Found while in use: writing on would put acknowledged telemetry into a file the next start must move
    // aside. So nothing more is written or acknowledged (the broker keeps it), and the next start recovers.
    const damage = damageOf(check.detail);
    log.error('database damaged: writes stopped until a restart recovers it', { damage });
    markDamaged(opts.dbPath, damage);
    store.refuseWrites(damage);
    setAlert(
      'db_damaged',
      `The database file is damaged (${damage}). Nothing more is stored or acknowledged; telemetry waits at the broker. ` +
        'Restart Taktboard: the file is then moved aside and the newest good backup restored.',
    );
  });

  const ingest = startIngest({
    config,
    brokerUrl: opts.brokerUrl ?? config.broker.url,
    password: opts.brokerPassword,
    pipeline,
    onConnection: (s) => {
      connection = s;
      brokerHistory.push({ ts: s.since, status: s.status, error: s.error });
      if (brokerHistory.length > BROKER_HISTORY) brokerHistory.shift();
      bus.emit('connection', s);
    },
    onAlert: setAlert,
  });

  const counters = (): Counters => pipeline.counters();
  const sources = { counters, connection: () => connection, alerts: () => [...alerts.values()] };
  const snapshot = () => live.snapshot(Date.now(), sources);

  // Snapshots are computed only while someone listens, at most every pushIntervalMs.
  const pushTimer = setInterval(() => {
    if (bus.listenerCount('live') > 0) bus.emit('live', snapshot());
  }, opts.pushIntervalMs ?? PUSH_INTERVAL_MS);
  pushTimer.unref();

  const lineConfig = (id: string) => config.lines.find((l) => l.id === id);

  const handlers: ApiHandlers = {
    live: () => snapshot(),
    trend: ({ lineId, minutes }): TrendSeries => {
      const now = Date.now();
      const snap = snapshot().lines.find((l) => l.id === lineId);
      if (!snap) throw new RequestError(`unknown line "${lineId}"`);
      const cfg = lineConfig(lineId);
      const from = now - minutes * 60_000;
      let points: [number, number][] = [];
      if (cfg) {
        const ts = store.outputTimes(lineId, cfg.outputStation, from, now + 1);
        const breaks = shiftAt(config, now)?.breaks ?? [];
        const intervals = taktIntervals(ts, { start: from, end: now + 1, breaks: [] });
        // taktIntervals drops nothing with no breaks, so interval i ends at ts[i + 1].
        points = intervals.map((v, i) => [ts[i + 1], v] as [number, number]);
        if (breaks.length) points = points.filter(([t]) => !breaks.some((b) => t > b.start && t <= b.end));
      }
      return {
        lineId,
        targetTaktS: cfg?.targetTaktS ?? null,
        from,
        to: now,
        points: lttb(points, TREND_POINTS),
        stations: snap.stations,
        bottleneckStation: snap.bottleneckStation,
      };
    },
    shiftCalendar: ({ date }) => {
      const now = Date.now();
      const today = localDate(config.timezone, now);
      const d = date ?? today;
      const ref = (s: { name: string; productionDate: string; start: number; end: number } | null) =>
        s ? { name: s.name, productionDate: s.productionDate, start: s.start, end: s.end } : null;
      return {
        timezone: config.timezone,
        today,
        date: d,
        current: ref(shiftAt(config, now)),
        last: ref(lastFinishedShift(config, now)),
        shifts: shiftInstancesOfDate(config, d).map((s) => ref(s)!),
      };
    },
    history: ({ date, shift }) => historyView(store, config, date, shift),
    dailyCsv: ({ date }) => dailyCsvOf(store, config, date),
    diagnostics: (): Diagnostics => {
      const info = store.info();
      return {
        broker: connection,
        brokerHistory: [...brokerHistory],
        counters: counters(),
        quarantineByReason: store.quarantineCounts(),
        quarantine: store.quarantineItems(100),
        gaps: store.gaps(),
        clockSkew: store.clockSkew(),
        db: info,
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
      stopAutoExport();
      await maintenance.stop();
      await ingest.stop();
      store.close();
      log.info('core stopped');
    },
  };
}
