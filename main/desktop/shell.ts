// The Electron shell: lifecycle, the one window and its guards, the app:// protocol, and the wiring of
// IPC to the engine. Everything it decides is in security.ts, ipc.ts, host.ts and settings.ts; this
// file only connects those to Electron's objects.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Notification, protocol, safeStorage, session, type Session, type WebContents } from 'electron';
import { logger } from '../core/log.ts';
import { openDialogOptions, saveDialogOptions } from './dialogs.ts';
import { createRuntimeHost, desktopPaths, type StartRuntime } from './host.ts';
import { forwardEvents, registerIpc, sendEvent } from './ipc.ts';
import { startNotifier } from './notifier.ts';
import { createAppProtocolHandler } from './protocol.ts';
import { createPasswordStore } from './secrets.ts';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  denyPermissionCheck,
  denyPermissionRequest,
  denyWindowOpen,
  isAllowedNavigation,
  isAllowedRequest,
  windowOptions,
} from './security.ts';
import { createDesktopHandlers } from './settings.ts';

const log = logger('desktop');

/** How long quitting waits for the engine to commit and close before it gives up. */
const STOP_TIMEOUT_MS = 10_000;

export interface ShellOptions {
  startRuntime: StartRuntime;
  /** The bundled preload (out/preload/preload.cjs). */
  preloadPath: string;
  /** The built renderer (`vite build` → dist/renderer), shared with the web shell. */
  rendererRoot: string;
}

export interface Shell {
  window(): BrowserWindow | null;
  /** Settles once the first engine runs (or failed to, which quits the app). */
  started: Promise<void>;
}

/** Navigation, redirects, new windows and <webview> refused for every webContents the app ever creates. */
export function guardWebContents(contents: WebContents): void {
  const refuse = (kind: string) => (event: { url: string; preventDefault(): void }) => {
    if (isAllowedNavigation(event.url)) return;
    event.preventDefault();
    log.warn(`refused ${kind}`, { url: event.url });
  };
  contents.on('will-navigate', refuse('navigation'));
  contents.on('will-redirect', refuse('redirect'));
  contents.on('will-frame-navigate', (event) => {
    // The renderer has no frames: a subframe navigating anywhere is refused, the main frame as above.
    if (event.isMainFrame) return refuse('navigation')(event);
    event.preventDefault();
    log.warn('refused a subframe navigation', { url: event.url });
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('refused a <webview>');
  });
  contents.setWindowOpenHandler((details) => {
    log.warn('refused window.open', { url: details.url });
    return denyWindowOpen();
  });
}

export function secureSession(ses: Session): void {
  ses.setPermissionRequestHandler(denyPermissionRequest);
  ses.setPermissionCheckHandler(denyPermissionCheck);
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => {
    const cancel = !isAllowedRequest(details.url);
    if (cancel) log.warn('refused a request to another origin', { url: details.url });
    callback({ cancel });
  });
  ses.on('will-download', (event) => event.preventDefault());
}

/**
 * Starts the desktop app. Returns null in a second instance, which hands over to the first (that one
 * comes to the front) and quits: two engines would fight over one database and one MQTT client id.
 */
export async function runShell(opts: ShellOptions): Promise<Shell | null> {
  // One folder name for development and packaged builds (the default follows package.json's name).
  app.setPath('userData', path.join(app.getPath('appData'), 'Taktboard'));
  if (!app.requestSingleInstanceLock()) {
    log.info('another Taktboard is already running: handing over to it');
    app.quit();
    return null;
  }

  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  app.enableSandbox();

  let mainWindow: BrowserWindow | null = null;
  const paths = desktopPaths(app.getPath('userData'));
  const passwords = createPasswordStore(paths.password, safeStorage);
  const host = createRuntimeHost({
    startRuntime: opts.startRuntime,
    paths,
    passwords,
    attach: (runtime) => {
      const offEvents = forwardEvents(runtime.core, (message) => sendEvent(mainWindow, message));
      const offNotices = startNotifier(runtime.core, { notify: (n) => new Notification(n), supported: () => Notification.isSupported() });
      return () => {
        offEvents();
        offNotices();
      };
    },
  });

  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents));
  app.on('window-all-closed', () => app.quit());

  let quitState: 'running' | 'stopping' | 'stopped' = 'running';
  const stopEngine = async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log.error('the engine did not stop in time; quitting anyway', { ms: STOP_TIMEOUT_MS });
        resolve();
      }, STOP_TIMEOUT_MS);
    });
    try {
      await Promise.race([host.stop(), timeout]);
    } catch (err) {
      log.error('the engine failed to stop', { error: err instanceof Error ? err.message : String(err) });
    } finally {
      clearTimeout(timer);
    }
  };
  app.on('before-quit', (event) => {
    if (quitState === 'stopped') return;
    // Electron does not wait for promises: hold the quit until the engine has committed and closed.
    event.preventDefault();
    if (quitState === 'stopping') return;
    quitState = 'stopping';
    void stopEngine().then(() => {
      quitState = 'stopped';
      app.quit();
    });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());

  await app.whenReady();
  await mkdir(app.getPath('userData'), { recursive: true });
  secureSession(session.defaultSession);
  protocol.handle(APP_SCHEME, createAppProtocolHandler(opts.rendererRoot));

  registerIpc({
    ipcMain,
    core: () => host.core(),
    isOurWindow: (contents) => mainWindow !== null && !mainWindow.isDestroyed() && contents.id === mainWindow.webContents.id,
    desktop: createDesktopHandlers({
      paths,
      passwords,
      host,
      documentsDir: app.getPath('documents'),
      async chooseSavePath(defaultPath, kind) {
        const options = saveDialogOptions(kind, defaultPath);
        const result = mainWindow && !mainWindow.isDestroyed() ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
        return result.canceled || !result.filePath ? null : result.filePath;
      },
      async chooseOpenPath(kind, defaultPath) {
        const options = openDialogOptions(kind, defaultPath);
        const result = mainWindow && !mainWindow.isDestroyed() ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
        return result.canceled || !result.filePaths[0] ? null : result.filePaths[0];
      },
    }),
  });

  const createWindow = () => {
    const win = new BrowserWindow({
      width: 1600,
      height: 900,
      minWidth: 1024,
      minHeight: 640,
      show: false,
      title: 'Taktboard',
      backgroundColor: '#101418',
      webPreferences: windowOptions(opts.preloadPath, { devTools: !app.isPackaged }),
    });
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = null;
    });
    win.loadURL(APP_ENTRY_URL).catch((err: unknown) => log.error('the window could not load the renderer', { error: String(err), root: opts.rendererRoot }));
    mainWindow = win;
  };
  app.on('activate', () => {
    if (!mainWindow && quitState === 'running') createWindow();
  });
  createWindow();

  const started = host.start().then(
    ({ problems }) => {
      if (problems.length === 0) return;
      const options = { type: 'warning' as const, title: 'Taktboard', message: 'The configuration could not be used', detail: problems.join('\n\n') };
      void (mainWindow ? dialog.showMessageBox(mainWindow, options) : dialog.showMessageBox(options));
    },
    (err: unknown) => {
      log.error('the engine could not start', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      dialog.showErrorBox('Taktboard cannot start', err instanceof Error ? err.message : String(err));
      app.quit();
    },
  );

  return { window: () => mainWindow, started };
}
