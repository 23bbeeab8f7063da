// The shell on the real engine (fake Electron only): without a config file the embedded demo runs,
// IPC from our window reaches it, its events reach the window, and quitting stops it cleanly.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LiveSnapshot } from '../../shared/api.ts';
import { setLogSink } from '../../main/core/log.ts';
import { startRuntime } from '../../main/core/runtime.ts';
import { runShell } from '../../main/desktop/shell.ts';
import { app, BrowserWindow, ipcMain, resetElectron } from './fake-electron.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

let restoreLog: () => void;
beforeEach(() => {
  resetElectron();
  restoreLog = setLogSink(() => {});
});
afterEach(() => restoreLog());

describe('desktop shell on the demo engine', () => {
  it('serves live data over IPC, pushes events, and stops on quit', async () => {
    const stop = vi.fn<() => Promise<void>>();
    const shell = await runShell({
      // A short backfill keeps the test quick; the shell passes everything else.
      startRuntime: async (opts) => {
        const runtime = await startRuntime({ ...opts, backfillMs: 5 * 60_000 });
        stop.mockImplementation(() => runtime.stop());
        return { ...runtime, stop };
      },
      preloadPath: '/p.cjs',
      rendererRoot: '/r',
    });
    await shell?.started;
    const contents = BrowserWindow.instances[0].webContents;
    const event = { sender: contents, senderFrame: contents.mainFrame };

    const live = (await ipcMain.handlers.get('taktboard:live')!(event, {})) as { ok: true; value: LiveSnapshot };
    expect(live.ok).toBe(true);
    expect(live.value.lines.map((l) => l.id)).toEqual(['yibin-cell-1', 'yubei-assembly-1']);
    expect(app.getPath('userData')).toBe(path.join(app.getPath('appData'), 'Taktboard'));

    await vi.waitFor(() => expect(contents.sent.some(([, m]) => (m as { event: string }).event === 'live')).toBe(true), { timeout: 10_000 });

    app.emit('before-quit', { preventDefault: () => {} });
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalled(), { timeout: 10_000 });
    expect(stop).toHaveBeenCalledTimes(1);
    await expect(stop.mock.results[0].value).resolves.toBeUndefined();
  });
});
