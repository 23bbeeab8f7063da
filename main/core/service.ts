// The engine behind both shells: store + ingest + live view, and one handler per request of the contract.
import { EventEmitter } from 'node:events';
import type { Alert, ApiHandlers, ConnectionState, Counters, EventName, Events, TrendSeries, Diagnostics } from '../../shared/api.ts';
import { shiftAt, shiftInstancesOfDate, lastFinishedShift, localDate } from '../../shared/shifts.ts';
import { taktIntervals } from '../../shared/figures.ts';
import { lttb } from '../../shared/downsample.ts';
import type { Core, CoreOptions } from './core-types.ts';
import type { Store } from './store/store.ts';
import { openStoreChecked, startMaintenance } from './store/maintenance.ts';
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


export async function startCore(opts: CoreOptions): Promise<Core> {
  const { config } = opts;
  // quick_check at start; a damaged file is moved aside and a backup restored (or a new file started).
  const { store, recovery } = openStoreChecked(opts.dbPath, config);
  const pipeline = createPipeline({ config, store });
  const live = new LiveView(config, store, Date.now());
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
      clearInterval(pushTimer);
      stopAutoExport();
      await maintenance.stop();
      await ingest.stop();
      store.close();
      log.info('core stopped');
    },
  };
}
