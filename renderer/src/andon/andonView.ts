// How the screens show andon alerts (CONTRACT §6.1): which comes first, the words of their details, how long
// they have been open. Pure, so the rules are tested without a browser; the figures themselves (levels,
// since, who acknowledged) come from the core as they are.
import type { AndonAlert, AndonChange } from '../../../shared/api.ts';
import { dictionaries, translate, type Language, type MessageKey } from '../i18n.ts';
import { formatClock } from '../display.ts';

export type AndonKind = AndonAlert['kind'];

/** Most urgent first: the higher level, then the one open longest, then by id (stable). */
export function byUrgency(a: AndonAlert, b: AndonAlert): number {
  return b.level - a.level || a.openedAt - b.openedAt || a.id - b.id;
}

/** The alerts of one line, most urgent first. */
export function alertsOfLine(alerts: readonly AndonAlert[], lineId: string): AndonAlert[] {
  return alerts.filter((a) => a.line === lineId).sort(byUrgency);
}

/** Levels run 1–3; anything else the core might send is shown as the nearest of them. */
export function levelClass(level: number): 1 | 2 | 3 {
  return level >= 3 ? 3 : level <= 1 ? 1 : 2;
}

/** An alert that opened or rose a level is news (a notification, a sound); an acknowledgement or a close is not. */
export function isNews(change: AndonChange): boolean {
  return change.change === 'opened' || change.change === 'escalated';
}

export type DurationParts = { unit: 's'; n: number } | { unit: 'min'; n: number } | { unit: 'hmin'; h: number; min: number };

/** "45 s", "12 min", "2 h 5 min": whole units, never negative (a viewer clock behind the server's). */
export function durationParts(ms: number): DurationParts {
  const s = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  if (s < 60) return { unit: 's', n: s };
  const min = Math.floor(s / 60);
  if (min < 60) return { unit: 'min', n: min };
  return { unit: 'hmin', h: Math.floor(min / 60), min: min % 60 };
}

export function formatDuration(lang: Language, ms: number): string {
  const p = durationParts(ms);
  if (p.unit === 'hmin') return translate(lang, 'dur.hmin', { h: p.h, min: p.min });
  return translate(lang, p.unit === 's' ? 'dur.s' : 'dur.min', { n: p.n });
}

/**
 * The alert's detail in `lang`: the core sends words (`andon.line_down` with its parameters) and the English
 * beside them. A key this build does not know, or a template missing a parameter, gives the English as sent.
 * Times among the parameters (an ISO `since`) are shown as the plant's clock time.
 */
export function alertDetail(lang: Language, alert: Pick<AndonAlert, 'detail' | 'words'>, timezone: string): string {
  const key = alert.words?.key;
  const dict = dictionaries[lang] as Readonly<Record<string, string>>;
  if (typeof key !== 'string' || !key.startsWith('andon.') || !Object.prototype.hasOwnProperty.call(dict, key)) return alert.detail;
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(alert.words.params ?? {})) {
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && Number.isFinite(Date.parse(value))) params[name] = formatClock(Date.parse(value), timezone);
    else if (typeof value === 'string' || typeof value === 'number') params[name] = typeof value === 'number' ? formatParam(value) : value;
  }
  const text = translate(lang, key as MessageKey, params);
  return /\{\w+\}/.test(text) ? alert.detail : text;
}

/** Numbers as the core computed them, with thousands grouped ("23,600") and at most three decimals. */
function formatParam(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : String(Math.round(n * 1000) / 1000);
}

/** "line name · station" as the banner and the notification name it. */
export function placeOf(alert: Pick<AndonAlert, 'line' | 'station'>, lineName: (id: string) => string): string {
  const line = lineName(alert.line);
  return alert.station ? `${line} · ${alert.station}` : line;
}

/** The i18n key of an alert kind's words. */
export function kindKey(kind: AndonKind): MessageKey {
  return `andon.kind.${kind}` as MessageKey;
}
