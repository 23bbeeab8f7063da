// Where the browser transport talks to, derived from the page's own address. Pure functions so the
// token handling can be tested without a browser.

/** `?token=` on the page URL: the server hands out links with it so a wall display needs no login form. */
export function tokenFromPage(pageHref: string): string | null {
  const token = new URL(pageHref).searchParams.get('token');
  return token ? token : null;
}

/**
 * Resolved against the page rather than the host root, so the dashboard also works behind a
 * reverse proxy that serves it under a sub-path.
 */
export function rpcUrl(pageHref: string, name: string): string {
  return new URL(`api/rpc/${encodeURIComponent(name)}`, pageHref).href;
}

/**
 * WebSocket URLs cannot carry an Authorization header from a browser, hence the query parameter.
 * `token`: the one requests carry (the signed-in one, else the page's own).
 */
export function eventsUrl(pageHref: string, token: string | null = tokenFromPage(pageHref)): string {
  const url = new URL('api/events', pageHref);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token) url.searchParams.set('token', token);
  return url.href;
}

export type ExportKind = 'daily' | 'stops';

/**
 * A plain link, so the browser's own download handling (and its save dialog) applies. Only the page's own
 * token goes into it (it is in the page's address already); a signed-in token never goes into a URL.
 */
export function exportUrl(pageHref: string, date: string, token: string | null = tokenFromPage(pageHref), kind: ExportKind = 'daily'): string {
  const url = new URL(`api/export/${kind}.csv`, pageHref);
  url.searchParams.set('date', date);
  if (token) url.searchParams.set('token', token);
  return url.href;
}

/** `GET /api/health`: what a token is checked against at sign-in. */
export function healthUrl(pageHref: string): string {
  return new URL('api/health', pageHref).href;
}

export function requestHeaders(token: string | null): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

export const RECONNECT_BASE_MS = 500;
export const RECONNECT_MAX_MS = 15_000;

/**
 * Exponential backoff with ±20 % jitter: after a server restart, a room full of wall displays
 * should not all reconnect in the same instant.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.max(0, attempt));
  const jitter = 0.8 + 0.4 * random();
  return Math.round(base * jitter);
}
