// Generated production history for the History figures and the heavy-reads phase: the product's own
// simulator (every station of a cell line cycling at the ~1 s line pace, states with breakdowns, breaks and
// rejects) written through the product's store.writer.commitEvents, the path the demo's backfill takes.
// - the History day: 10 cell lines, one date, from the first shift's start to the last shift's end, so
//   every shift of the date and the daily CSV have a full day behind them;
// - the month-old database: the first MONTH_LINES of those lines, the MONTH_DAYS dates up to the same date.
import fs from 'node:fs';
import { type Config, configOrThrow } from '../../shared/config.ts';
import { addDays, shiftInstancesOfDate } from '../../shared/shifts.ts';
import { createSimulator } from '../../main/core/simulator/simulator.ts';
import { Store } from '../../main/core/store/store.ts';
import { benchConfig, type PlantOptions } from './plant.ts';

const CHUNK_MS = 15 * 60_000;

/** The month-old database: dates, lines (sized so one daily CSV takes ≥ 100 ms and the file ~3 min to write). */
export const MONTH_DAYS = 30;
export const MONTH_LINES = 2;

export interface DayInfo {
  date: string;
  /** The first date of the history (= date for the History day). */
  firstDate?: string;
  days?: number;
  lines?: number;
  from: number;
  to: number;
  events: number;
  cycles: number;
  states: number;
  rejects: number;
  generateMs: number;
  dbBytes: number;
}

export function dayConfig(brokerUrl: string): Config {
  return configOrThrow(benchConfig({ clientId: 'taktboard-bench-history', brokerUrl }));
}

/**
 * The month's plant, for the generator and for serve alike (serve records it as the database's first
 * version, which then holds for every past date). Raw events kept 60 days (the default 35 would be close to
 * the month's first date); no scheduled backup: an online copy of the 2 GB file at serve's start would be
 * a heavy read of its own, in the middle of the measurement.
 */
export function monthPlant(opts: { clientId: string; brokerUrl: string }): PlantOptions {
  return { ...opts, lines: MONTH_LINES, extra: { retention: { rawDays: 60 }, storage: { backupEveryH: 0 } } };
}

export function generateDay(file: string, config: Config, date: string, seed = 20261201): DayInfo {
  return generateDays(file, config, date, 1, seed);
}

export function generateMonth(file: string, lastDate: string, seed = 20261130): DayInfo {
  const config = configOrThrow(benchConfig(monthPlant({ clientId: 'taktboard-bench-month', brokerUrl: 'mqtt://127.0.0.1:1883' })));
  return generateDays(file, config, lastDate, MONTH_DAYS, seed);
}

/** `days` production dates ending with `lastDate`, one simulator run from the first shift's start to the last one's end. */
export function generateDays(file: string, config: Config, lastDate: string, days: number, seed: number): DayInfo {
  const t0 = performance.now();
  const firstDate = addDays(lastDate, -(days - 1));
  const from = Math.min(...shiftInstancesOfDate(config, firstDate).map((s) => s.start));
  const to = Math.max(...shiftInstancesOfDate(config, lastDate).map((s) => s.end));
  const sim = createSimulator(config, { startTs: from, seed, boot: days === 1 ? `day-${lastDate}` : `month-${lastDate}` });
  const store = Store.open(file, { synchronous: config.storage.synchronous, quarantineRows: config.retention.quarantineRows });
  let events = 0;
  let cycles = 0;
  let states = 0;
  let rejects = 0;
  try {
    for (let t = from; t < to; ) {
      t = Math.min(to - 1, t + CHUNK_MS);
      const batch = sim.advanceTo(t).map((m) => m.event);
      for (const e of batch) {
        if (e.kind === 'cycle') {
          cycles++;
          if (e.ok === false) rejects++;
        } else states++;
      }
      events += store.writer.commitEvents(batch, to + 1000).stored;
      if (t >= to - 1) break;
    }
    store.db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    store.close();
  }
  return { date: lastDate, firstDate, days, lines: config.lines.length, from, to, events, cycles, states, rejects, generateMs: performance.now() - t0, dbBytes: fs.statSync(file).size };
}
