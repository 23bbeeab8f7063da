// The engine's refusals (checkConfig: `{path: 'lines[0].targetTaktS', message}`) placed next to their fields,
// named in the UI language, and said in it where a translation exists: the schema library's own messages
// through the words catalogue (shared/words.ts), the configuration's own rules through the table below; any
// other message is shown in the English it came in.
import { problemWords } from '../../../../shared/words.ts';
import type { FormModel } from './formModel.ts';

export type Segment = string | number;

export interface FieldError {
  path: string;
  message: string;
}

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
  all: FieldError[];
  /** The messages of exactly this path. */
  at(path: string): string[];
  /** How many problems each section has (for its tab). */
  bySection: Partial<Record<SectionId, number>>;
}

export function indexErrors(errors: readonly FieldError[]): ErrorIndex {
  const map = new Map<string, string[]>();
  const bySection: Partial<Record<SectionId, number>> = {};
  for (const e of errors) {
    map.set(e.path, [...(map.get(e.path) ?? []), e.message]);
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

// ---- the configuration's own messages, in Chinese ---------------------------------------------------

/** English of shared/config.ts's messages → the key of their Chinese (settingsText.ts 'err.*'), with values kept. */
export const CONFIG_MESSAGES: readonly { re: RegExp; key: string; names: string[] }[] = [
  { re: /^must be local time HH:MM \(00:00–23:59\)$/, key: 'err.hhmm', names: [] },
  { re: /^must match \[A-Za-z0-9\]\[A-Za-z0-9_.-\]\{0,63\}$/, key: 'err.name', names: [] },
  { re: /^unknown weekday (.*) \(use .*\)$/, key: 'err.weekday', names: ['value'] },
  { re: /^(.*) is not a date YYYY-MM-DD that exists$/, key: 'err.date', names: ['value'] },
  { re: /^must list at least one weekday/, key: 'err.noDays', names: [] },
  { re: /^must not start or end with a space$/, key: 'err.spaces', names: [] },
  { re: /^must list three times, one per level/, key: 'err.escalateThree', names: [] },
  { re: /^must start at 0 and not decrease$/, key: 'err.escalateOrder', names: [] },
  { re: /^must be the hex SHA-256 of the token/, key: 'err.sha256', names: [] },
  { re: /^must be mqtt:\/\/, mqtts:\/\/, ws:\/\/ or wss:\/\/host\[:port\]$/, key: 'err.brokerUrl', names: [] },
  { re: /^must be one topic level: no "\/", "\+" or "#"$/, key: 'err.topicLevel', names: [] },
  { re: /^"STATE" is reserved by Sparkplug 3\.0$/, key: 'err.stateReserved', names: [] },
  { re: /^only one input can be the primary host application/, key: 'err.onePrimaryHost', names: [] },
  { re: /^duplicate input id (".*")$/, key: 'err.duplicateInput', names: ['value'] },
  { re: /^maps the same source as sources\[(\d+)\]$/, key: 'err.sameSource', names: ['n'] },
  { re: /^(".*") is not one of this input's groups$/, key: 'err.notAGroup', names: ['value'] },
  { re: /^"good" needs a rejectCounter$/, key: 'err.goodNeedsReject', names: [] },
  { re: /^needed by stateValues and reason$/, key: 'err.stateNeeded', names: [] },
  { re: /^level (\d+) (".*") must be a literal, "\+", \{node\}, \{group\}, or a final "#"$/, key: 'err.tagLevel', names: ['n', 'value'] },
  { re: /^\{node\} and \{group\} may each appear once$/, key: 'err.tagOnce', names: [] },
  { re: /^unknown IANA timezone (".*")$/, key: 'err.timezone', names: ['value'] },
  { re: /^must contain (\{\w+\}) exactly once as a whole level$/, key: 'err.patternOnce', names: ['value'] },
  { re: /^levels must be non-empty literals or/, key: 'err.patternLevels', names: [] },
  { re: /^duplicate line id (".*")$/, key: 'err.duplicateLine', names: ['value'] },
  { re: /^station ids must be unique$/, key: 'err.duplicateStation', names: [] },
  { re: /^must be more than targetTaktS \((.*) s\)$/, key: 'err.moreThanTakt', names: ['value'] },
  { re: /^must be more than smallStopAfterS \((.*) s\)$/, key: 'err.moreThanSmallStop', names: ['value'] },
  { re: /^(".*") is not one of the line's stations$/, key: 'err.notAStation', names: ['value'] },
  { re: /^"ALL" is reserved for the day row$/, key: 'err.allReserved', names: [] },
  { re: /^duplicate shift name (".*")$/, key: 'err.duplicateShift', names: ['value'] },
  { re: /^lists a weekday twice$/, key: 'err.dayTwice', names: [] },
  { re: /^break (\S+)–(\S+) is not inside shift (\S+)–(\S+)$/, key: 'err.breakOutside', names: ['from', 'to', 'start', 'end'] },
  { re: /^(".*") is listed twice as a (down|reject) reason$/, key: 'err.duplicateReason', names: ['value', 'kind'] },
  { re: /^(".*") is not a configured line$/, key: 'err.notALine', names: ['value'] },
  { re: /^a line cannot feed itself$/, key: 'err.feedsItself', names: [] },
  { re: /^duplicate token name (".*")$/, key: 'err.duplicateToken', names: ['value'] },
  { re: /^(\S+) is also a holiday/, key: 'err.holidayAndWorkday', names: ['value'] },
  { re: /^(\S+) is listed twice$/, key: 'err.listedTwice', names: ['value'] },
  { re: /^(".*") is not a state \(/, key: 'err.notAState', names: ['value'] },
];

export type ProblemText =
  | { kind: 'words'; words: ReturnType<typeof problemWords> }
  | { kind: 'config'; key: string; vars: Record<string, string> }
  | { kind: 'english'; text: string };

/** How a message can be said: the words catalogue's, this screen's own, or only its English. */
export function problemOf(message: string): ProblemText {
  const words = problemWords(message);
  if (words.key !== 'text') return { kind: 'words', words };
  for (const { re, key, names } of CONFIG_MESSAGES) {
    const m = re.exec(message);
    if (m) return { kind: 'config', key, vars: Object.fromEntries(names.map((n, i) => [n, m[i + 1]])) };
  }
  return { kind: 'english', text: message };
}
