// A small stand-in for the parts of `electron` the desktop shell uses. The real module downloads the
// Electron binary on first require, which cannot happen here; tests `vi.mock('electron', …)` with this.
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import { vi } from 'vitest';

export interface FakeFrame {
  url: string;
  origin: string;
  parent: FakeFrame | null;
  detached: boolean;
}

let nextId = 1;

export class FakeWebContents extends EventEmitter {
  id = nextId++;
  mainFrame: FakeFrame = { url: '', origin: '', parent: null, detached: false };
  sent: [string, unknown][] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  send(channel: string, message: unknown): void {
    this.sent.push([channel, message]);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  options: Record<string, unknown>;
  webContents = new FakeWebContents();
  destroyed = false;
  minimized = false;
  calls: string[] = [];
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    BrowserWindow.instances.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url: string): Promise<void> {
    this.webContents.mainFrame.url = url;
    this.webContents.mainFrame.origin = new URL(url).protocol + '//' + new URL(url).host;
    return Promise.resolve();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.calls.push('restore');
  }
  show(): void {
    this.calls.push('show');
  }
  focus(): void {
    this.calls.push('focus');
  }
}

let userDataRoot = mkdtempSync(path.join(os.tmpdir(), 'taktboard-desktop-'));
const pathOverrides = new Map<string, string>();

export const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  requestSingleInstanceLock: vi.fn(() => true),
  quit: vi.fn(),
  whenReady: vi.fn(() => Promise.resolve()),
  enableSandbox: vi.fn(),
  getAppPath: vi.fn(() => userDataRoot),
  getPath: vi.fn((name: string) => pathOverrides.get(name) ?? path.join(userDataRoot, name)),
  setPath: vi.fn((name: string, value: string) => {
    pathOverrides.set(name, value);
  }),
});

export const ipcMain = {
  handlers: new Map<string, (...args: unknown[]) => unknown>(),
  handle(channel: string, listener: (...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  },
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  },
};

export const ipcRenderer = Object.assign(new EventEmitter(), {
  invoke: vi.fn(async (_channel: string, _args: unknown): Promise<unknown> => ({ ok: true, value: null })),
  send: vi.fn(),
});

export const contextBridge = { exposeInMainWorld: vi.fn() };

export const safeStorage = {
  backend: 'gnome_libsecret' as ReturnType<SafeStorage['getSelectedStorageBackend']>,
  available: true,
  getSelectedStorageBackend: vi.fn(() => safeStorage.backend),
  isAsyncEncryptionAvailable: vi.fn(async () => safeStorage.available),
  encryptStringAsync: vi.fn(async (text: string) => Buffer.from(Buffer.from(text, 'utf8').toString('base64').split('').reverse().join(''), 'utf8')),
  decryptStringAsync: vi.fn(async (data: Buffer) => ({
    result: Buffer.from(data.toString('utf8').split('').reverse().join(''), 'base64').toString('utf8'),
    shouldReEncrypt: false,
  })),
};

type BeforeRequest = (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void;

export const session = {
  defaultSession: Object.assign(new EventEmitter(), {
    permissionRequestHandler: null as null | ((...args: unknown[]) => void),
    permissionCheckHandler: null as null | ((...args: unknown[]) => boolean),
    devicePermissionHandler: null as null | ((...args: unknown[]) => boolean),
    beforeRequest: null as null | BeforeRequest,
    setPermissionRequestHandler(h: (...args: unknown[]) => void) {
      this.permissionRequestHandler = h;
    },
    setPermissionCheckHandler(h: (...args: unknown[]) => boolean) {
      this.permissionCheckHandler = h;
    },
    setDevicePermissionHandler(h: (...args: unknown[]) => boolean) {
      this.devicePermissionHandler = h;
    },
    webRequest: {
      onBeforeRequest(h: BeforeRequest) {
        session.defaultSession.beforeRequest = h;
      },
    },
  }),
};

export const protocol = {
  registerSchemesAsPrivileged: vi.fn(),
  handle: vi.fn(),
};

export const dialog = {
  showSaveDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: true, filePath: '' })),
  showOpenDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: true, filePaths: [] as string[] })),
  showMessageBox: vi.fn(async () => ({ response: 0, checkboxChecked: false })),
  showErrorBox: vi.fn(),
};

/** Electron's main-process notifications: every one shown is kept. */
export class Notification {
  static shown: { title: string; body: string; urgency?: string }[] = [];
  static isSupported = vi.fn(() => true);
  readonly options: { title: string; body: string; urgency?: string };
  constructor(options: { title: string; body: string; urgency?: string }) {
    this.options = options;
  }
  show(): void {
    Notification.shown.push(this.options);
  }
}

/** A fresh app for each test: new user-data folder, no listeners, no windows, no handlers. */
export function resetElectron(): string {
  userDataRoot = mkdtempSync(path.join(os.tmpdir(), 'taktboard-desktop-'));
  pathOverrides.clear();
  app.removeAllListeners();
  app.requestSingleInstanceLock.mockReset().mockReturnValue(true);
  app.quit.mockReset();
  BrowserWindow.instances = [];
  Notification.shown = [];
  ipcMain.handlers.clear();
  safeStorage.backend = 'gnome_libsecret';
  safeStorage.available = true;
  session.defaultSession.removeAllListeners();
  for (const f of [protocol.registerSchemesAsPrivileged, protocol.handle, dialog.showSaveDialog, dialog.showOpenDialog, dialog.showMessageBox, dialog.showErrorBox, app.whenReady]) f.mockClear();
  return userDataRoot;
}
