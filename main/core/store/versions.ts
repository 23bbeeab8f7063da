// Configuration versions in the database (CONTRACT §2.1): recorded on the writer's connection, read on
// any. One INSERT is one transaction, so a crash while recording leaves the old or the new version,
// never half of one (RELIABILITY row 37).
import type { Config } from '../../../shared/config.ts';
import { canonicalJson, configOfVersionText, newestVersion, summarizeChange, type ConfigVersion } from '../../../shared/versions.ts';
import { logger } from '../log.ts';
import type { Db } from './db.ts';

const log = logger('store');

interface Row {
  id: number;
  effective_date: string;
  recorded_at: number;
  recorded_by: string;
  config: string;
  summary: string;
}

/** Every recorded version, in recording order. Rows are parsed once per connection and kept (they never change). */
export function listVersions(db: Db): ConfigVersion[] {
  let cache = parsed.get(db);
  if (!cache) parsed.set(db, (cache = new Map()));
  const rows = db.prepare('SELECT id, effective_date, recorded_at, recorded_by, config, summary FROM config_versions ORDER BY id').all() as Row[];
  return rows.map((r) => {
    let v = cache.get(r.id);
    if (!v) {
      v = { id: r.id, effectiveDate: r.effective_date, recordedAt: r.recorded_at, recordedBy: r.recorded_by, config: configOfVersionText(r.config), summary: r.summary };
      cache.set(r.id, v);
    }
    return v;
  });
}
const parsed = new WeakMap<Db, Map<number, ConfigVersion>>();

/** A cheap fingerprint of the versions table: it changes whenever a version is recorded. */
export function versionsStamp(db: Db): number {
  return (db.prepare('SELECT COALESCE(MAX(id), 0) FROM config_versions').pluck().get() as number) ?? 0;
}

export interface RecordOptions {
  effectiveDate: string;
  recordedBy: string;
  recordedAt: number;
  /** Record only if the configuration differs from the newest recorded one (what `serve` does at start). */
  onlyIfChanged?: boolean;
}

/** Records `config` as a version; returns it, or null when onlyIfChanged and it equals the newest. */
export function recordVersion(db: Db, config: Config, o: RecordOptions): ConfigVersion | null {
  const text = canonicalJson(config);
  const existing = listVersions(db);
  const newest = existing.length ? newestVersion(existing) : null;
  if (o.onlyIfChanged && newest && canonicalJson(newest.config) === text) return null;
  const summary = summarizeChange(newest?.config ?? null, config);
  const id = Number(
    db
      .prepare('INSERT INTO config_versions (effective_date, recorded_at, recorded_by, config, summary) VALUES (?, ?, ?, ?, ?)')
      .run(o.effectiveDate, o.recordedAt, o.recordedBy, text, summary).lastInsertRowid,
  );
  log.info('configuration version recorded', { id, effectiveDate: o.effectiveDate, by: o.recordedBy, summary });
  return listVersions(db).find((v) => v.id === id) ?? null;
}
