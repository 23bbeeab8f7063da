// The wall display's address and paging rules, pure so they are tested without a browser.
//
//   #/wall                          every line, dark theme, pages of 2 tiles rotating every 15 s
//   #/wall?lines=a,b                only these lines, in this order
//   #/wall?theme=light              the light theme (for bright halls); default dark
//   #/wall?per=3                    tiles per page, 1–6 (default 2)
//   #/wall?rotate=30                seconds per page, 5–600; rotate=0 holds the page (arrows still turn it)
//   #/wall?lang=zh-CN               the language (remembered like the language switch)
//
// Paging rule: the lines (configured order, then unconfigured ones; or the order of `lines=`) are cut into
// pages of `per` tiles; every page has the same tile size (the columns of a full page), so a line's tile never
// changes size when the page turns. Pages turn every `rotate` seconds; a page with an open alert is marked
// in the footer so nobody waits for it blind. Two tiles side by side keep the type sizes legible at 5 m
// (styles.css, wall block); per=3 puts three side by side at 2/3 of them (about 3.4 m), per=4–6 two rows at
// half (about 2.5 m). A portrait screen stacks 2 tiles at the full sizes.
import { isLanguage, type Language } from '../../i18n.ts';

export type WallTheme = 'dark' | 'light';

export interface WallParams {
  /** Line ids in the order to show, or null for every line. */
  lines: string[] | null;
  theme: WallTheme;
  /** Seconds per page; 0: no rotation. */
  rotateS: number;
  /** Tiles per page, or null for the default of the screen's orientation. */
  per: number | null;
  lang: Language | null;
}

export const DEFAULT_ROTATE_S = 15;
export const MIN_ROTATE_S = 5;
export const MAX_ROTATE_S = 600;
export const MAX_PER_PAGE = 6;
export const DEFAULT_PER_PAGE = 2;

export const DEFAULT_WALL: WallParams = { lines: null, theme: 'dark', rotateS: DEFAULT_ROTATE_S, per: null, lang: null };

function intParam(value: string | null, min: number, max: number): number | null {
  if (value === null || !/^\d{1,4}$/.test(value.trim())) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

/** Anything unknown or out of range falls back to its default: a mistyped URL still shows a wall. */
export function parseWallParams(query: string): WallParams {
  const q = new URLSearchParams(query.replace(/^\?/, ''));
  const ids = (q.get('lines') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const rotateRaw = q.get('rotate');
  const rotateS = rotateRaw !== null && rotateRaw.trim() === '0' ? 0 : (intParam(rotateRaw, MIN_ROTATE_S, MAX_ROTATE_S) ?? DEFAULT_ROTATE_S);
  const lang = q.get('lang');
  return {
    lines: ids.length ? [...new Set(ids)] : null,
    theme: q.get('theme') === 'light' ? 'light' : 'dark',
    rotateS,
    per: intParam(q.get('per'), 1, MAX_PER_PAGE),
    lang: isLanguage(lang) ? lang : null,
  };
}

/** The hash of a wall; parameters at their defaults are left out. */
export function wallHref(p: WallParams): string {
  const q = new URLSearchParams();
  if (p.lines) q.set('lines', p.lines.join(','));
  if (p.theme !== 'dark') q.set('theme', p.theme);
  if (p.rotateS !== DEFAULT_ROTATE_S) q.set('rotate', String(p.rotateS));
  if (p.per !== null) q.set('per', String(p.per));
  if (p.lang) q.set('lang', p.lang);
  const s = q.toString().replace(/%2C/g, ',');
  return s ? `#/wall?${s}` : '#/wall';
}

/** The lines `lines=` names, in its order, and the names not in the live data (said on screen, never a blank). */
export function selectLines<L extends { id: string }>(all: readonly L[], ids: string[] | null): { shown: L[]; missing: string[] } {
  if (!ids) return { shown: [...all], missing: [] };
  const byId = new Map(all.map((l) => [l.id, l]));
  return { shown: ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])), missing: ids.filter((id) => !byId.has(id)) };
}

/** Two tiles a page unless `per=` says otherwise: two is what fits side by side at the 5 m type sizes. */
export function perPage(param: number | null): number {
  return param ?? DEFAULT_PER_PAGE;
}

export function pagesOf<T>(items: readonly T[], per: number): T[][] {
  const n = Math.max(1, Math.floor(per));
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += n) pages.push(items.slice(i, i + n));
  return pages.length ? pages : [[]];
}

/**
 * The grid of a page: as many cells as the fullest page needs (so tiles keep their size from page to page).
 * Landscape: 1 or 2 tiles side by side at the 5 m sizes; 3 side by side at 2/3 of them; 4–6 in two rows at
 * half. Portrait: one column, 2 tiles at the 5 m sizes, more at 2/n. `scale` is the type size against the
 * 5 m sizes (styles.css, wall block).
 */
export function gridOf(tilesOnFullPage: number, portrait: boolean): { columns: number; rows: number; scale: 1 | 0.67 | 0.5 | 0.33 } {
  const n = Math.max(1, Math.min(MAX_PER_PAGE, Math.floor(tilesOnFullPage)));
  if (portrait) return { columns: 1, rows: n, scale: n <= 2 ? 1 : n === 3 ? 0.67 : n === 4 ? 0.5 : 0.33 };
  if (n <= 2) return { columns: n, rows: 1, scale: 1 };
  if (n === 3) return { columns: 3, rows: 1, scale: 0.67 };
  return { columns: Math.ceil(n / 2), rows: 2, scale: 0.5 };
}

/** The page after `page` (wrapping), or before it with `step` -1. */
export function turnPage(page: number, pages: number, step: 1 | -1): number {
  if (pages <= 1) return 0;
  return (((page + step) % pages) + pages) % pages;
}
