// The engine's refusals (checkConfig: `{path: 'lines[0].targetTaktS', message, words}`) placed next to their
// fields, the fields named in the UI language; the engine's words say what is wrong in it (shared/words.ts).
import type { ConfigProblem } from '../../../../shared/api.ts';
import type { FormModel } from './formModel.ts';

export type Segment = string | number;

/** ['lines', 0, 'targetTaktS'] → 'lines[0].targetTaktS', the engine's way of naming a field. */
export function pathString(at: readonly Segment[]): string {
  return at.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** 'lines[0].targetTaktS' → ['lines', 0, 'targetTaktS']. */
export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  for (let m = re.exec(path); m; m = re.exec(path)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

/** Record keys in a path (`alerts.lines.<line>`, `…stateValues.<value>`): they name an entry, not a field. */
const RECORDS = new Set(['alerts.lines', 'inputs.sources.signals.stateValues', 'inputs.sources.signals.reasonValues']);

/**
 * The field a path is about, without indices and record keys: 'lines[0].targetTaktS' → 'lines.targetTaktS',
 * 'alerts.lines.cell-1.slowPct' → 'alerts.lines.slowPct'. Labels and help lines are keyed by it.
 */
export function fieldKey(path: string | readonly Segment[]): string {
  const segs = typeof path === 'string' ? parsePath(path) : path;
  const keys: string[] = [];
  let skipNext = false;
  for (const s of segs) {
    if (skipNext) {
      skipNext = false;
      continue;
    }
    if (typeof s === 'number') continue;
    keys.push(s);
    if (RECORDS.has(keys.join('.'))) skipNext = true;
  }
  return keys.join('.');
}

export type SectionId = 'plant' | 'broker' | 'lines' | 'shifts' | 'calendar' | 'reasons' | 'alerts' | 'inputs' | 'feeds' | 'access';

export const SECTION_OF_FIELD: Readonly<Record<string, SectionId>> = {
  site: 'plant',
  timezone: 'plant',
  retention: 'plant',
  storage: 'plant',
  autoExportDir: 'plant',
  broker: 'broker',
  lines: 'lines',
  shifts: 'shifts',
  calendar: 'calendar',
  reasons: 'reasons',
  alerts: 'alerts',
  inputs: 'inputs',
  feeds: 'feeds',
  access: 'access',
};

export function sectionOf(path: string): SectionId {
  const head = parsePath(path)[0];
  return (typeof head === 'string' && SECTION_OF_FIELD[head]) || 'plant';
}

export interface ErrorIndex {
  all: ConfigProblem[];
  /** The problems of exactly this path. */
  at(path: string): ConfigProblem[];
  /** How many problems each section has (for its tab). */
  bySection: Partial<Record<SectionId, number>>;
}

export function indexErrors(errors: readonly ConfigProblem[]): ErrorIndex {
  const map = new Map<string, ConfigProblem[]>();
  const bySection: Partial<Record<SectionId, number>> = {};
  for (const e of errors) {
    map.set(e.path, [...(map.get(e.path) ?? []), e]);
    const s = sectionOf(e.path);
    bySection[s] = (bySection[s] ?? 0) + 1;
  }
  return { all: [...errors], at: (p) => map.get(p) ?? [], bySection };
}

export const NO_ERRORS: ErrorIndex = indexErrors([]);

/** The row a path's index names, in words people know it by: the line's id, the shift's name, else "#n". */
export function itemName(form: FormModel, at: readonly Segment[], i: number): string {
  const head = at.slice(0, i);
  const index = at[i] as number;
  const key = fieldKey(head);
  const pick = (): string | undefined => {
    if (key === 'lines') return form.lines[index]?.id;
    if (key === 'shifts') return form.shifts[index]?.name;
    if (key === 'reasons') return form.reasons[index]?.code;
    if (key === 'inputs') return form.inputs[index]?.id;
    if (key === 'access.tokens') return form.access.tokens[index]?.name;
    if (key === 'calendar.holidays') return form.calendar.holidays[index];
    if (key === 'calendar.workdays') return form.calendar.workdays[index]?.date;
    if (key === 'lines.stations') return form.lines[head[1] as number]?.stations[index];
    return undefined;
  };
  const name = pick();
  return name ? name : `#${index + 1}`;
}
