// Writes each finished production day's CSV to `autoExportDir` (config), for plants that collect the files
// with their own tools. A day is finished when its last shift instance has ended; its file is written
// only once the broker's backlog has drained (after a restart the broker still holds that day's last
// messages), and when late telemetry changes a day already written, a revised file is written beside it
// (`…-rev2.csv`, `…-rev3.csv`): a file once written is never overwritten.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../shared/config.ts';
import { addDays, localDate } from '../../shared/shifts.ts';
import { dailyCsvFileName } from '../../shared/csv.ts';
import { instancesOf, newestVersion, type ConfigVersion } from '../../shared/versions.ts';
import type { Pipeline } from './ingest/pipeline.ts';
import type { ReadPool } from './reads/read-pool.ts';
import { logger } from './log.ts';

const log = logger('auto-export');
/** Days looked back at each check: covers a weekend the app was off, without rewriting old files. */
const LOOKBACK_DAYS = 3;
/** Telemetry this much older than its arrival is a backlog being delivered, not live data. */
const CATCH_UP_AGE_MS = 2 * 60_000;
/** The backlog counts as drained after this long connected, idle, with only live data arriving. */
const QUIET_MS = 10_000;

/** Production dates with at least one shift, all of whose shifts have ended by `now`, oldest first. */
export function finishedDates(versions: readonly ConfigVersion[], now: number): string[] {
  const today = localDate(newestVersion(versions).config.timezone, now);
  const out: string[] = [];
  for (let i = LOOKBACK_DAYS; i >= 0; i--) {
    const date = addDays(today, -i);
    const ends = instancesOf(versions, date).map((s) => s.end);
    if (ends.length && Math.max(...ends) <= now) out.push(date);
  }
  return out;
}

/** The files written for `date`, oldest first: the first export, then its revisions. */
export function exportsOf(dir: string, date: string): string[] {
  const first = dailyCsvFileName(date);
  const stem = first.slice(0, -'.csv'.length);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const revisions = names
    .map((n) => ({ n, rev: n === first ? 1 : Number(new RegExp(`^${stem}-rev(\\d+)\\.csv$`).exec(n)?.[1] ?? NaN) }))
    .filter((x) => Number.isInteger(x.rev))
    .sort((a, b) => a.rev - b.rev);
  return revisions.map((x) => path.join(dir, x.n));
}

/**
 * Writes `csv` for `date` unless the newest file of that date already holds these bytes: as the first
 * file, or as the next revision. Returns the file written, or null.
 */
export function writeExport(dir: string, date: string, csv: string): string | null {
  mkdirSync(dir, { recursive: true });
  const bytes = Buffer.from(csv, 'utf8');
  const existing = exportsOf(dir, date);
  const newest = existing.at(-1);
  if (newest && readFileSync(newest).equals(bytes)) return null;
  const first = dailyCsvFileName(date);
  const file = path.join(dir, existing.length === 0 ? first : `${first.slice(0, -'.csv'.length)}-rev${existing.length + 1}.csv`);
  if (existsSync(file)) return null;
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
  log.info(existing.length === 0 ? 'daily CSV written' : 'revised daily CSV written (late telemetry changed the day)', { file });
  return file;
}

export interface AutoExportOptions {
  config: Config;
  pool: Pick<ReadPool, 'call'>;
  versions: () => readonly ConfigVersion[];
  /** Connected to the broker with nothing waiting to be committed. */
  ingestIdle: () => boolean;
  pipeline: Pick<Pipeline, 'onEvent'>;
  everyMs?: number;
  now?: () => number;
}

export interface AutoExport {
  /** One check now (what the timer does); resolves with the files written. */
  run(): Promise<string[]>;
  stop(): void;
}

export function startAutoExport(o: AutoExportOptions): AutoExport {
  const dir = o.config.autoExportDir;
  const now = o.now ?? Date.now;
  if (!dir) return { run: async () => [], stop: () => undefined };
  let lastCatchUp = now();
  let idleSince: number | null = null;
  /** Dates to (re)compute: at start every finished one (files may predate late data), then those late events touch. */
  const dirty = new Set<string>(finishedDates(o.versions(), now()));
  const off = o.pipeline.onEvent((e) => {
    const t = now();
    if (t - e.ts > CATCH_UP_AGE_MS) lastCatchUp = t;
    // An event of a finished day (by the plant's calendar) may change its file.
    const today = localDate(newestVersion(o.versions()).config.timezone, t);
    const date = localDate(newestVersion(o.versions()).config.timezone, e.ts);
    if (date < today || t - e.ts > CATCH_UP_AGE_MS) {
      dirty.add(date);
      dirty.add(addDays(date, -1));
    }
  });
  let running: Promise<string[]> | null = null;

  async function check(): Promise<string[]> {
    const t = now();
    if (!o.ingestIdle()) {
      idleSince = null;
      return [];
    }
    idleSince ??= t;
    if (t - idleSince < QUIET_MS || t - lastCatchUp < QUIET_MS) return [];
    const written: string[] = [];
    for (const date of finishedDates(o.versions(), t)) {
      if (exportsOf(dir!, date).length > 0 && !dirty.has(date)) continue;
      dirty.delete(date);
      const { csv } = await o.pool.call('dailyCsv', { date, now: t });
      const file = writeExport(dir!, date, csv);
      if (file) written.push(file);
    }
    return written;
  }

  const run = () =>
    (running ??= check()
      .catch((e) => {
        log.error('automatic export failed', { dir, error: String(e) });
        return [];
      })
      .finally(() => {
        running = null;
      }));
  const timer = setInterval(() => void run(), o.everyMs ?? 60_000);
  timer.unref();
  return {
    run,
    stop() {
      clearInterval(timer);
      off();
    },
  };
}
