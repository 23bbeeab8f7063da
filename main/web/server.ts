// The browser shell (`taktboard serve`): the built renderer, the HTTP API of CONTRACT §6, and a
// WebSocket pushing the same events the desktop window gets over IPC. Every request and WebSocket upgrade
// first passes the cross-site guard (request-guard.ts, §6.2); reads are open on loopback, writes need a
// token of the role they name (access.ts), and every refused write is audited.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { checkDate, parseArgs } from '../../shared/api-schemas.ts';
import { WRITE_ROLES, isRequestName, roleAtLeast, type Caller, type RequestName } from '../../shared/api.ts';
import type { Core } from '../core/core-types.ts';
import { english, type Words } from '../../shared/words.ts';
import { RequestError } from '../core/errors.ts';
import { logger } from '../core/log.ts';
import { securityHeaders, sendJson, sendError, readBody, BodyTooLarge, isLoopback } from './http-util.ts';
import { serveStatic } from './static-files.ts';
import { checkRequest, machineNamesOf, parseAllowedHosts, type GuardContext, type RefusalReason } from './request-guard.ts';
import { createViewerHub, type ViewerStats } from './viewers.ts';
import { identify, tokenOf, type AccessOptions } from './access.ts';

const log = logger('web');
const MAX_BODY = 64 * 1024;
/** Interface addresses can change (DHCP, a cable plugged in): re-read them this often, or on a miss. */
const NAMES_TTL_MS = 30_000;
const NAMES_RETRY_MS = 5_000;
/** Refusals logged per minute at most; the rest are counted and summarized, so a hostile page cannot flood the log. */
const REFUSAL_LOG_PER_MIN = 100;
const RECENT_REFUSALS = 20;

export interface WebServerOptions {
  core: Core;
  host: string;
  port: number;
  staticDir: string;
  /** Required when host is not loopback: API calls must carry it (Bearer header or ?token=). */
  token?: string;
  /**
   * `serve --allowed-host` values: more names (beyond this machine's) that Host and Origin may carry, or
   * exact origins (`https://name[:port]`) of a reverse proxy in front. Comma lists are accepted.
   */
  allowedHosts?: readonly string[];
}

/** One refused request, as kept for Diagnostics. Paths are without their query (it may carry a token). */
export interface Refusal {
  ts: number;
  reason: RefusalReason;
  detail: string;
  method: string;
  path: string;
  host: string | null;
  origin: string | null;
  websocket: boolean;
}

/** What `WebServer.refusals()` returns: totals since start, by reason, and the last RECENT_REFUSALS (oldest first). */
export interface RefusalStats {
  total: number;
  byReason: Record<RefusalReason, number>;
  recent: Refusal[];
}

export interface WebServer {
  url: string;
  port: number;
  /** Cross-site requests refused with 403 (CONTRACT §6.2), for Diagnostics. */
  refusals(): RefusalStats;
  /** The `/api/events` viewers: open, behind, events dropped for slow ones, closed as stalled. */
  viewers(): ViewerStats;
  close(): Promise<void>;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const { core } = opts;
  const loopback = isLoopback(opts.host);
  if (!loopback && !opts.token && core.config.access.tokens.length === 0) {
    throw new Error(`serving on ${opts.host} needs an access token (TAKTBOARD_TOKEN, or access.tokens in the configuration)`);
  }
  // Tokens follow the running configuration: one created or revoked in Settings counts at once.
  // A token given to the shell (TAKTBOARD_TOKEN) is needed for every read, even on loopback.
  const access = (): AccessOptions => ({ tokens: core.config.access.tokens, viewerToken: opts.token, loopback: loopback && !opts.token });
  const who = (req: http.IncomingMessage, url: URL) => identify(tokenOf(req, url), access());

  const allowed = parseAllowedHosts(opts.allowedHosts ?? []);
  const allowedNames = new Set(allowed.names);
  const allowedOrigins = new Set(allowed.origins);
  let port = opts.port;
  let names = machineNamesOf({ boundHost: opts.host });
  let namesAt = Date.now();
  const guardContext = (): GuardContext => {
    if (Date.now() - namesAt > NAMES_TTL_MS) refreshNames();
    return { port, machineNames: names, allowedNames, allowedOrigins };
  };
  const refreshNames = () => {
    names = machineNamesOf({ boundHost: opts.host });
    namesAt = Date.now();
  };

  const refused: RefusalStats = { total: 0, byReason: { 'foreign-origin': 0, 'foreign-host': 0, 'missing-host': 0 }, recent: [] };
  let logWindowStart = 0;
  let loggedInWindow = 0;
  let unlogged = 0;
  const clip = (v: string | undefined) => (v === undefined ? null : v.length > 200 ? v.slice(0, 200) + '…' : v);

  /** Null when the request may go on; otherwise it has been counted and logged, and must get a 403. */
  function guard(req: http.IncomingMessage, websocket: boolean): Refusal | null {
    const input = { host: req.headers.host, origin: req.headers.origin, httpVersion: req.httpVersion };
    let verdict = checkRequest(input, guardContext());
    if (!verdict.ok && verdict.reason === 'foreign-host' && Date.now() - namesAt > NAMES_RETRY_MS) {
      refreshNames();
      verdict = checkRequest(input, guardContext());
    }
    if (verdict.ok) return null;
    const r: Refusal = {
      ts: Date.now(),
      reason: verdict.reason,
      detail: clip(verdict.detail)!,
      method: req.method ?? '',
      path: clip((req.url ?? '').split('?')[0])!,
      host: clip(req.headers.host),
      origin: clip(req.headers.origin),
      websocket,
    };
    refused.total++;
    refused.byReason[r.reason]++;
    refused.recent.push(r);
    if (refused.recent.length > RECENT_REFUSALS) refused.recent.shift();
    if (r.ts - logWindowStart > 60_000) {
      if (unlogged > 0) log.warn('cross-site refusals not logged in the last minute', { count: unlogged });
      logWindowStart = r.ts;
      loggedInWindow = 0;
      unlogged = 0;
    }
    if (loggedInWindow < REFUSAL_LOG_PER_MIN) {
      loggedInWindow++;
      log.warn('refused a cross-site request', { reason: r.reason, detail: r.detail, method: r.method, path: r.path, host: r.host, origin: r.origin, websocket });
      if (loggedInWindow === REFUSAL_LOG_PER_MIN) log.warn(`more than ${REFUSAL_LOG_PER_MIN} cross-site refusals this minute: the rest are counted, not logged`);
    } else unlogged++;
    return r;
  }

  const stats = (): RefusalStats => ({ total: refused.total, byReason: { ...refused.byReason }, recent: refused.recent.map((r) => ({ ...r })) });

  const server = http.createServer((req, res) => {
    securityHeaders(res);
    if (guard(req, false)) return sendError(res, 403, { key: 'refusal.cross_site' });
    handle(req, res).catch((e) => {
      log.error('request failed', { url: req.url, error: String(e) });
      if (!res.headersSent) sendError(res, 500, { key: 'refusal.internal' });
      else res.end();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://local');
    } catch {
      return sendError(res, 400, { key: 'refusal.bad_url' });
    }
    const p = url.pathname;
    if (p.startsWith('/api/')) {
      const id = who(req, url);
      if (!id.ok) {
        const name = /^\/api\/rpc\/([A-Za-z]+)$/.exec(p)?.[1];
        if (name && isRequestName(name) && WRITE_ROLES[name]) core.audit({ who: 'unknown token', role: 'none', action: name, target: null, outcome: 'refused', detail: english(id.error) });
        return sendError(res, id.status, id.error);
      }
      return api(req, res, url, id.caller);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, { key: 'refusal.method' });
    if (await serveStatic(opts.staticDir, p, res)) return;
    // Unknown paths without an extension are screens of the single-page app.
    if (!/\.[a-z0-9]+$/i.test(p) && (await serveStatic(opts.staticDir, '/', res))) return;
    sendError(res, 404, { key: 'refusal.not_found' });
  }

  async function api(req: http.IncomingMessage, res: http.ServerResponse, url: URL, caller: Caller): Promise<void> {
    const p = url.pathname;
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (p === '/api/health') {
      if (!get) return sendError(res, 405, { key: 'refusal.method' });
      const snap = await core.handlers.live({}, caller);
      return sendJson(res, 200, { ok: true, broker: snap.broker.status, brokerError: snap.broker.error, counters: snap.counters, alerts: snap.alerts });
    }
    if (p === '/api/live') {
      if (!get) return sendError(res, 405, { key: 'refusal.method' });
      return sendJson(res, 200, await core.handlers.live({}, caller));
    }
    const csv = /^\/api\/export\/(daily|stops)\.csv$/.exec(p);
    if (csv) {
      if (!get) return sendError(res, 405, { key: 'refusal.method' });
      const date = url.searchParams.get('date');
      const bad = checkDate(date);
      if (bad) return sendError(res, 400, bad);
      const out = await (csv[1] === 'daily' ? core.handlers.dailyCsv : core.handlers.stopsCsv)({ date: date! }, caller);
      res.writeHead(200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${out.fileName}"`,
        'Cache-Control': 'no-store',
      });
      res.end(Buffer.from(out.csv, 'utf8'));
      return;
    }
    const rpc = /^\/api\/rpc\/([A-Za-z]+)$/.exec(p);
    if (rpc) {
      if (req.method !== 'POST') return sendError(res, 405, { key: 'refusal.use_post' });
      const name = rpc[1];
      if (!isRequestName(name)) return sendError(res, 404, { key: 'refusal.unknown_request', params: { name } });
      let raw: unknown = {};
      try {
        const text = await readBody(req, MAX_BODY);
        raw = text.trim() ? JSON.parse(text) : {};
      } catch (e) {
        if (e instanceof BodyTooLarge) res.setHeader('Connection', 'close');
        return sendError(res, e instanceof BodyTooLarge ? 413 : 400, e instanceof BodyTooLarge ? e.words : { key: 'refusal.bad_json' });
      }
      const needed = WRITE_ROLES[name];
      if (needed && !roleAtLeast(caller.role, needed)) return refuseWrite(res, name, caller, needed, raw);
      const parsed = parseArgs(name, raw);
      if (!parsed.ok) {
        log.warn('refused bad arguments', { request: name, error: parsed.error });
        if (needed) core.audit({ who: caller.who, role: caller.role, action: name, target: raw, outcome: 'invalid', detail: parsed.error });
        return sendError(res, 400, parsed.words);
      }
      try {
        const handler = core.handlers[name] as (a: unknown, c: Caller) => unknown;
        const result = await handler(parsed.args, caller);
        // Diagnostics from this shell also tell what it refused and how its viewers keep up.
        return sendJson(res, 200, name === 'diagnostics' ? { ...(result as object), web: { crossSite: stats(), viewers: hub.stats() } } : result);
      } catch (e) {
        if (e instanceof RequestError) return sendError(res, 400, e.words ?? e.message);
        throw e;
      }
    }
    return sendError(res, 404, { key: 'refusal.not_found' });
  }

  /** 401 without a token (the browser then asks for one), 403 with one of too low a role; audited either way. */
  function refuseWrite(res: http.ServerResponse, name: RequestName, caller: Caller, needed: string, target: unknown): void {
    const anonymous = caller.who === 'anonymous';
    const error: Words = anonymous
      ? { key: 'refusal.write_needs_token', params: { action: name, role: needed } }
      : { key: 'refusal.write_role_low', params: { action: name, role: needed, who: caller.who, has: caller.role } };
    core.audit({ who: caller.who, role: caller.role, action: name, target, outcome: 'refused', detail: english(error) });
    sendError(res, anonymous ? 401 : 403, error);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const hub = createViewerHub(core);
  server.on('upgrade', (req, socket, head) => {
    if (guard(req, true)) return refuseUpgrade(socket, 403, 'Forbidden', 'cross-site request refused');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://local');
    } catch {
      socket.destroy();
      return;
    }
    if (url.pathname !== '/api/events' || !who(req, url).ok) {
      socket.write('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.add(ws));
  });

  function refuseUpgrade(socket: Duplex, status: number, text: string, body: string): void {
    socket.once('finish', () => socket.destroy());
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => {
      hub.close();
      reject(e);
    });
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostForUrl}:${port}/`,
    port,
    refusals: stats,
    viewers: () => hub.stats(),
    async close() {
      hub.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}
