// The engine the desktop runs: the demo without a config file or with a broken one, the plant with a
// good one; restarts and stops one at a time.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CONFIG_INPUT } from '../../shared/config.ts';
import type { Core } from '../../main/core/core-types.ts';
import { setLogSink } from '../../main/core/log.ts';
import type { Runtime, RuntimeOptions } from '../../main/core/runtime.ts';
import { createRuntimeHost, desktopPaths, type DesktopPaths } from '../../main/desktop/host.ts';
import { createPasswordStore } from '../../main/desktop/secrets.ts';
import { resetElectron, safeStorage } from './fake-electron.ts';

let paths: DesktopPaths;
let started: { opts: RuntimeOptions; runtime: Runtime & { stop: ReturnType<typeof vi.fn> } }[];
let startRuntime: ReturnType<typeof vi.fn<(opts: RuntimeOptions) => Promise<Runtime>>>;
let detach: ReturnType<typeof vi.fn<() => void>>;

function host() {
  return createRuntimeHost({
    startRuntime,
    paths,
    passwords: createPasswordStore(paths.password, safeStorage, 'linux'),
    attach: () => detach,
  });
}

beforeEach(() => {
  resetElectron();
  setLogSink(() => {});
  paths = desktopPaths(path.join(mkdtempSync(path.join(os.tmpdir(), 'taktboard-host-')), 'userData'));
  mkdirSync(path.dirname(paths.config));
  started = [];
  detach = vi.fn<() => void>();
  startRuntime = vi.fn(async (opts: RuntimeOptions) => {
    const runtime = { core: { dbPath: opts.dbPath } as unknown as Core, demo: !opts.config, brokerUrl: 'mqtt://x', demoTokens: [], stop: vi.fn(async () => {}) };
    started.push({ opts, runtime });
    return runtime;
  });
});

describe('runtime host', () => {
  it('runs the demo on its own database when there is no config file', async () => {
    const { runtime, problems } = await host().start();
    expect(problems).toEqual([]);
    expect(runtime.demo).toBe(true);
    expect(startRuntime).toHaveBeenCalledWith({ dbPath: paths.demoDb });
  });

  it('runs the plant configuration with the stored broker password', async () => {
    writeFileSync(paths.config, JSON.stringify(DEMO_CONFIG_INPUT));
    await createPasswordStore(paths.password, safeStorage, 'linux').save('pw');
    const { runtime, problems } = await host().start();
    expect(problems).toEqual([]);
    expect(runtime.demo).toBe(false);
    expect(started[0].opts).toMatchObject({ dbPath: paths.db, brokerPassword: 'pw', config: { site: 'chongqing' } });
  });

  it('falls back to the demo, with problems naming the field, when the config file is wrong', async () => {
    writeFileSync(paths.config, JSON.stringify({ ...DEMO_CONFIG_INPUT, timezone: 'Mars/Olympus' }));
    const { runtime, problems } = await host().start();
    expect(runtime.demo).toBe(true);
    expect(problems.join('\n')).toMatch(/timezone/);
    expect(problems.join('\n')).toMatch(/demo runs instead/);
  });

  it('falls back to the demo when the plant engine fails to start', async () => {
    writeFileSync(paths.config, JSON.stringify(DEMO_CONFIG_INPUT));
    startRuntime.mockRejectedValueOnce(new Error('database is locked'));
    const { runtime, problems } = await host().start();
    expect(runtime.demo).toBe(true);
    expect(problems[0]).toMatch(/could not be started: database is locked/);
  });

  it('restarts one at a time: the old engine stops before the new one starts, and calls wait for it', async () => {
    const h = host();
    await h.start();
    writeFileSync(paths.config, JSON.stringify(DEMO_CONFIG_INPUT));
    const restarting = h.restart();
    const core = h.core();
    await restarting;
    expect(started[0].runtime.stop).toHaveBeenCalledTimes(1);
    expect(detach).toHaveBeenCalledTimes(1);
    expect(started[0].runtime.stop.mock.invocationCallOrder[0]).toBeLessThan(startRuntime.mock.invocationCallOrder[1]);
    expect(await core).toBe(started[1].runtime.core);
  });

  it('stops the engine on quit and refuses calls afterwards', async () => {
    const h = host();
    await h.start();
    await h.stop();
    expect(started[0].runtime.stop).toHaveBeenCalledTimes(1);
    await expect(h.core()).rejects.toThrow(/not running/);
    await expect(h.restart()).rejects.toThrow(/quitting/);
    expect(startRuntime).toHaveBeenCalledTimes(1);
  });
});
