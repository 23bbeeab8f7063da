// The built preload (out/preload/preload.cjs, what the window loads) run the way Electron runs a sandboxed
// preload: as a script in a context of its own, wrapped in
//   (function (require, process, Buffer, global, setImmediate, clearImmediate, exports, module) { … })
// with a `require` that resolves 'electron' and nothing else, a `process` that is a small object (no cwd,
// no binding, no mainModule), and no __dirname, __filename or Node module on the global. (Electron's
// sandbox also lets `events`, `timers` and `url` through; the preload needs none, so they are refused
// here.) A value import of a Node module or of a package that is not bundled therefore fails this test,
// as it would fail in the window — where tests/desktop/preload.test.ts, running the source under vitest
// with Node's require, would not notice.
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_REQUEST_NAMES, REQUEST_NAMES } from '../../shared/api.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUILT = path.join(ROOT, 'out/preload/preload.cjs');
/** Everything the preload bundle can be made from. */
const SOURCE_DIRS = ['main/desktop', 'shared'];

function newestSourceMs(): number {
  let newest = 0;
  for (const dir of SOURCE_DIRS) {
    for (const f of readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      if (/\.(ts|mts|cts)$/.test(f)) newest = Math.max(newest, statSync(path.join(ROOT, dir, f)).mtimeMs);
    }
  }
  return newest;
}

/** The built preload; built first (`electron-vite build`, as `npm run build:desktop`) when missing or older than its sources. */
function builtPreload(): string {
  if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < newestSourceMs()) {
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
    } catch (err) {
      const e = err as { stderr?: Buffer; stdout?: Buffer; message: string };
      throw new Error(`out/preload/preload.cjs is missing or older than its sources, and \`npx electron-vite build\` failed:\n${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`);
    }
  }
  if (!existsSync(BUILT)) throw new Error('`npx electron-vite build` wrote no out/preload/preload.cjs (see electron.vite.config.mts)');
  return readFileSync(BUILT, 'utf8');
}

interface Sandboxed {
  /** What contextBridge.exposeInMainWorld put on the page's window. */
  window: Record<string, unknown>;
  exposeCalls: string[];
  invoked: [string, unknown][];
  /** Module names the preload asked `require` for. */
  required: string[];
  /** ipcRenderer.emit, as the main process's webContents.send arrives. */
  push(channel: string, message: unknown): void;
}

/** Runs a preload script the way Electron's sandboxed renderer does (see the top of this file). */
function runSandboxed(source: string, filename = 'preload.cjs'): Sandboxed {
  const window: Record<string, unknown> = {};
  const exposeCalls: string[] = [];
  const invoked: [string, unknown][] = [];
  const required: string[] = [];
  const ipcRenderer = Object.assign(new EventEmitter(), {
    invoke: async (channel: string, args: unknown) => {
      invoked.push([channel, args]);
      return { ok: true, value: { answered: channel } };
    },
    send: () => undefined,
    sendSync: () => undefined,
    postMessage: () => undefined,
  });
  const electron = {
    contextBridge: {
      exposeInMainWorld(key: string, api: unknown) {
        exposeCalls.push(key);
        window[key] = api;
      },
    },
    ipcRenderer,
    webFrame: {},
    crashReporter: {},
    nativeImage: {},
    webUtils: {},
  };
  const sandboxRequire = (id: string) => {
    required.push(id);
    if (id === 'electron') return electron;
    // Electron's own words for a module its sandbox does not provide.
    throw new Error(`module not found: ${id}`);
  };
  // What the sandbox gives as `process`: data about the renderer, no Node internals.
  const sandboxProcess = Object.assign(new EventEmitter(), {
    type: 'renderer',
    sandboxed: true,
    contextIsolated: true,
    platform: process.platform,
    arch: process.arch,
    pid: 1,
    argv: [] as string[],
    env: {} as Record<string, string>,
    execPath: '',
    version: process.version,
    versions: { node: process.versions.node, electron: '45.5.0', chrome: '144.0.0.0' },
  });
  // A renderer's global: web APIs, no Node ones.
  const context = vm.createContext({
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    structuredClone,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    AbortController,
    Event,
    EventTarget,
  });
  const global = vm.runInContext('globalThis.window = globalThis; globalThis.self = globalThis; globalThis', context);
  const wrapped = `(function (require, process, Buffer, global, setImmediate, clearImmediate, exports, module) {${source}\n})`;
  const run = vm.runInContext(wrapped, context, { filename }) as (...args: unknown[]) => void;
  const module = { exports: {} };
  run(sandboxRequire, sandboxProcess, Buffer, global, setImmediate, clearImmediate, module.exports, module);
  return { window, exposeCalls, invoked, required, push: (channel, message) => ipcRenderer.emit(channel, { sender: ipcRenderer }, message) };
}

describe('the built preload in a sandboxed renderer', () => {
  let source: string;
  let loaded: Sandboxed;
  beforeAll(() => {
    source = builtPreload();
    loaded = runSandboxed(source, BUILT);
  }, 180_000);

  it('is one CommonJS script that requires electron and nothing else', () => {
    expect(loaded.required).toEqual(['electron']);
    expect(source).not.toMatch(/^\s*(import|export)\s/m);
  });

  it('exposes window.taktboard with every request of shared/api.ts, the desktop ones, and on', () => {
    expect(loaded.exposeCalls).toEqual(['taktboard']);
    const api = loaded.window.taktboard as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...REQUEST_NAMES, ...DESKTOP_REQUEST_NAMES, 'on'].sort());
    for (const [name, value] of Object.entries(api)) expect(typeof value, name).toBe('function');
  });

  it('calls reach ipcRenderer.invoke on the named channel, and pushed events reach the page', async () => {
    const api = loaded.window.taktboard as Record<string, (...a: unknown[]) => unknown>;
    for (const name of [...REQUEST_NAMES, ...DESKTOP_REQUEST_NAMES]) {
      expect(await api[name]({ probe: name }), name).toEqual({ answered: `taktboard:${name}` });
    }
    expect(loaded.invoked).toEqual([...REQUEST_NAMES, ...DESKTOP_REQUEST_NAMES].map((name) => [`taktboard:${name}`, { probe: name }]));
    const got: unknown[] = [];
    const off = api.on('live', (payload: unknown) => got.push(payload)) as () => void;
    loaded.push('taktboard:event', { event: 'live', payload: { ts: 1 } });
    off();
    loaded.push('taktboard:event', { event: 'live', payload: { ts: 2 } });
    expect(got).toEqual([{ ts: 1 }]);
  });
});

describe('the sandbox this test gives a preload', () => {
  const minimal = 'const { contextBridge } = require("electron"); contextBridge.exposeInMainWorld("taktboard", {});';

  it('refuses a Node module, as the bundler leaves a value import of one (`let node_fs = require("node:fs")`)', () => {
    expect(() => runSandboxed(minimal)).not.toThrow();
    expect(() => runSandboxed(`let node_fs = require("node:fs");\n${minimal}`)).toThrow('module not found: node:fs');
    expect(() => runSandboxed(`let path = require("path");\n${minimal}`)).toThrow('module not found: path');
    expect(() => runSandboxed(`let zod = require("zod");\n${minimal}`)).toThrow('module not found: zod');
  });

  it('has no Node globals: no __dirname, no process.cwd, no Buffer or require on the window', () => {
    expect(() => runSandboxed(`__dirname;\n${minimal}`)).toThrow(/__dirname is not defined/);
    expect(() => runSandboxed(`process.cwd();\n${minimal}`)).toThrow(/process.cwd is not a function/);
    const probe = runSandboxed(
      'require("electron").contextBridge.exposeInMainWorld("seen", [typeof window.require, typeof window.process, typeof window.Buffer, typeof window.module, typeof globalThis.global]);',
    );
    expect(probe.window.seen).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
  });
});
