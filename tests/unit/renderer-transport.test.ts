import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DesktopApi } from '../../shared/api.ts';
import { createDesktopClient } from '../../renderer/src/api/client.ts';
import { createEventHub } from '../../renderer/src/api/eventHub.ts';
import {
  eventsUrl,
  exportUrl,
  reconnectDelayMs,
  RECONNECT_MAX_MS,
  requestHeaders,
  rpcUrl,
  tokenFromPage,
} from '../../renderer/src/api/urls.ts';
import { parseEventFrame, postRpc, RequestError } from '../../renderer/src/api/webTransport.ts';

describe('browser transport URLs', () => {
  it('reads the token from the page query, not from the hash', () => {
    expect(tokenFromPage('http://127.0.0.1:8080/?token=abc#/history')).toBe('abc');
    expect(tokenFromPage('http://127.0.0.1:8080/#/history?token=abc')).toBeNull();
    expect(tokenFromPage('http://127.0.0.1:8080/?token=')).toBeNull();
  });

  it('posts requests to /api/rpc/<name> without leaking the token into the URL', () => {
    expect(rpcUrl('http://127.0.0.1:8080/?token=abc#/line/x', 'history')).toBe('http://127.0.0.1:8080/api/rpc/history');
  });

  it('resolves against a sub-path when served behind a proxy', () => {
    expect(rpcUrl('https://plant.example/taktboard/?token=a', 'live')).toBe('https://plant.example/taktboard/api/rpc/live');
  });

  it('sends the token as a bearer header', () => {
    expect(requestHeaders('abc').Authorization).toBe('Bearer abc');
    expect(requestHeaders(null)).not.toHaveProperty('Authorization');
  });

  it('opens the WebSocket with the page protocol and the token in the query', () => {
    expect(eventsUrl('http://127.0.0.1:8080/?token=a%2Bb#/x')).toBe('ws://127.0.0.1:8080/api/events?token=a%2Bb');
    expect(eventsUrl('https://plant.example/')).toBe('wss://plant.example/api/events');
  });

  it('builds the export link with the date and the token', () => {
    const url = new URL(exportUrl('http://127.0.0.1:8080/?token=t%20x', '2026-12-01'));
    expect(url.pathname).toBe('/api/export/daily.csv');
    expect(url.searchParams.get('date')).toBe('2026-12-01');
    expect(url.searchParams.get('token')).toBe('t x');
    expect(new URL(exportUrl('http://127.0.0.1:8080/', '2026-12-01')).searchParams.has('token')).toBe(false);
  });
});

describe('reconnect backoff', () => {
  it('doubles from half a second up to a cap, with bounded jitter', () => {
    const mid = () => 0.5;
    expect(reconnectDelayMs(0, mid)).toBe(500);
    expect(reconnectDelayMs(1, mid)).toBe(1000);
    expect(reconnectDelayMs(3, mid)).toBe(4000);
    expect(reconnectDelayMs(50, mid)).toBe(RECONNECT_MAX_MS);
    expect(reconnectDelayMs(0, () => 0)).toBe(400);
    expect(reconnectDelayMs(0, () => 1)).toBe(600);
  });
});

describe('event frames', () => {
  it('accepts live and connection frames only', () => {
    expect(parseEventFrame('{"event":"connection","payload":{"status":"offline"}}')).toEqual({ event: 'connection', payload: { status: 'offline' } });
    expect(parseEventFrame('{"event":"other","payload":{}}')).toBeNull();
    expect(parseEventFrame('{"event":"live","payload":null}')).toBeNull();
    expect(parseEventFrame('not json')).toBeNull();
    expect(parseEventFrame(new ArrayBuffer(2))).toBeNull();
  });
});

describe('event hub', () => {
  it('replays the latest payload to late subscribers and stops after unsubscribe', () => {
    const hub = createEventHub();
    const seen: string[] = [];
    const connection = (status: 'connected' | 'offline') => ({ status, url: 'mqtt://x', since: 0, error: null, errorWords: null });
    hub.emit('connection', connection('offline'));
    const off = hub.on('connection', (c) => seen.push(c.status));
    expect(seen).toEqual(['offline']);
    hub.emit('connection', connection('connected'));
    off();
    hub.emit('connection', connection('offline'));
    expect(seen).toEqual(['offline', 'connected']);
    expect(hub.latest('connection')?.status).toBe('offline');
    expect(hub.latest('live')).toBeNull();
  });
});

describe('refusals reach the screens with their words', () => {
  afterEach(() => vi.unstubAllGlobals());
  const rejection = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);

  it('over HTTP: the body\'s "error" is the message, its "words" go along', async () => {
    const words = { key: 'refusal.unknown_line', params: { line: 'x' } };
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ error: 'unknown line "x"', words }), { status: 400 }));
    const err = await rejection(postRpc('http://127.0.0.1:8080/', 'trend', { lineId: 'x', minutes: 15 }));
    expect(err).toBeInstanceOf(RequestError);
    expect(err).toMatchObject({ message: 'unknown line "x"', status: 400, words });
    // An older server sends no words; a body that is not ours gets words of its own.
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ error: 'unknown line "x"' }), { status: 400 }));
    expect(await rejection(postRpc('http://127.0.0.1:8080/', 'trend', {}))).toMatchObject({ message: 'unknown line "x"', words: null });
    vi.stubGlobal('fetch', async () => new Response('<html>', { status: 502 }));
    expect(await rejection(postRpc('http://127.0.0.1:8080/', 'trend', {}))).toMatchObject({ message: 'HTTP 502', words: { key: 'refusal.http', params: { status: 502 } } });
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await rejection(postRpc('http://127.0.0.1:8080/', 'trend', {}))).toMatchObject({ status: 0, words: { key: 'refusal.server_unreachable' } });
  });

  it('from the desktop preload: the plain {message, words} it rejects with becomes a RequestError', async () => {
    const words = { key: 'refusal.request', params: { name: 'history', reason: { key: 'refusal.unknown_shift', params: { shift: 'Z', configured: 'A, B' } } } };
    const refuse = () => Promise.reject({ message: 'history: unknown shift "Z" (configured: A, B, ALL)', words });
    const bridge = { live: () => new Promise(() => {}), history: refuse, on: () => () => {} } as unknown as DesktopApi;
    const err = await rejection(createDesktopClient(bridge).history({ date: '2026-11-30', shift: 'Z' }));
    expect(err).toBeInstanceOf(RequestError);
    expect(err).toMatchObject({ message: 'history: unknown shift "Z" (configured: A, B, ALL)', words });
  });
});

describe('the desktop client’s Settings', () => {
  const rejection = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
  const bridge = (over: Partial<DesktopApi>) =>
    ({ live: () => new Promise(() => {}), getSettings: async () => ({}), saveSettings: async () => ({ ok: true }), on: () => () => {}, ...over }) as unknown as DesktopApi;

  it('chooses a TLS file, exports and imports the configuration through the preload’s dialogs', async () => {
    const pickFile = vi.fn(async ({ purpose }: { purpose: string }) => (purpose === 'ca' ? { path: '/etc/plant/ca.pem' } : null));
    const exportConfigFile = vi.fn(async () => ({ savedTo: '/home/me/plant.json' }));
    const importConfigFile = vi.fn(async () => ({ name: 'plant.json', text: '{}' }));
    const settings = createDesktopClient(bridge({ pickFile, exportConfigFile, importConfigFile } as Partial<DesktopApi>)).settings!;
    expect(await settings.pickFile('ca')).toBe('/etc/plant/ca.pem');
    expect(pickFile).toHaveBeenLastCalledWith({ purpose: 'ca' });
    expect(await settings.pickFile('key')).toBeNull();
    expect(await settings.exportConfigFile()).toEqual({ kind: 'saved', path: '/home/me/plant.json' });
    exportConfigFile.mockResolvedValueOnce({ savedTo: null } as never);
    expect(await settings.exportConfigFile()).toEqual({ kind: 'cancelled' });
    expect(await settings.importConfigFile()).toEqual({ name: 'plant.json', text: '{}' });
  });

  it('a refused dialog request rejects with a RequestError carrying its words', async () => {
    const words = { key: 'refusal.not_running' };
    const settings = createDesktopClient(bridge({ exportConfigFile: () => Promise.reject({ message: 'exportConfigFile: not running', words }) } as Partial<DesktopApi>)).settings!;
    const err = await rejection(settings.exportConfigFile());
    expect(err).toBeInstanceOf(RequestError);
    expect(err).toMatchObject({ message: 'exportConfigFile: not running', words });
  });

  it('is absent without the preload’s Settings requests (the screen then downloads and uses a file input)', () => {
    expect(createDesktopClient(bridge({ getSettings: undefined } as unknown as Partial<DesktopApi>)).settings).toBeNull();
  });
});
