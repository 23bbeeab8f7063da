// The browser shell is safe to leave running: read-only, token-guarded off loopback, no stack traces,
// no path traversal, security headers on every answer. Runs on the real demo engine.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import { WebSocket } from 'ws';
import { english } from '../../shared/words.ts';
import { startRuntime, type Runtime } from '../../main/core/runtime.ts';
import { startWebServer, type WebServer } from '../../main/web/server.ts';
import { resolveStatic } from '../../main/web/static-files.ts';
import { tempDir } from '../helpers/tmp.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const STATIC = path.join(ROOT, 'dist', 'renderer');

describe('web shell', () => {
  let runtime: Runtime;
  let open: WebServer;
  let guarded: WebServer;

  beforeAll(async () => {
    runtime = await startRuntime({ dbPath: path.join(tempDir('web'), 'demo.sqlite'), backfillMs: 10 * 60_000 });
    open = await startWebServer({ core: runtime.core, host: '127.0.0.1', port: 0, staticDir: STATIC });
    guarded = await startWebServer({ core: runtime.core, host: '127.0.0.1', port: 0, staticDir: STATIC, token: 's3cret-token' });
  });
  afterAll(async () => {
    await open?.close();
    await guarded?.close();
    await runtime?.stop();
  });

  it('refuses to serve beyond loopback without a token', async () => {
    // A plant with no configured tokens (the demo makes its own: the engine's configuration without them).
    const config = { ...runtime.core.config, access: { tokens: [] } };
    const tokenless = Object.create(runtime.core, { config: { value: config } }) as typeof runtime.core;
    await expect(startWebServer({ core: tokenless, host: '0.0.0.0', port: 0, staticDir: STATIC })).rejects.toThrow(/access token/);
    // With configured tokens it serves, and even a read needs one of them.
    const served = await startWebServer({ core: runtime.core, host: '0.0.0.0', port: 0, staticDir: STATIC });
    try {
      const url = served.url.replace('0.0.0.0', '127.0.0.1');
      expect((await fetch(url + 'api/live')).status).toBe(401);
      expect((await fetch(url + 'api/live', { headers: { Authorization: `Bearer ${runtime.demoTokens[0].token}` } })).status).toBe(200);
    } finally {
      await served.close();
    }
  });

  it('with a token, every API call and the event socket need it', async () => {
    expect((await fetch(guarded.url + 'api/live')).status).toBe(401);
    expect((await fetch(guarded.url + 'api/live', { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(guarded.url + 'api/live', { headers: { Authorization: 'Bearer s3cret-token' } })).status).toBe(200);
    expect((await fetch(guarded.url + 'api/health?token=s3cret-token')).status).toBe(200);
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(guarded.url.replace('http', 'ws') + 'api/events');
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('refused'));
    });
    expect(refused).toBe('refused');
    const event = await new Promise<{ event: string }>((resolve, reject) => {
      const ws = new WebSocket(guarded.url.replace('http', 'ws') + 'api/events?token=s3cret-token');
      ws.on('message', (d) => {
        resolve(JSON.parse(String(d)));
        ws.close();
      });
      ws.on('error', reject);
    });
    expect(['live', 'connection']).toContain(event.event);
  });

  it('sends security headers and a strict CSP', async () => {
    const r = await fetch(open.url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'/);
    expect(r.headers.get('content-security-policy')).not.toMatch(/unsafe-eval/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
  });

  it('is read-only and answers bad input with JSON errors, never a stack trace', async () => {
    const cases: [string, RequestInit | undefined, number][] = [
      ['api/live', { method: 'POST', body: '{}' }, 405],
      ['api/rpc/live', undefined, 405],
      ['api/rpc/saveSettings', { method: 'POST', body: '{}' }, 404],
      ['api/rpc/history', { method: 'POST', body: '{"date":"2026-02-30x","shift":"A"}' }, 400],
      ['api/rpc/history', { method: 'POST', body: '{"date":"2026-11-20","shift":"Z"}' }, 400],
      ['api/rpc/history', { method: 'POST', body: '{not json' }, 400],
      ['api/rpc/trend', { method: 'POST', body: '{"lineId":"nope","minutes":15}' }, 400],
      ['api/rpc/trend', { method: 'POST', body: '{"lineId":"yibin-cell-1","minutes":15,"extra":1}' }, 400],
      ['api/rpc/live', { method: 'POST', body: 'x'.repeat(70_000) }, 413],
      ['api/export/daily.csv?date=2026-11-20T00', undefined, 400],
      ['api/nothing', undefined, 404],
    ];
    for (const [route, init, status] of cases) {
      const r = await fetch(open.url + route, init);
      expect(r.status, route).toBe(status);
      const body = await r.json();
      expect(typeof body.error, route).toBe('string');
      // Beside the English scripts read, the words the screens translate: the same English.
      expect(english(body.words), route).toBe(body.error);
      expect(JSON.stringify(body), route).not.toMatch(/\.ts:\d+|at [A-Za-z]+ \(/);
    }
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const p of ['/../package.json', '/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%5c..%5cpackage.json', '/%00index.html']) {
      expect(resolveStatic(STATIC, p), p).toBeNull();
    }
    for (const p of ['..%2fpackage.json', '%2e%2e%2f%2e%2e%2fpackage.json']) {
      const r = await fetch(open.url + p);
      expect(r.status, p).toBe(404);
    }
    expect(resolveStatic(STATIC, '/index.html')).toBe(path.join(STATIC, 'index.html'));
  });
});
