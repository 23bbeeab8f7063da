// The browser shell (`taktboard serve`): the built renderer, the HTTP API of CONTRACT §6, and a
// WebSocket pushing the same events the desktop window gets over IPC. Read-only by design.
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseArgs, isRequestName, EVENT_NAMES, DATE_RE, type EventName, type Events } from '../../shared/api.ts';
import type { Core } from '../core/core-types.ts';
import { RequestError } from '../core/errors.ts';
import { logger } from '../core/log.ts';
import { securityHeaders, sendJson, sendError, readBody, BodyTooLarge, isLoopback } from './http-util.ts';
import { serveStatic } from './static-files.ts';

const log = logger('web');
const MAX_BODY = 64 * 1024;
/** A client that cannot keep up is dropped rather than buffering snapshots without bound. */
const MAX_WS_BUFFER = 8 * 1024 * 1024;

export interface WebServerOptions {
  core: Core;
  host: string;
  port: number;
  staticDir: string;
  /** Required when host is not loopback: API calls must carry it (Bearer header or ?token=). */
  token?: string;
}

export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const { core } = opts;
  if (!isLoopback(opts.host) && !opts.token) throw new Error(`serving on ${opts.host} needs an access token (TAKTBOARD_TOKEN)`);
  const tokenOk = (req: http.IncomingMessage, url: URL) => {
    if (!opts.token) return true;
    const given = (req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? url.searchParams.get('token') ?? '').trim();
    const a = Buffer.from(given);
    const b = Buffer.from(opts.token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const server = http.createServer((req, res) => {
    securityHeaders(res);
    handle(req, res).catch((e) => {
      log.error('request failed', { url: req.url, error: String(e) });
      if (!res.headersSent) sendError(res, 500, 'internal error');
      else res.end();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://local');
    } catch {
      return sendError(res, 400, 'bad URL');
    }
    const p = url.pathname;
    if (p.startsWith('/api/')) {
      if (!tokenOk(req, url)) return sendError(res, 401, 'access token required');
      return api(req, res, url);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'method not allowed');
    if (await serveStatic(opts.staticDir, p, res)) return;
    // Unknown paths without an extension are screens of the single-page app.
    if (!/\.[a-z0-9]+$/i.test(p) && (await serveStatic(opts.staticDir, '/', res))) return;
    sendError(res, 404, 'not found');
  }

  async function api(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const p = url.pathname;
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (p === '/api/health') {
      if (!get) return sendError(res, 405, 'method not allowed');
      const snap = await core.handlers.live({});
      return sendJson(res, 200, { ok: true, broker: snap.broker.status, brokerError: snap.broker.error, counters: snap.counters, alerts: snap.alerts });
    }
    if (p === '/api/live') {
      if (!get) return sendError(res, 405, 'method not allowed');
      return sendJson(res, 200, await core.handlers.live({}));
    }
    if (p === '/api/export/daily.csv') {
      if (!get) return sendError(res, 405, 'method not allowed');
      const date = url.searchParams.get('date');
      if (!date || !DATE_RE.test(date)) return sendError(res, 400, 'date: must be a date YYYY-MM-DD');
      const out = await core.handlers.dailyCsv({ date });
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
      if (req.method !== 'POST') return sendError(res, 405, 'use POST');
      const name = rpc[1];
      if (!isRequestName(name)) return sendError(res, 404, `unknown request "${name}"`);
      let raw: unknown = {};
      try {
        const text = await readBody(req, MAX_BODY);
        raw = text.trim() ? JSON.parse(text) : {};
      } catch (e) {
        if (e instanceof BodyTooLarge) res.setHeader('Connection', 'close');
        return sendError(res, e instanceof BodyTooLarge ? 413 : 400, e instanceof BodyTooLarge ? e.message : 'body is not valid JSON');
      }
      const parsed = parseArgs(name, raw);
      if (!parsed.ok) {
        log.warn('refused bad arguments', { request: name, error: parsed.error });
        return sendError(res, 400, parsed.error);
      }
      try {
        const handler = core.handlers[name] as (a: unknown) => unknown;
        return sendJson(res, 200, await handler(parsed.args));
      } catch (e) {
        if (e instanceof RequestError) return sendError(res, 400, e.message);
        throw e;
      }
    }
    return sendError(res, 404, 'not found');
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (req, socket, head) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://local');
    } catch {
      socket.destroy();
      return;
    }
    if (url.pathname !== '/api/events' || !tokenOk(req, url)) {
      socket.write('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const send = <E extends EventName>(event: E, payload: Events[E]) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_WS_BUFFER) {
        log.warn('dropping a slow WebSocket client');
        ws.terminate();
        return;
      }
      ws.send(JSON.stringify({ event, payload }));
    };
    const offs = EVENT_NAMES.map((name) => core.subscribe(name, (payload) => send(name, payload as never)));
    ws.on('close', () => offs.forEach((off) => off()));
    ws.on('error', () => ws.terminate());
    // Clients only listen; anything they send is ignored.
    ws.on('message', () => undefined);
    Promise.resolve(core.handlers.live({}))
      .then((snap) => {
        send('connection', snap.broker);
        send('live', snap);
      })
      .catch((e) => log.error('first snapshot failed', { error: String(e) }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostForUrl}:${port}/`,
    port,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}
