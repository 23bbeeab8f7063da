// Writes each finished production day's CSV to `autoExportDir` once (config), for plants that collect
// the files with their own tools. A day is finished when its last shift instance has ended.
import { existsSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../shared/config.ts';
import { shiftInstancesOfDate, localDate, addDays } from '../../shared/shifts.ts';
import { dailyCsvFileName } from '../../shared/csv.ts';
import type { Store } from './store/store.ts';
import { dailyCsvOf } from './history.ts';
import { logger } from './log.ts';

const log = logger('auto-export');
/** Days looked back at each check: covers a weekend the app was off, without rewriting old files. */
const LOOKBACK_DAYS = 3;

/** Production dates whose shifts have all ended by `now`, newest last. */
export function finishedDates(config: Config, now: number): string[] {
  const today = localDate(config.timezone, now);
  const out: string[] = [];
  for (let i = LOOKBACK_DAYS; i >= 0; i--) {
    const date = addDays(today, -i);
    const ends = shiftInstancesOfDate(config, date).map((s) => s.end);
    if (ends.length && Math.max(...ends) <= now) out.push(date);
  }
  return out;
}

/** Writes the missing files; returns the paths written. Existing files are never overwritten. */
export function exportFinishedDays(store: Store, config: Config, dir: string, now: number): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const date of finishedDates(config, now)) {
    const file = path.join(dir, dailyCsvFileName(date));
    if (existsSync(file)) continue;
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, Buffer.from(dailyCsvOf(store, config, date).csv, 'utf8'));
    renameSync(tmp, file);
    written.push(file);
    log.info('daily CSV written', { file });
  }
  return written;
}

export function startAutoExport(store: Store, config: Config, everyMs = 60_000): () => void {
  const dir = config.autoExportDir;
  if (!dir) return () => undefined;
  const run = () => {
    try {
      exportFinishedDays(store, config, dir, Date.now());
    } catch (e) {
      log.error('automatic export failed', { dir, error: String(e) });
    }
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
