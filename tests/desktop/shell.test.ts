// The Electron shell wired to a fake Electron and a fake engine: single-instance lock (RELIABILITY
// row 14), the window's options and guards, IPC from our window only, events, and a clean quit.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CONFIG_INPUT, type Config } from '../../shared/config.ts';
import type { Core } from '../../main/core/core-types.ts';
import { setLogSink } from '../../main/core/log.ts';
import type { Runtime, RuntimeOptions } from '../../main/core/runtime.ts';
import { runShell } from '../../main/desktop/shell.ts';
import { APP_ENTRY_URL, CSP } from '../../main/desktop/security.ts';
import { app, BrowserWindow, dialog, ipcMain, protocol, resetElectron, session, type FakeWebContents } from './fake-electron.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

let root: string;
let logs: string[];
let restoreLog: () => void;
let signalListeners: Map<string, Function[]>;
let runtimes: { opts: RuntimeOptions; runtime: Runtime; stop: ReturnType<typeof vi.fn>; emit: (event: string, payload: unknown) => void }[];

const startRuntime = vi.fn(async (opts: RuntimeOptions): Promise<Runtime> => {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const core = {
    config: (opts.config ?? { site: 'demo' }) as Config,
    dbPath: opts.dbPath,
    handlers: { live: vi.fn(async () => ({ ts: 42, demo: !opts.config })), shiftCalendar: vi.fn(async () => ({ today: '2026-11-30' })) },
    subscribe(event: string, l: (p: unknown) => void) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(l);
      return () => listeners.get(event)!.delete(l);
    },
    stop: async () => {},
  } as unknown as Core;
  const stop = vi.fn(async () => {});
  const runtime = { core, demo: !opts.config, brokerUrl: 'mqtt://127.0.0.1:1', demoTokens: [], stop };
  runtimes.push({ opts, runtime, stop, emit: (e, p) => listeners.get(e)?.forEach((l) => l(p)) });
  return runtime;
});

async function start() {
  const shell = await runShell({ startRuntime, preloadPath: '/app/out/preload/preload.cjs', rendererRoot: path.join(root, 'renderer') });
  await shell?.started;
  return shell;
}

function ourWindow(): BrowserWindow {
  expect(BrowserWindow.instances).toHaveLength(1);
  return BrowserWindow.instances[0];
}

function invoke(channel: string, event: unknown, ...args: unknown[]) {
  const h = ipcMain.handlers.get(channel);
  if (!h) throw new Error(`no handler for ${channel}`);
  return h(event, ...args) as Promise<{ ok: boolean; value?: unknown; error?: string }>;
}

beforeEach(() => {
  root = resetElectron();
  startRuntime.mockClear();
  runtimes = [];
  logs = [];
  restoreLog = setLogSink((line) => logs.push(line));
  signalListeners = new Map(['SIGINT', 'SIGTERM'].map((s) => [s, process.listeners(s as NodeJS.Signals)]));
  mkdirSync(path.join(root, 'renderer'));
  writeFileSync(path.join(root, 'renderer', 'index.html'), '<!doctype html><title>Taktboard</title>');
});
afterEach(() => {
  restoreLog();
  // runShell hooks SIGINT/SIGTERM to quit cleanly; each test's shell is gone afterwards.
  for (const [signal, before] of signalListeners) {
    for (const l of process.listeners(signal as NodeJS.Signals)) if (!before.includes(l)) process.removeListener(signal, l as () => void);
  }
});

describe('single instance', () => {
  it('a second instance quits at once, before any window, protocol or engine', async () => {
    app.requestSingleInstanceLock.mockReturnValue(false);
    const shell = await runShell({ startRuntime, preloadPath: '/p.cjs', rendererRoot: '/r' });
    expect(shell).toBeNull();
    expect(app.quit).toHaveBeenCalledTimes(1);
    expect(app.whenReady).not.toHaveBeenCalled();
    expect(BrowserWindow.instances).toHaveLength(0);
    expect(protocol.handle).not.toHaveBeenCalled();
    expect(startRuntime).not.toHaveBeenCalled();
  });

  it('the first instance comes to the front when a second one starts', async () => {
    await start();
    const win = ourWindow();
    win.minimized = true;
    app.emit('second-instance', {}, [], root, {});
    expect(win.calls).toEqual(['restore', 'show', 'focus']);
    expect(app.quit).not.toHaveBeenCalled();
  });
});

describe('window', () => {
  it('is isolated, sandboxed, without Node, and loads our own origin', async () => {
    await start();
    const win = ourWindow();
    expect(win.options.webPreferences).toMatchObject({
      preload: '/app/out/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    });
    expect(win.webContents.mainFrame.url).toBe(APP_ENTRY_URL);
    expect(app.enableSandbox).toHaveBeenCalled();
  });

  it('registers app:// as a privileged scheme before the app is ready, and serves with the CSP', async () => {
    await start();
    expect(protocol.registerSchemesAsPrivileged.mock.invocationCallOrder[0]).toBeLessThan(app.whenReady.mock.invocationCallOrder[0]);
    expect(protocol.registerSchemesAsPrivileged.mock.calls[0][0]).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    const [scheme, handler] = protocol.handle.mock.calls[0] as [string, (r: Request) => Promise<Response>];
    expect(scheme).toBe('app');
    const res = await handler({ url: APP_ENTRY_URL, method: 'GET' } as Request);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    const traversal = await handler({ url: 'app://taktboard/..%2f..%2fconfig.json', method: 'GET' } as Request);
    expect(traversal.status).toBe(404);
  });

  describe('guards every webContents', () => {
    let contents: FakeWebContents;
    const nav = (url: string, extra: object = {}) => ({ url, isMainFrame: true, preventDefault: vi.fn(), ...extra });
    beforeEach(async () => {
      await start();
      contents = ourWindow().webContents;
    });

    it('refuses navigation and redirects away from our origin', () => {
      for (const event of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
        const away = nav('https://evil.example/');
        contents.emit(event, away);
        expect(away.preventDefault, event).toHaveBeenCalled();
        const home = nav(APP_ENTRY_URL);
        contents.emit(event, home);
        expect(home.preventDefault, event).not.toHaveBeenCalled();
      }
      expect(logs.join('\n')).toMatch(/refused navigation.*evil\.example/);
    });

    it('refuses any subframe navigation, even to our origin', () => {
      const sub = nav(APP_ENTRY_URL, { isMainFrame: false });
      contents.emit('will-frame-navigate', sub);
      expect(sub.preventDefault).toHaveBeenCalled();
    });

    it('denies window.open and <webview>', () => {
      expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
      expect(contents.windowOpenHandler?.({ url: APP_ENTRY_URL })).toEqual({ action: 'deny' });
      const attach = { preventDefault: vi.fn() };
      contents.emit('will-attach-webview', attach, {}, { src: 'https://evil.example/' });
      expect(attach.preventDefault).toHaveBeenCalled();
    });

    it('refuses every permission request and check, and requests to other origins', () => {
      const ses = session.defaultSession;
      const callback = vi.fn();
      ses.permissionRequestHandler?.(contents, 'media', callback, {});
      expect(callback).toHaveBeenCalledWith(false);
      expect(ses.permissionCheckHandler?.(contents, 'notifications', 'app://taktboard', {})).toBe(false);
      expect(ses.devicePermissionHandler?.({})).toBe(false);
      const cancel = vi.fn();
      ses.beforeRequest?.({ url: 'https://evil.example/x.js' }, cancel);
      expect(cancel).toHaveBeenCalledWith({ cancel: true });
      const allow = vi.fn();
      ses.beforeRequest?.({ url: 'app://taktboard/assets/index.js' }, allow);
      expect(allow).toHaveBeenCalledWith({ cancel: false });
    });
  });
});

describe('engine and IPC', () => {
  it('runs the demo on <userData>/demo.sqlite when there is no config.json', async () => {
    await start();
    expect(startRuntime).toHaveBeenCalledWith({ dbPath: path.join(app.getPath('userData'), 'demo.sqlite') });
    expect(dialog.showMessageBox).not.toHaveBeenCalled();
  });

  it('runs <userData>/config.json on <userData>/taktboard.sqlite', async () => {
    app.setPath('userData', path.join(root, 'appData', 'Taktboard'));
    mkdirSync(app.getPath('userData'), { recursive: true });
    writeFileSync(path.join(app.getPath('userData'), 'config.json'), JSON.stringify(DEMO_CONFIG_INPUT));
    await start();
    expect(runtimes[0].opts).toMatchObject({ dbPath: path.join(app.getPath('userData'), 'taktboard.sqlite'), config: { site: 'chongqing' } });
  });

  it('shows the errors of a broken config.json in a dialog and runs the demo', async () => {
    app.setPath('userData', path.join(root, 'appData', 'Taktboard'));
    mkdirSync(app.getPath('userData'), { recursive: true });
    writeFileSync(path.join(app.getPath('userData'), 'config.json'), '{"site": "x"');
    await start();
    expect(runtimes[0].runtime.demo).toBe(true);
    expect(dialog.showMessageBox).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(dialog.showMessageBox.mock.calls[0])).toMatch(/not valid JSON/);
  });

  it('answers our window and refuses any other webContents', async () => {
    await start();
    const contents = ourWindow().webContents;
    expect(await invoke('taktboard:live', { sender: contents, senderFrame: contents.mainFrame }, {})).toEqual({ ok: true, value: { ts: 42, demo: true } });
    const other = new BrowserWindow({}).webContents;
    const refused = await invoke('taktboard:live', { sender: other, senderFrame: { ...contents.mainFrame } }, {});
    expect(refused.ok).toBe(false);
    expect(logs.join('\n')).toMatch(/untrusted sender/);
  });

  it('asks for TLS files, the configuration to import and where to export it in native dialogs on our window', async () => {
    app.setPath('userData', path.join(root, 'appData', 'Taktboard'));
    mkdirSync(app.getPath('userData'), { recursive: true });
    const tokens = [{ name: 'integrator', role: 'supervisor', sha256: 'b'.repeat(64) }];
    writeFileSync(
      path.join(app.getPath('userData'), 'config.json'),
      JSON.stringify({ ...DEMO_CONFIG_INPUT, broker: { url: 'mqtts://broker.plant:8883', ca: '/etc/plant/ca.pem' }, access: { tokens } }),
    );
    await start();
    const win = ourWindow();
    const ours = { sender: win.webContents, senderFrame: win.webContents.mainFrame };

    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/home/me/new-ca.pem'] });
    expect(await invoke('taktboard:pickFile', ours, { purpose: 'ca' })).toEqual({ ok: true, value: { path: '/home/me/new-ca.pem' } });
    expect(dialog.showOpenDialog).toHaveBeenLastCalledWith(win, expect.objectContaining({ properties: ['openFile'], defaultPath: '/etc/plant/ca.pem', title: expect.stringMatching(/CA/) }));
    // Cancelled: nothing chosen.
    expect(await invoke('taktboard:pickFile', ours, { purpose: 'key' })).toEqual({ ok: true, value: null });

    const exported = path.join(root, 'exported.json');
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: exported });
    expect(await invoke('taktboard:exportConfigFile', ours, {})).toEqual({ ok: true, value: { savedTo: exported } });
    const [, saveOptions] = dialog.showSaveDialog.mock.calls.at(-1) as [unknown, { defaultPath: string; filters: { extensions: string[] }[] }];
    expect(path.basename(saveOptions.defaultPath)).toBe('taktboard-config-chongqing-2026-11-30.json');
    expect(saveOptions.filters[0].extensions).toEqual(['json']);
    const written = JSON.parse(readFileSync(exported, 'utf8'));
    expect(written).toMatchObject({ site: 'chongqing', broker: { ca: '/etc/plant/ca.pem' } });
    expect(written.access).toBeUndefined();

    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [exported] });
    const imported = await invoke('taktboard:importConfigFile', ours, {});
    expect(imported).toEqual({ ok: true, value: { name: 'exported.json', text: readFileSync(exported, 'utf8') } });
    expect(dialog.showOpenDialog).toHaveBeenLastCalledWith(win, expect.objectContaining({ title: 'Import configuration', defaultPath: app.getPath('documents') }));
  });

  it('pushes the engine’s events to the window', async () => {
    await start();
    const contents = ourWindow().webContents;
    runtimes[0].emit('live', { ts: 7 });
    runtimes[0].emit('connection', { status: 'connected' });
    expect(contents.sent).toEqual([
      ['taktboard:event', { event: 'live', payload: { ts: 7 } }],
      ['taktboard:event', { event: 'connection', payload: { status: 'connected' } }],
    ]);
  });

  it('holds the quit until the engine has stopped, then quits', async () => {
    await start();
    const quitEvent = { preventDefault: vi.fn() };
    app.emit('before-quit', quitEvent);
    expect(quitEvent.preventDefault).toHaveBeenCalled();
    expect(app.quit).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledTimes(1));
    expect(runtimes[0].stop).toHaveBeenCalledTimes(1);
    const again = { preventDefault: vi.fn() };
    app.emit('before-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
    expect(runtimes[0].stop).toHaveBeenCalledTimes(1);
  });
});
