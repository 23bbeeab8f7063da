// The engine behind both shells: store + ingest + live view on this thread, the heavy reads in the read
// workers, and one handler per request of the contract.
import { EventEmitter } from 'node:events';
import { newToken } from './tokens.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseConfig, type Config } from '../../shared/config.ts';
import { lossThresholdsOf } from '../../shared/losses.ts';
import { WRITE_ROLES, roleAtLeast, type Alert, type AndonAlert, type AndonChange, type ApiHandlers, type Caller, type ConnectionState, type Counters, type Diagnostics, type EventName, type Events, type LiveSnapshot, type ShiftRef, type TrendSeries, type UnconfiguredStation, type WriteResult } from '../../shared/api.ts';
import { addDays, localDate } from '../../shared/shifts.ts';
import { english, joinWords, words, type Words } from '../../shared/words.ts';
import { changeWords, instancesOf, lastFinishedShift, neighbouringWorkdays, newestVersion, recordedChangeWords, sameVersion, shiftAt, summaryOf, versionFor, type ConfigVersion } from '../../shared/versions.ts';
import type { Core, CoreOptions } from './core-types.ts';
import { damageOf, isCorruption, markDamaged, openStoreChecked, recoverDamaged, startMaintenance, type CheckedStore } from './store/maintenance.ts';
import { listVersions, recordVersion, versionsStamp } from './store/versions.ts';
import { recordAudit, recordShiftNote, recordStopCode, type AuditEntry } from './store/operator.ts';
import { createPipeline } from './ingest/pipeline.ts';
import { startIngest, testBrokerConnection } from './ingest/mqtt-ingest.ts';
import { createReadPool } from './reads/read-pool.ts';
import { createAndon } from './andon.ts';
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
/** How often the andon looks at the live view: alerts open within a second or two of their threshold. */
const ANDON_INTERVAL_MS = 1000;
/** How long one live snapshot answers everyone who asks (below the push interval, so each push is fresh). */
const SNAPSHOT_REUSE_MS = 250;

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

  // The reused live snapshot (see snapshot() below), dropped by whatever is not telemetry — a write, an
  // alert, the connection, a version — so nobody sees their own change late.
  let reused: { at: number; snap: LiveSnapshot } | null = null;
  const changed = () => {
    reused = null;
  };
  const setAlert = (code: Alert['code'], message: string | null, words: Words | null) => {
    changed();
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

  /** The running configuration, connection settings included; Settings may change it (applyConfig). */
  let running = config;
  const startIngestWith = (c: Config) =>
    startIngest({
      config: c,
      brokerUrl: opts.brokerUrl ?? c.broker.url,
      password: opts.brokerPassword,
      pipeline,
      onConnection: (s) => {
        connection = s;
        changed();
        brokerHistory.push({ ts: s.since, status: s.status, error: s.error, errorWords: s.errorWords });
        if (brokerHistory.length > BROKER_HISTORY) brokerHistory.shift();
        bus.emit('connection', s);
      },
      onAlert: setAlert,
    });
  let ingest = startIngestWith(config);
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
  const reloadVersions = () => {
    try {
      const next = versionsStamp(store.db);
      if (next === stamp) return;
      stamp = next;
      versions = listVersions(store.db);
      pipeline.setLines(newestVersion(versions).config.lines);
      live.setVersions(versions, Date.now());
      changed();
      log.info('configuration versions changed', { versions: versions.length });
    } catch (err) {
      log.warn('could not read the configuration versions', { error: String(err) });
    }
  };
  const versionTimer = setInterval(reloadVersions, VERSION_POLL_MS);
  versionTimer.unref();

  const andon = createAndon(store.db);
  const counters = (): Counters => pipeline.counters();
  const sources = { counters, connection: () => connection, alerts: () => [...alerts.values()], gaps: () => store.writer.gapsByLine(), andon: () => andon.open() };
  // One snapshot serves every asker for SNAPSHOT_REUSE_MS — the push, the andon, /api/live polls, the trend —
  // so the engine thread computes about one per push interval however many screens poll: on a fast line a
  // snapshot reads every unit of the live windows. What is not telemetry drops it at once (changed()).
  const snapshot = (): LiveSnapshot => {
    const now = Date.now();
    if (!reused || now - reused.at >= SNAPSHOT_REUSE_MS || now < reused.at) reused = { at: now, snap: live.snapshot(now, sources, mode) };
    return reused.snap;
  };

  // The andon is evaluated from the live view about once a second, whatever the message rate. What each
  // evaluation takes on this thread (the snapshot, the causes, the store writes of what changed; a failed one
  // too) is added up for Diagnostics: issue 11 wants it under 5 % of the engine's CPU at 10 000 msg/s. Wall
  // time is what the thread was held; its CPU time (the thread's own, where the runtime can tell) is what
  // compares with the process's CPU on a busy machine, where wall time also counts time without a core.
  const andonCost = { evaluations: 0, totalMs: 0, maxMs: 0, cpuMs: 0 };
  const threadCpuMs =
    typeof process.threadCpuUsage === 'function'
      ? () => {
          const u = process.threadCpuUsage();
          return (u.user + u.system) / 1000;
        }
      : null;
  const evaluateAndon = (): AndonChange[] => {
    const t0 = performance.now();
    const c0 = threadCpuMs?.() ?? 0;
    try {
      const changes = andon.evaluate(snapshot(), live.currentConfig(), Date.now());
      if (changes.length) changed();
      return changes;
    } finally {
      const ms = performance.now() - t0;
      andonCost.evaluations++;
      andonCost.totalMs += ms;
      if (ms > andonCost.maxMs) andonCost.maxMs = ms;
      if (threadCpuMs) andonCost.cpuMs += threadCpuMs() - c0;
    }
  };
  const andonTimer = setInterval(() => {
    if (stopped) return;
    try {
      for (const change of evaluateAndon()) bus.emit('andon', change);
    } catch (err) {
      log.warn('andon evaluation failed; tried again in a second', { error: String(err) });
    }
  }, opts.andonIntervalMs ?? ANDON_INTERVAL_MS);
  andonTimer.unref();

  // Snapshots are computed only while someone listens, at most every pushIntervalMs.
  const pushTimer = setInterval(() => {
    if (bus.listenerCount('live') > 0) bus.emit('live', snapshot());
  }, opts.pushIntervalMs ?? PUSH_INTERVAL_MS);
  pushTimer.unref();

  /**
   * A write of the operator's word: the role is checked (the shells check it too), the change and its audit
   * row go in one transaction, and a refused or invalid one is audited as such (RELIABILITY row 36).
   */
  const write = (action: string, target: unknown, caller: Caller, apply: (at: number) => void): WriteResult => {
    const at = Date.now();
    const needed = WRITE_ROLES[action as keyof typeof WRITE_ROLES] ?? 'supervisor';
    if (!roleAtLeast(caller.role, needed)) {
      recordAudit(store.db, { who: caller.who, role: caller.role, action, target, outcome: 'refused', detail: `needs the ${needed} role` }, at);
      throw new RequestError(`${action} needs the ${needed} role`);
    }
    try {
      store.db.transaction(() => {
        apply(at);
        recordAudit(store.db, { who: caller.who, role: caller.role, action, target, outcome: 'ok', detail: '' }, at);
      }).immediate();
    } catch (err) {
      if (err instanceof RequestError) recordAudit(store.db, { who: caller.who, role: caller.role, action, target, outcome: 'invalid', detail: err.message }, at);
      throw err;
    }
    changed();
    log.info('write', { action, who: caller.who, role: caller.role });
    return { ok: true, at };
  };

  /** Whether a stop begins there: a station's `down` event at `start`, or (station null) a unit of the line at `start`. */
  const stopBeginsAt = (line: string, station: string | null, start: number): boolean => {
    if (station !== null) {
      return store.db.prepare(`SELECT 1 FROM events INDEXED BY events_state WHERE kind = 'state' AND line = ? AND station = ? AND ts = ? AND state = 'down'`).get(line, station, start) !== undefined;
    }
    const cfg = versionFor(versions, localDate(newestVersion(versions).config.timezone, start)).config.lines.find((l) => l.id === line);
    return cfg !== undefined && store.db.prepare(`SELECT 1 FROM events WHERE line = ? AND station = ? AND ts = ? AND kind = 'cycle'`).get(line, cfg.outputStation, start) !== undefined;
  };

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
      const series = cfg
        ? await pool.call('trendPoints', { line: lineId, station: cfg.outputStation, stations: cfg.stations, from, to: now + 1, breaks, thresholds: lossThresholdsOf(cfg) })
        : { points: [], marks: [] };
      return { lineId, targetTaktS: cfg?.targetTaktS ?? null, from, to: now, ...series, stations: snap.stations, bottleneckStation: snap.bottleneckStation };
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
    stopsCsv: ({ date }) => pool.call('stopsCsv', { date, now: Date.now() }),
    codeStop: (args, caller) =>
      write('codeStop', args, caller, (at) => {
        const reason = args.reason.trim();
        const comment = args.comment?.trim() ? args.comment.trim() : null;
        if (!stopBeginsAt(args.line, args.station, args.start)) {
          throw new RequestError(
            args.station === null
              ? `no unreported stop of line "${args.line}" begins at ${new Date(args.start).toISOString()} (it is named by the unit before it)`
              : `no down period of station "${args.station}" of line "${args.line}" begins at ${new Date(args.start).toISOString()}`,
          );
        }
        recordStopCode(store.db, { line: args.line, station: args.station, start: args.start, reason, comment }, caller, at);
        live.noteCode({ line: args.line, station: args.station, start: args.start, reason, comment, by: caller.who, at });
      }),
    shiftNote: (args, caller) =>
      write('shiftNote', args, caller, (at) => {
        const v = versionFor(versions, args.date);
        if (!v.config.lines.some((l) => l.id === args.line)) throw new RequestError(`line "${args.line}" is not in the configuration of ${args.date}`);
        if (!instancesOf(versions, args.date).some((s) => s.name === args.shift)) throw new RequestError(`shift "${args.shift}" does not run on ${args.date}`);
        recordShiftNote(store.db, { ...args, text: args.text.trim() }, caller, at);
      }),
    ackAlert: (args, caller) => {
      let acked: AndonAlert | null = null;
      const result = write('ackAlert', args, caller, (at) => {
        acked = andon.acknowledge(args.id, caller, at);
      });
      bus.emit('andon', { change: 'acknowledged', alert: acked! });
      return result;
    },
    applyConfig: async (args, caller) => {
      const parsed = parseConfig(args.config);
      if (!parsed.ok) {
        recordAudit(store.db, { who: caller.who, role: caller.role, action: 'applyConfig', target: { effectiveFrom: args.effectiveFrom }, outcome: 'invalid', detail: parsed.errors.join('; ').slice(0, 400) }, Date.now());
        return { ok: false, errors: parsed.errors, problems: parsed.problems };
      }
      const next = parsed.config;
      const before = newestVersion(versions).config;
      const changesVersion = !sameVersion(next, before);
      let recorded: ConfigVersion | null = null;
      const { at } = write('applyConfig', { effectiveFrom: args.effectiveFrom, version: changesVersion }, caller, (t) => {
        if (changesVersion) recorded = recordVersion(store.db, next, { effectiveDate: args.effectiveFrom, recordedBy: caller.who, recordedAt: t });
      });
      reloadVersions();
      // The file the shell starts from follows what was saved, so a restart runs the same configuration
      // (serve would otherwise record the old file as a new version).
      await opts.persistConfig?.(next);
      const reconnects = connectionChanged(running, next);
      running = next;
      pipeline.reconfigure(next);
      opts.onApplied?.(next);
      if (reconnects) {
        log.info('broker settings changed: reconnecting', { url: next.broker.url });
        await ingest.stop();
        ingest = startIngestWith(next);
      }
      const v = recorded as ConfigVersion | null;
      const summaryWords = v ? recordedChangeWords(before, v) : [words('change.connection_only')];
      return { ok: true, at, versionId: v?.id ?? null, summary: summaryOf(summaryWords), summaryWords, effectiveFrom: args.effectiveFrom, reconnects };
    },
    getConfig: (_args, caller) => {
      const editable = roleAtLeast(caller.role, 'supervisor');
      // Token hashes are not secrets, but only a supervisor manages them.
      const shown = editable ? running : { ...running, access: { tokens: running.access.tokens.map(({ name, role }) => ({ name, role, sha256: '' })) } };
      return { config: shown, persisted: opts.persistConfig !== undefined, editable, demo: mode.mode === 'demo' };
    },
    whoAmI: (_args, caller) => caller,
    checkConfig: ({ config: candidate, effectiveFrom }) => {
      const parsed = parseConfig(candidate);
      if (!parsed.ok) {
        return { ok: false, errors: parsed.problems, summary: '', summaryWords: [], config: null, changedDates: [], reconnects: false };
      }
      const todayDate = today(Date.now());
      const from = effectiveFrom ?? todayDate;
      const firstSeen = store.db.prepare('SELECT MIN(first_seen) FROM streams').pluck().get() as number | null;
      const changedDates: string[] = [];
      if (from < todayDate && firstSeen !== null && !sameVersion(parsed.config, versionFor(versions, from).config)) {
        const first = localDate(newestVersion(versions).config.timezone, firstSeen);
        for (let d = from < first ? first : from; d < todayDate && changedDates.length < 366; d = addDays(d, 1)) changedDates.push(d);
      }
      const summaryWords = changeWords(newestVersion(versions).config, parsed.config);
      return { ok: true, errors: [], summary: summaryOf(summaryWords), summaryWords, config: parsed.config, changedDates, reconnects: connectionChanged(running, parsed.config) };
    },
    testBroker: async ({ broker, password }, caller) => {
      const parsed = parseConfig({ ...running, broker });
      if (!parsed.ok) {
        const own = parsed.problems.filter((p) => p.path.startsWith('broker'));
        const said = joinWords((own.length ? own : parsed.problems).map((p) => words('refusal.field', { field: p.path, problem: p.words })));
        return { ok: false, message: english(said), words: said };
      }
      const result = await testBrokerConnection(parsed.config, password ?? opts.brokerPassword);
      const message = english(result.words);
      recordAudit(store.db, { who: caller.who, role: caller.role, action: 'testBroker', target: { url: parsed.config.broker.url }, outcome: 'ok', detail: message.slice(0, 300) }, Date.now());
      return { ok: result.ok, message, words: result.words };
    },
    createToken: () => newToken(),
    adoptionHints: () => pool.call('adoption', { now: Date.now(), lines: newestVersion(versions).config.lines.map((l) => ({ id: l.id, stations: l.stations })) }),
    diagnostics: async (): Promise<Diagnostics> => {
      const fromFile = await pool.call('diagnostics', {});
      return {
        broker: connection,
        brokerHistory: [...brokerHistory],
        counters: counters(),
        ...fromFile,
        unconfigured: unconfiguredOf(newestVersion(versions), fromFile.stationsSeen),
        ingest: ingest.stats(),
        inputs: pipeline.inputs.status(),
        engine: {
          loopDelayP99Ms: lastWindow?.p99 ?? null,
          loopDelayMaxMs: lastWindow?.max ?? null,
          worstLoopDelayMs,
          readsInFlight: pool.load(),
          andon: {
            evaluations: andonCost.evaluations,
            totalMs: Math.round(andonCost.totalMs * 1000) / 1000,
            maxMs: Math.round(andonCost.maxMs * 1000) / 1000,
            cpuMs: threadCpuMs ? Math.round(andonCost.cpuMs * 1000) / 1000 : null,
          },
        },
        db: store.care.info(),
      };
    },
    configHistory: () => {
      const current = versionFor(versions, today(Date.now()));
      return {
        versions: versions.map((v, i) => ({ id: v.id, effectiveDate: v.effectiveDate, recordedAt: v.recordedAt, recordedBy: v.recordedBy, summary: v.summary, summaryWords: recordedChangeWords(i ? versions[i - 1].config : null, v) })),
        todayVersionId: current.id,
      };
    },
  };

  return {
    get config() {
      return running;
    },
    dbPath: opts.dbPath,
    handlers,
    audit(entry: AuditEntry) {
      try {
        recordAudit(store.db, entry, Date.now());
      } catch (err) {
        log.warn('could not record an audit entry', { error: String(err), action: entry.action });
      }
      log.warn('write refused', { action: entry.action, who: entry.who, outcome: entry.outcome, detail: entry.detail });
    },
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
      clearInterval(andonTimer);
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

/**
 * Broker settings, site or topic pattern differ, or the inputs do: ingest must reconnect (another broker, other
 * filters, the inputs' own subscriptions and will, their adapters made anew with the new mappings).
 */
function connectionChanged(a: Config, b: Config): boolean {
  return JSON.stringify([a.broker, a.site, a.inputs ?? []]) !== JSON.stringify([b.broker, b.site, b.inputs ?? []]);
}

/** The stations (and lines) telemetry names that the newest version does not list. */
function unconfiguredOf(newest: ConfigVersion, seen: Diagnostics['stationsSeen']): UnconfiguredStation[] {
  const lines = new Map(newest.config.lines.map((l) => [l.id, new Set(l.stations)]));
  return seen
    .filter((s) => !lines.get(s.line)?.has(s.station))
    .map((s) => ({ line: s.line, station: s.station, lineConfigured: lines.has(s.line), firstSeen: s.firstSeen, messages: s.messages }));
}
