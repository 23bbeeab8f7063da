// CONTRACT §6.2 last paragraph, RELIABILITY row 33: requests from another site are refused. A foreign
// `Origin` (a page of another site calling 127.0.0.1, or opening the event socket) and a foreign `Host`
// (DNS rebinding: evil.example re-pointed at 127.0.0.1) get 403 on every route and on the WebSocket
// upgrade, are logged and counted; same-origin pages, clients without Origin (curl, scripts) and names
// given with `serve --allowed-host` still work.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import path from 'node:path';
import { WebSocket } from 'ws';
import { checkRequest, hostnameOf, machineNamesOf, parseAllowedHosts, type GuardContext } from '../../main/web/request-guard.ts';
import { startWebServer, type WebServer } from '../../main/web/server.ts';
import type { Core } from '../../main/core/core-types.ts';
import { setLogSink } from '../../main/core/log.ts';
import { startServe, type Served } from '../helpers/serve.ts';
import { tempDir } from '../helpers/tmp.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

// ---- the pure check ----------------------------------------------------------------------------------

const interfaces = {
  lo: [
    { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' },
    { address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', family: 'IPv6', mac: '00:00:00:00:00:00', internal: true, cidr: '::1/128', scopeid: 0 },
  ],
  eth0: [
    { address: '192.168.10.5', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.10.5/24' },
    { address: 'fd00::5', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fd00::5/64', scopeid: 0 },
    { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
  ],
} as const;

function ctx(port = 8720, allowed: string[] = ['plant-pc.local', 'https://taktboard.plant.example']): GuardContext {
  const a = parseAllowedHosts(allowed);
  return {
    port,
    machineNames: machineNamesOf({ boundHost: '0.0.0.0', interfaces: interfaces as never, hostname: 'Halle3-PC' }),
    allowedNames: new Set(a.names),
    allowedOrigins: new Set(a.origins),
  };
}

describe('request guard (pure)', () => {
  it('reads the host name out of a Host header: port, case, brackets, trailing dot; nothing else', () => {
    expect(hostnameOf('LocalHost:8720')).toBe('localhost');
    expect(hostnameOf('[::1]:8720')).toBe('[::1]');
    expect(hostnameOf('[0:0:0:0:0:0:0:1]')).toBe('[::1]');
    expect(hostnameOf('Plant-PC.local.')).toBe('plant-pc.local');
    for (const bad of ['', ' ', 'evil.example@127.0.0.1', '127.0.0.1/x', 'a b', 'localhost:port', 'localhost:8720:1', '[::1', 'evil.example\\@localhost']) {
      expect(hostnameOf(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it('knows the names of this machine: interface addresses, host name, localhost, loopback', () => {
    const names = machineNamesOf({ boundHost: '0.0.0.0', interfaces: interfaces as never, hostname: 'Halle3-PC' });
    for (const n of ['localhost', '127.0.0.1', '[::1]', '192.168.10.5', '[fd00::5]', '[fe80::1]', 'halle3-pc']) expect(names.has(n), n).toBe(true);
    expect(names.has('0.0.0.0')).toBe(false);
    expect(machineNamesOf({ boundHost: '127.0.0.2', interfaces: {}, hostname: 'x' }).has('127.0.0.2')).toBe(true);
  });

  it('allows this machine and --allowed-host names in Host, whatever the port, in any case', () => {
    for (const host of ['localhost:8720', '127.0.0.1:8720', '127.0.0.1', '[::1]:8720', '192.168.10.5:8720', '[fd00::5]:8720', 'HALLE3-PC:8720', 'halle3-pc', 'plant-pc.local:8720', 'Plant-PC.Local', 'taktboard.plant.example', 'localhost.:8720']) {
      expect(checkRequest({ host, origin: undefined, httpVersion: '1.1' }, ctx()), host).toEqual({ ok: true });
    }
  });

  it('refuses a Host that names another site (DNS rebinding), a malformed one, and none on HTTP/1.1', () => {
    for (const host of ['evil.example', 'evil.example:8720', 'localhost.evil.example:8720', '127.0.0.1.nip.io:8720', '10.0.0.9:8720', 'plant-pc.local.evil.example', 'evil.example@localhost:8720']) {
      const r = checkRequest({ host, origin: undefined, httpVersion: '1.1' }, ctx());
      expect(r, host).toMatchObject({ ok: false, reason: 'foreign-host' });
    }
    expect(checkRequest({ host: undefined, origin: undefined, httpVersion: '1.1' }, ctx())).toMatchObject({ ok: false, reason: 'missing-host' });
    expect(checkRequest({ host: '', origin: undefined, httpVersion: '1.1' }, ctx())).toMatchObject({ ok: false, reason: 'missing-host' });
    // HTTP/1.0 may leave it out (no browser does); its Origin, if any, is still checked.
    expect(checkRequest({ host: undefined, origin: undefined, httpVersion: '1.0' }, ctx())).toEqual({ ok: true });
    expect(checkRequest({ host: undefined, origin: 'http://evil.example', httpVersion: '1.0' }, ctx())).toMatchObject({ ok: false, reason: 'foreign-origin' });
    // The Host is judged first: a rebinding page cannot borrow an allowed Origin.
    expect(checkRequest({ host: 'evil.example:8720', origin: 'http://127.0.0.1:8720' }, ctx())).toMatchObject({ ok: false, reason: 'foreign-host' });
  });

  it("allows no Origin, and an Origin that is the page's own: http://<allowed name>:<our port>", () => {
    const host = '127.0.0.1:8720';
    expect(checkRequest({ host, origin: undefined }, ctx())).toEqual({ ok: true });
    for (const origin of ['http://127.0.0.1:8720', 'http://localhost:8720', 'http://[::1]:8720', 'http://192.168.10.5:8720', 'http://halle3-pc:8720', 'http://plant-pc.local:8720', 'https://taktboard.plant.example']) {
      expect(checkRequest({ host, origin }, ctx()), origin).toEqual({ ok: true });
    }
    // Port 80: the browser leaves the port out of the origin.
    expect(checkRequest({ host: 'localhost', origin: 'http://localhost' }, ctx(80))).toEqual({ ok: true });
    expect(checkRequest({ host: 'localhost', origin: 'http://localhost:80' }, ctx(80))).toMatchObject({ ok: false, reason: 'foreign-origin' });
  });

  it('refuses every other Origin: other sites, other ports, https, null, anything malformed', () => {
    const host = '127.0.0.1:8720';
    for (const origin of [
      'http://evil.example',
      'http://evil.example:8720',
      'https://evil.example',
      'http://127.0.0.1:8721',
      'http://localhost',
      'http://localhost:80',
      'https://127.0.0.1:8720',
      'ws://127.0.0.1:8720',
      'file://',
      'null',
      'Null',
      'http://127.0.0.1:8720/',
      'http://127.0.0.1:8720/x',
      'http://user@127.0.0.1:8720',
      'http://plant-pc.local:3000',
      'https://taktboard.plant.example:8443',
      'http://taktboard.plant.example',
      'not an origin',
      '',
    ]) {
      expect(checkRequest({ host, origin }, ctx()), JSON.stringify(origin)).toMatchObject({ ok: false, reason: 'foreign-origin' });
    }
  });

  it('parses --allowed-host: names and origins, repeated or comma-separated; bad ones are named', () => {
    expect(parseAllowedHosts(['plant-pc.local,Halle3-Wand', ' https://taktboard.plant.example ', 'plant-pc.local'])).toEqual({
      names: ['plant-pc.local', 'halle3-wand', 'taktboard.plant.example'],
      origins: ['https://taktboard.plant.example'],
    });
    expect(parseAllowedHosts(['http://wall.example:8080']).origins).toEqual(['http://wall.example:8080']);
    for (const bad of ['plant-pc.local:8720', 'a b', 'evil@x', 'x/y', 'ftp://x.example', 'https://x.example/path', 'https://u@x.example', 'https://x.example?q']) {
      expect(() => parseAllowedHosts([bad]), bad).toThrow(/--allowed-host/);
    }
  });
});

// ---- through serve -----------------------------------------------------------------------------------

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A plain HTTP request with exactly the headers given (fetch would not let a test set Host). */
function request(url: string, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: opts.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A WebSocket upgrade to /api/events: 101 when it was accepted, else the status it was answered with. */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname,
      port: u.port,
      path: '/api/events',
      agent: false,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode!, body: '' });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const ROUTES: { method: string; path: string; body?: string; ok: number }[] = [
  { method: 'GET', path: '/api/live', ok: 200 },
  { method: 'POST', path: '/api/rpc/live', body: '{}', ok: 200 },
  { method: 'GET', path: '/', ok: 200 },
  { method: 'GET', path: '/api/health', ok: 200 },
];

describe('serve refuses cross-site requests (RELIABILITY 33)', () => {
  let served: Served;
  let allowed: Served;
  let port: number;
  const self = () => `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    const dir = tempDir('origin');
    [served, allowed] = await Promise.all([
      startServe(['--db', path.join(dir, 'a.sqlite')]),
      startServe(['--db', path.join(dir, 'b.sqlite'), '--allowed-host', 'plant-pc.local', '--allowed-host', 'wall-1,wall-2']),
    ]);
    port = Number(new URL(served.url).port);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([served?.stop(), allowed?.stop()]);
  });

  it('a foreign Origin gets 403 on the API, the RPC, static files and the event socket', async () => {
    for (const origin of ['http://evil.example', `http://evil.example:${port}`, 'null', `http://127.0.0.1:${port + 1}`]) {
      for (const r of ROUTES) {
        const a = await request(served.url, { method: r.method, path: r.path, body: r.body, headers: { Origin: origin, 'Content-Type': 'application/json' } });
        expect(a.status, `${origin} ${r.method} ${r.path}`).toBe(403);
        expect(JSON.parse(a.body)).toEqual({ error: 'cross-site request refused', words: { key: 'refusal.cross_site' } });
        // The refusal carries the same security headers as every answer.
        expect(a.headers['x-frame-options']).toBe('DENY');
        expect(a.headers['content-security-policy']).toMatch(/default-src 'self'/);
        expect(a.headers['access-control-allow-origin']).toBeUndefined();
      }
      const ws = await upgrade(served.url, { Origin: origin });
      expect(ws, origin).toEqual({ status: 403, body: 'cross-site request refused' });
    }
  });

  it('a foreign Host (DNS rebinding) gets 403 on HTTP and on the event socket', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, `localhost.evil.example:${port}`]) {
      for (const r of ROUTES) {
        const a = await request(served.url, { method: r.method, path: r.path, body: r.body, headers: { Host: host } });
        expect(a.status, `${host} ${r.method} ${r.path}`).toBe(403);
      }
      // What a rebinding page sends: its own name as Host and as Origin.
      expect((await request(served.url, { path: '/api/live', headers: { Host: host, Origin: `http://${host}` } })).status).toBe(403);
      expect((await upgrade(served.url, { Host: host })).status, host).toBe(403);
      expect((await upgrade(served.url, { Host: host, Origin: `http://${host}` })).status, host).toBe(403);
    }
    // Not this machine until it is given with --allowed-host.
    expect((await request(served.url, { path: '/api/live', headers: { Host: `plant-pc.local:${port}` } })).status).toBe(403);
  });

  it('its own origin, no Origin at all, and Host localhost / 127.0.0.1 work', async () => {
    const variants: Record<string, string>[] = [{}, { Origin: self() }, { Origin: `http://localhost:${port}` }, { Host: `localhost:${port}` }, { Host: `127.0.0.1:${port}` }, { Host: `LOCALHOST:${port}`, Origin: `http://localhost:${port}` }];
    for (const headers of variants) {
      for (const r of ROUTES) {
        const a = await request(served.url, { method: r.method, path: r.path, body: r.body, headers: { 'Content-Type': 'application/json', ...headers } });
        expect(a.status, `${JSON.stringify(headers)} ${r.method} ${r.path}`).toBe(r.ok);
      }
      expect((await upgrade(served.url, headers)).status, JSON.stringify(headers)).toBe(101);
    }
    // The event socket as a same-origin page opens it: the first event arrives.
    const first = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(served.url.replace('http', 'ws') + 'api/events', { origin: self() });
      ws.once('message', (d) => {
        resolve(JSON.parse(String(d)).event);
        ws.close();
      });
      ws.once('error', reject);
    });
    expect(['live', 'connection']).toContain(first);
  });

  it('with --allowed-host, a Host and Origin of that name work (and only those)', async () => {
    const p = Number(new URL(allowed.url).port);
    for (const name of ['plant-pc.local', 'PLANT-PC.local', 'wall-1', 'wall-2']) {
      const headers = { Host: `${name}:${p}`, Origin: `http://${name.toLowerCase()}:${p}`, 'Content-Type': 'application/json' };
      for (const r of ROUTES) {
        const a = await request(allowed.url, { method: r.method, path: r.path, body: r.body, headers });
        expect(a.status, `${name} ${r.method} ${r.path}`).toBe(r.ok);
      }
      expect((await upgrade(allowed.url, headers)).status, name).toBe(101);
    }
    expect((await request(allowed.url, { path: '/api/live', headers: { Host: `evil.example:${p}` } })).status).toBe(403);
    expect((await request(allowed.url, { path: '/api/live', headers: { Host: `plant-pc.local:${p}`, Origin: `http://plant-pc.local:${p + 1}` } })).status).toBe(403);
    expect((await upgrade(allowed.url, { Host: `plant-pc.local:${p}`, Origin: 'http://evil.example' })).status).toBe(403);
  });

  it('logs each refusal with reason, host, origin and path, never the query (it may carry a token)', async () => {
    await request(allowed.url, { path: '/api/live?token=do-not-log-me', headers: { Origin: 'http://logged.example' } });
    await upgrade(allowed.url, { Host: 'rebind.example' });
    await new Promise((r) => setTimeout(r, 200));
    const lines = allowed.output().split('\n').filter((l) => l.includes('refused a cross-site request'));
    expect(lines.some((l) => /WARN/.test(l) && /"reason":"foreign-origin"/.test(l) && /"origin":"http:\/\/logged\.example"/.test(l) && /"path":"\/api\/live"/.test(l))).toBe(true);
    expect(lines.some((l) => /"reason":"foreign-host"/.test(l) && /"host":"rebind\.example"/.test(l) && /"websocket":true/.test(l))).toBe(true);
    expect(allowed.output()).not.toContain('do-not-log-me');
  });

  it('`serve --allowed-host` with a port or a path is a usage error (exit 2)', async () => {
    await expect(startServe(['--allowed-host', 'plant-pc.local:8720'])).rejects.toThrow(/exited with 2[\s\S]*--allowed-host: "plant-pc.local:8720" must be a host name/);
  });
});

describe('WebServer.refusals() (for Diagnostics)', () => {
  let web: WebServer;
  const core = { handlers: { live: () => ({}) }, subscribe: () => () => undefined } as unknown as Core;

  beforeAll(async () => {
    web = await startWebServer({ core, host: '127.0.0.1', port: 0, staticDir: path.join(ROOT, 'dist', 'renderer'), allowedHosts: ['plant-pc.local'] });
  });
  afterAll(async () => {
    await web?.close();
  });

  it('counts refusals by reason and keeps the last ones, newest last, without the query', async () => {
    expect(web.refusals()).toEqual({ total: 0, byReason: { 'foreign-origin': 0, 'foreign-host': 0, 'missing-host': 0 }, recent: [] });
    await request(web.url, { path: '/api/live?token=x', headers: { Origin: 'http://evil.example' } });
    await request(web.url, { path: '/', headers: { Host: 'evil.example' } });
    await upgrade(web.url, { Origin: 'null' });
    expect((await request(web.url, { path: '/', headers: { Host: 'plant-pc.local' } })).status).toBe(200);
    const r = web.refusals();
    expect(r.total).toBe(3);
    expect(r.byReason).toEqual({ 'foreign-origin': 2, 'foreign-host': 1, 'missing-host': 0 });
    expect(r.recent.map((x) => [x.reason, x.method, x.path, x.host?.replace(/:\d+$/, ''), x.origin, x.websocket])).toEqual([
      ['foreign-origin', 'GET', '/api/live', '127.0.0.1', 'http://evil.example', false],
      ['foreign-host', 'GET', '/', 'evil.example', null, false],
      ['foreign-origin', 'GET', '/api/events', '127.0.0.1', 'null', true],
    ]);
    expect(typeof r.recent[0].ts).toBe('number');
    // A copy: the caller cannot change the server's counts.
    r.recent.length = 0;
    expect(web.refusals().recent).toHaveLength(3);
    for (let i = 0; i < 30; i++) await request(web.url, { path: `/n${i}`, headers: { Origin: 'http://evil.example' } });
    expect(web.refusals().recent).toHaveLength(20);
    expect(web.refusals().recent.at(-1)!.path).toBe('/n29');
    expect(web.refusals().total).toBe(33);
  });

  it('logs at most 100 refusals a minute (a hostile page cannot flood the log) but counts them all', async () => {
    const lines: string[] = [];
    const restore = setLogSink((l) => lines.push(l));
    try {
      const before = web.refusals().total;
      for (let i = 0; i < 150; i++) await request(web.url, { path: '/api/live', headers: { Host: 'flood.example' } });
      expect(web.refusals().total - before).toBe(150);
      const logged = lines.filter((l) => l.includes('refused a cross-site request'));
      expect(logged.length).toBeGreaterThan(0);
      expect(logged.length).toBeLessThanOrEqual(100);
      expect(lines.some((l) => /the rest are counted, not logged/.test(l))).toBe(true);
    } finally {
      restore();
    }
  });
});
