// Validated IPC (RELIABILITY row 30): foreign senders and bad arguments are refused and logged; good
// calls reach the core; errors come back as words, never a stack or SQL.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DESKTOP_REQUEST_NAMES, REQUEST_NAMES, type EventName, type Events } from '../../shared/api.ts';
import { english, type Words } from '../../shared/words.ts';
import type { Core } from '../../main/core/core-types.ts';
import { RequestError } from '../../main/core/errors.ts';
import { setLogSink } from '../../main/core/log.ts';
import { EVENT_CHANNEL } from '../../main/desktop/channels.ts';
import { DesktopError, forwardEvents, registerIpc, sendEvent, type DesktopHandlers, type IpcMainLike } from '../../main/desktop/ipc.ts';
import { APP_ENTRY_URL } from '../../main/desktop/security.ts';

type Listener = (event: unknown, ...args: unknown[]) => Promise<unknown>;

function fakeCore() {
  const listeners: { [E in EventName]: Set<(p: Events[E]) => void> } = { live: new Set(), connection: new Set(), andon: new Set() };
  const handlers = Object.fromEntries(REQUEST_NAMES.map((n) => [n, vi.fn(async (args: unknown) => ({ from: n, args }))]));
  const core = {
    config: {},
    dbPath: '/tmp/x.sqlite',
    handlers,
    subscribe(event: EventName, l: (p: never) => void) {
      listeners[event].add(l as never);
      return () => listeners[event].delete(l as never);
    },
    stop: async () => {},
  } as unknown as Core;
  return { core, handlers, listeners };
}

function fakeDesktop(): DesktopHandlers {
  return {
    saveDailyCsv: vi.fn(async () => ({ savedTo: null })),
    saveStopsCsv: vi.fn(async () => ({ savedTo: null })),
    getSettings: vi.fn(async () => ({ path: '/x/config.json', configText: '{}', passwordStored: false, passwordUnavailable: null })),
    saveSettings: vi.fn(async () => ({ ok: true as const })),
    pickFile: vi.fn(async () => ({ path: '/etc/plant/ca.pem' })),
    exportConfigFile: vi.fn(async () => ({ savedTo: null })),
    importConfigFile: vi.fn(async () => null),
  };
}

const ourContents = { id: 1 };
const topFrame = { url: APP_ENTRY_URL, origin: 'app://taktboard', parent: null, detached: false };
const ourEvent = { sender: ourContents, senderFrame: topFrame };

describe('registerIpc', () => {
  let handlers: Map<string, Listener>;
  let ipcMain: IpcMainLike;
  let core: ReturnType<typeof fakeCore>;
  let desktop: DesktopHandlers;
  let logs: string[];
  let restoreLog: () => void;
  let unregister: () => void;

  beforeEach(() => {
    handlers = new Map();
    ipcMain = {
      handle: (channel, listener) => void handlers.set(channel, listener as Listener),
      removeHandler: (channel) => void handlers.delete(channel),
    };
    core = fakeCore();
    desktop = fakeDesktop();
    logs = [];
    restoreLog = setLogSink((line) => logs.push(line));
    unregister = registerIpc({ ipcMain, core: async () => core.core, desktop, isOurWindow: (wc) => wc === (ourContents as never) });
  });
  afterEach(() => restoreLog());

  const call = (name: string, event: unknown, ...args: unknown[]) => {
    const h = handlers.get(`taktboard:${name}`);
    if (!h) throw new Error(`no handler for ${name}`);
    return h(event, ...args) as Promise<{ ok: boolean; value?: unknown; error?: string; words?: Words }>;
  };

  it('registers one channel per request of the contract, and removes them again', () => {
    expect([...handlers.keys()].sort()).toEqual([...REQUEST_NAMES, ...DESKTOP_REQUEST_NAMES].map((n) => `taktboard:${n}`).sort());
    unregister();
    expect(handlers.size).toBe(0);
  });

  it('forwards good calls to the core with the parsed arguments', async () => {
    expect(await call('live', ourEvent, {})).toEqual({ ok: true, value: { from: 'live', args: {} } });
    expect(await call('live', ourEvent)).toEqual({ ok: true, value: { from: 'live', args: {} } });
    expect(await call('history', ourEvent, { date: '2026-11-30', shift: 'A' })).toEqual({
      ok: true,
      value: { from: 'history', args: { date: '2026-11-30', shift: 'A' } },
    });
    expect(await call('trend', ourEvent, { lineId: 'yibin-cell-1', minutes: 15 })).toMatchObject({ ok: true });
    expect(core.handlers.history).toHaveBeenCalledTimes(1);
  });

  it('forwards desktop requests to the desktop handlers', async () => {
    expect(await call('saveDailyCsv', ourEvent, { date: '2026-11-30' })).toEqual({ ok: true, value: { savedTo: null } });
    expect(desktop.saveDailyCsv).toHaveBeenCalledWith({ date: '2026-11-30' });
    expect(await call('saveSettings', ourEvent, { configText: '{}', brokerPassword: 'pw' })).toEqual({ ok: true, value: { ok: true } });
    expect(await call('pickFile', ourEvent, { purpose: 'ca' })).toEqual({ ok: true, value: { path: '/etc/plant/ca.pem' } });
    expect(desktop.pickFile).toHaveBeenCalledWith({ purpose: 'ca' });
    expect(await call('exportConfigFile', ourEvent, {})).toEqual({ ok: true, value: { savedTo: null } });
    expect(await call('importConfigFile', ourEvent)).toEqual({ ok: true, value: null });
  });

  describe('refuses a foreign sender and logs it', () => {
    const cases: [string, unknown][] = [
      ['another webContents', { sender: { id: 2 }, senderFrame: topFrame }],
      ['a subframe of our page', { sender: ourContents, senderFrame: { ...topFrame, parent: topFrame } }],
      ['another origin in our window', { sender: ourContents, senderFrame: { url: 'https://evil.example/', origin: 'https://evil.example', parent: null } }],
      ['a file:// page', { sender: ourContents, senderFrame: { url: 'file:///tmp/evil.html', origin: 'file://', parent: null } }],
      ['a frame that is gone', { sender: ourContents, senderFrame: null }],
    ];
    it.each(cases)('%s', async (_label, event) => {
      const reply = await call('diagnostics', event, {});
      expect(reply.ok).toBe(false);
      expect(reply.error).toMatch(/refused/);
      expect(reply.words).toEqual({ key: 'refusal.untrusted_sender', params: { name: 'diagnostics' } });
      expect(core.handlers.diagnostics).not.toHaveBeenCalled();
      expect(logs.join('\n')).toMatch(/WARN .*untrusted sender.*taktboard:diagnostics/);
    });

    it('for desktop requests too', async () => {
      const reply = await call('saveSettings', cases[0][1], { configText: '{}' });
      expect(reply.ok).toBe(false);
      expect(desktop.saveSettings).not.toHaveBeenCalled();
    });
  });

  describe('refuses bad arguments with a clear message and logs it', () => {
    const cases: [string, string, unknown[], RegExp][] = [
      ['a path as a date', 'history', [{ date: '../../etc/passwd', shift: 'A' }], /date: must be a date YYYY-MM-DD/],
      ['an extra key', 'history', [{ date: '2026-11-30', shift: 'A', sql: 'DROP TABLE events' }], /sql|unrecognized/i],
      ['a wrong type', 'trend', [{ lineId: 'yibin-cell-1', minutes: '15' }], /minutes/],
      ['a value outside the union', 'trend', [{ lineId: 'yibin-cell-1', minutes: 30 }], /minutes/],
      ['a missing field', 'dailyCsv', [{}], /date/],
      ['not an object', 'live', ['live'], /arguments/],
      ['two arguments', 'live', [{}, {}], /one argument/],
      ['an extra key on a desktop request', 'saveSettings', [{ configText: '{}', path: '/etc/passwd' }], /path|unrecognized/i],
      ['a path as the CSV date', 'saveDailyCsv', [{ date: '2026-11-30/../../x' }], /date/],
      ['a file purpose that is not a TLS file', 'pickFile', [{ purpose: 'config' }], /purpose/],
      ['a folder for the file dialog', 'pickFile', [{ purpose: 'ca', defaultPath: '/etc' }], /defaultPath|unrecognized/i],
      ['a path to export to', 'exportConfigFile', [{ path: '/etc/cron.d/x' }], /path|unrecognized/i],
      ['a file to import', 'importConfigFile', [{ path: '/etc/shadow' }], /path|unrecognized/i],
    ];
    it.each(cases)('%s', async (_label, name, args, message) => {
      const reply = await call(name, ourEvent, ...args);
      expect(reply.ok).toBe(false);
      expect(reply.error).toMatch(message);
      expect(reply.error).toMatch(new RegExp(`^${name}: `));
      // The words the window translates give back the same English.
      expect(english(reply.words!)).toBe(reply.error);
      expect(JSON.stringify(reply.words)).not.toContain('"key":"text"');
      expect(Object.values(core.handlers).every((h) => h.mock.calls.length === 0)).toBe(true);
      expect(desktop.saveSettings).not.toHaveBeenCalled();
      expect(desktop.saveDailyCsv).not.toHaveBeenCalled();
      for (const h of [desktop.pickFile, desktop.exportConfigFile, desktop.importConfigFile]) expect(h).not.toHaveBeenCalled();
      expect(logs.join('\n')).toMatch(/WARN .*bad arguments|WARN .*extra arguments/);
    });
  });

  it('returns the words of a request error, and only general words for anything else', async () => {
    core.handlers.history.mockRejectedValueOnce(new RequestError('unknown shift "Z"'));
    expect(await call('history', ourEvent, { date: '2026-11-30', shift: 'Z' })).toEqual({ ok: false, error: 'history: unknown shift "Z"' });
    const unknownLine = { key: 'refusal.unknown_line', params: { line: 'x' } } as const;
    core.handlers.trend.mockRejectedValueOnce(new RequestError(unknownLine));
    expect(await call('trend', ourEvent, { lineId: 'x', minutes: 15 })).toEqual({
      ok: false,
      error: 'trend: unknown line "x"',
      words: { key: 'refusal.request', params: { name: 'trend', reason: unknownLine } },
    });

    const internal = new Error('SQLITE_ERROR: no such column: foo in SELECT * FROM /var/lib/secret.sqlite');
    core.handlers.diagnostics.mockRejectedValueOnce(internal);
    const reply = await call('diagnostics', ourEvent, {});
    expect(reply.ok).toBe(false);
    expect(reply.error).toBe('diagnostics failed: an internal error (details in the application log)');
    expect(JSON.stringify(reply)).not.toMatch(/SQLITE|SELECT|secret|at .*\.ts/);
    expect(logs.join('\n')).toMatch(/ERROR .*request failed.*no such column/);

    (desktop.saveDailyCsv as ReturnType<typeof vi.fn>).mockRejectedValueOnce(new DesktopError('could not write /home/me/x.csv: EACCES'));
    expect(await call('saveDailyCsv', ourEvent, { date: '2026-11-30' })).toEqual({ ok: false, error: 'saveDailyCsv: could not write /home/me/x.csv: EACCES' });
  });
});

describe('events', () => {
  it('forwards the core’s live and connection events until unsubscribed', () => {
    const { core, listeners } = fakeCore();
    const sent: unknown[] = [];
    const off = forwardEvents(core, (m) => sent.push(m));
    const connection = { status: 'connected' as const, url: 'mqtt://x', since: 1, error: null, errorWords: null };
    for (const l of listeners.connection) l(connection);
    for (const l of listeners.live) l({ ts: 1 } as never);
    expect(sent).toEqual([
      { event: 'connection', payload: connection },
      { event: 'live', payload: { ts: 1 } },
    ]);
    off();
    expect(listeners.live.size + listeners.connection.size).toBe(0);
  });

  it('sends only to a live window that still shows our page', () => {
    const sent: unknown[] = [];
    const win = (url: string, destroyed = false) => ({
      isDestroyed: () => destroyed,
      webContents: { mainFrame: { url, origin: 'app://taktboard', parent: null }, send: (channel: string, m: unknown) => sent.push([channel, m]) },
    });
    const message = { event: 'live' as const, payload: { ts: 1 } };
    sendEvent(win(APP_ENTRY_URL), message);
    sendEvent(win(APP_ENTRY_URL, true), message);
    sendEvent(win('https://evil.example/'), message);
    sendEvent(null, message);
    expect(sent).toEqual([[EVENT_CHANNEL, message]]);
  });
});
