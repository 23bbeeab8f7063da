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

/** WebSocket URLs cannot carry an Authorization header from a browser, hence the query parameter. */
export function eventsUrl(pageHref: string): string {
  const url = new URL('api/events', pageHref);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = tokenFromPage(pageHref);
  if (token) url.searchParams.set('token', token);
  return url.href;
}

/** A plain link, so the browser's own download handling (and its save dialog) applies. */
export function exportUrl(pageHref: string, date: string): string {
  const url = new URL('api/export/daily.csv', pageHref);
  url.searchParams.set('date', date);
  const token = tokenFromPage(pageHref);
  if (token) url.searchParams.set('token', token);
  return url.href;
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
