// Configuration versions (CONTRACT §2.1): which configuration a production date uses, and the shift
// calendar across versions. Pure: the store keeps the versions, everything that computes a figure asks here.
import { parseConfig, type Config, type LineConfig } from './config.ts';
import { addDays, localDate, shiftInstancesOfDate, type ShiftInstance } from './shifts.ts';
import { english, words, type Words } from './words.ts';

export interface ConfigVersion {
  /** Ascending in the order the versions were recorded. */
  id: number;
  /** The first production date (YYYY-MM-DD) it governs. */
  effectiveDate: string;
  recordedAt: number;
  /** Who recorded it: `serve`, `config apply`, `desktop`, or a token's name. */
  recordedBy: string;
  config: Config;
  /** A short description of what changed against the version recorded before it. */
  summary: string;
}

/**
 * The version of production date `date`: the one recorded last among those effective on or before it; a date
 * before every effective date uses the version recorded first. `versions` ascend by id (recording order).
 */
export function versionFor<V extends Pick<ConfigVersion, 'id' | 'effectiveDate'>>(versions: readonly V[], date: string): V {
  if (versions.length === 0) throw new Error('no configuration version recorded');
  let best: V | null = null;
  for (const v of versions) if (v.effectiveDate <= date && (best === null || v.id > best.id)) best = v;
  return best ?? versions[0];
}

/** The newest recorded version (the one ingestion follows). */
export function newestVersion<V extends Pick<ConfigVersion, 'id'>>(versions: readonly V[]): V {
  if (versions.length === 0) throw new Error('no configuration version recorded');
  return versions.reduce((a, b) => (b.id > a.id ? b : a));
}

/** What a version keeps: everything but the connection settings (`broker`, `access`), which are never versioned. */
export function versionedPart(config: Config): Omit<Config, 'broker' | 'access'> {
  const { broker: _broker, access: _access, ...rest } = config as Config & { access?: unknown };
  return rest;
}

/** The versioned part as JSON with its keys in a fixed order, so equal configurations give equal text. */
export function canonicalJson(config: Config): string {
  return JSON.stringify(sortKeys(versionedPart(config)));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** Two configurations are the same version when their versioned parts, as parsed (defaults filled in), are equal. */
export function sameVersion(a: Config, b: Config): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** A stored version's text back to a Config (the broker part takes its defaults: it is never stored). */
export function configOfVersionText(text: string): Config {
  const r = parseConfig(JSON.parse(text));
  if (!r.ok) throw new Error(`a recorded configuration version does not parse: ${r.errors.join('; ')}`);
  return r.config;
}

/** What changed against `prev`, part by part ('change.*'): lines added and removed, each line's fields, the other sections. */
export function changeWords(prev: Config | null, next: Config): Words[] {
  if (prev === null) return [words('change.first', { lines: next.lines.length, shifts: next.shifts.length })];
  const out: Words[] = [];
  const before = new Map(prev.lines.map((l) => [l.id, l]));
  const after = new Map(next.lines.map((l) => [l.id, l]));
  for (const id of after.keys()) if (!before.has(id)) out.push(words('change.line_added', { line: id }));
  for (const id of before.keys()) if (!after.has(id)) out.push(words('change.line_removed', { line: id }));
  for (const [id, l] of after) {
    const p = before.get(id);
    if (!p) continue;
    for (const key of Object.keys({ ...p, ...l }) as (keyof LineConfig)[]) {
      const a = JSON.stringify(p[key]);
      const b = JSON.stringify(l[key]);
      if (a === b) continue;
      if (key === 'stations') {
        const added = l.stations.filter((s) => !p.stations.includes(s));
        const removed = p.stations.filter((s) => !l.stations.includes(s));
        if (added.length) out.push(words('change.stations_added', { line: id, stations: added.join(', ') }));
        if (removed.length) out.push(words('change.stations_removed', { line: id, stations: removed.join(', ') }));
        if (!added.length && !removed.length) out.push(words('change.stations_reordered', { line: id }));
      } else out.push(words('change.line_field', { field: key, line: id, from: a ?? '—', to: b ?? '—' }));
    }
  }
  const rest = Object.keys({ ...versionedPart(prev), ...versionedPart(next) }).filter((k) => k !== 'lines') as (keyof Config)[];
  for (const key of rest) {
    if (JSON.stringify(sortKeys(prev[key])) !== JSON.stringify(sortKeys(next[key]))) out.push(words('change.section', { section: key }));
  }
  return out.length ? out : [words('change.none')];
}

/** The English of a change: its parts joined by "; " (a version's `summary`). */
export function summaryOf(change: readonly Words[]): string {
  return change.map(english).join('; ');
}

/** "targetTaktS of yibin-cell-1: 1 → 0.9; line added: x; shifts changed", or "first version: …", or "no change". */
export function summarizeChange(prev: Config | null, next: Config): string {
  return summaryOf(changeWords(prev, next));
}

/**
 * The words of a recorded version's summary: its change against the version recorded before it (`prev`),
 * when that gives the very summary stored; otherwise (a summary an older build wrote) the stored English as it is.
 */
export function recordedChangeWords(prev: Config | null, version: Pick<ConfigVersion, 'config' | 'summary'>): Words[] {
  const change = changeWords(prev, version.config);
  return summaryOf(change) === version.summary ? change : [words('text', { text: version.summary })];
}

// ---- the calendar across versions --------------------------------------------------------------------

/** A shift instance together with the version (and so the configuration) of its production date. */
export interface VersionedShift extends ShiftInstance {
  config: Config;
}

/** Each production date's shift instances under its own version. */
export function instancesOf(versions: readonly ConfigVersion[], date: string): VersionedShift[] {
  const { config } = versionFor(versions, date);
  return shiftInstancesOfDate(config, date).map((s) => ({ ...s, config }));
}

/** The production dates whose shifts can contain `ts`: its local date and the two around it (a night shift, a timezone change). */
function datesAround(versions: readonly ConfigVersion[], ts: number): string[] {
  const today = localDate(newestVersion(versions).config.timezone, ts);
  return [addDays(today, -1), today, addDays(today, 1)];
}

/** The shift instance containing `ts` (its date's version decides), or null between shifts. The earliest start wins an overlap. */
export function shiftAt(versions: readonly ConfigVersion[], ts: number): VersionedShift | null {
  let best: VersionedShift | null = null;
  for (const date of datesAround(versions, ts)) {
    for (const inst of instancesOf(versions, date)) {
      if (inst.start <= ts && ts < inst.end && (best === null || inst.start < best.start)) best = inst;
    }
  }
  return best;
}

/** The shift instance that ended most recently at or before `ts`, looking back up to two weeks (holidays, weekends). */
export function lastFinishedShift(versions: readonly ConfigVersion[], ts: number): VersionedShift | null {
  const today = localDate(newestVersion(versions).config.timezone, ts);
  let best: VersionedShift | null = null;
  for (let back = -1; back <= 15; back++) {
    const date = addDays(today, -back);
    // A shift ends at most a day after the next date's starts: one date past the best found is enough.
    if (best && date < addDays(best.productionDate, -1)) break;
    for (const inst of instancesOf(versions, date)) {
      if (inst.end <= ts && (best === null || inst.end > best.end || (inst.end === best.end && inst.start > best.start))) best = inst;
    }
  }
  return best;
}

/** Working days near `date`: the closest earlier and later dates that have a shift (null when none within `horizon` days). */
export function neighbouringWorkdays(versions: readonly ConfigVersion[], date: string, horizon = 60): { previous: string | null; next: string | null } {
  let previous: string | null = null;
  let next: string | null = null;
  for (let i = 1; i <= horizon && (previous === null || next === null); i++) {
    const before = addDays(date, -i);
    const after = addDays(date, i);
    if (previous === null && instancesOf(versions, before).length > 0) previous = before;
    if (next === null && instancesOf(versions, after).length > 0) next = after;
  }
  return { previous, next };
}

/** A VersionSet for a configuration that has no recorded version (a CLI export of an old database, tests). */
export function singleVersion(config: Config, effectiveDate = '0000-01-01'): ConfigVersion[] {
  return [{ id: 0, effectiveDate, recordedAt: 0, recordedBy: 'configuration file', config, summary: 'given on the command line' }];
}
