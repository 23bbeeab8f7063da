// The shell on the real engine (fake Electron only): without a config file the embedded demo runs,
// IPC from our window reaches it, its events reach the window, and quitting stops it cleanly.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LiveSnapshot } from '../../shared/api.ts';
import { setLogSink } from '../../main/core/log.ts';
import { startRuntime } from '../../main/core/runtime.ts';
import { localDate } from '../../shared/shifts.ts';
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
  it('serves live data and, from the read workers, History and daily CSVs over IPC, pushes events, and stops on quit', async () => {
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

    // The heavy reads are the read workers' in the desktop's main process too (DESIGN "Threads and
    // processes"): History and daily CSVs asked over IPC together, answered, with the pool in Diagnostics.
    const call = <T,>(name: string, args: unknown) => ipcMain.handlers.get(`taktboard:${name}`)!(event, args) as Promise<{ ok: boolean; value: T }>;
    const date = localDate(live.value.timezone, live.value.ts);
    const [csvs, history] = await Promise.all([Promise.all(Array.from({ length: 4 }, () => call<{ csv: string }>('dailyCsv', { date }))), call<{ lines: unknown[] }>('history', { date, shift: 'ALL' })]);
    expect(csvs.every((r) => r.ok && r.value.csv.startsWith('\uFEFFdate,shift,line,'))).toBe(true);
    expect(history.ok && history.value.lines.length).toBe(2);
    const diag = (await call<{ engine: { readsInFlight: number[] } }>('diagnostics', {})).value;
    expect(diag.engine.readsInFlight.length).toBeGreaterThanOrEqual(2);
    expect(diag.engine.readsInFlight.every((n) => n === 0)).toBe(true);

    app.emit('before-quit', { preventDefault: () => {} });
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalled(), { timeout: 10_000 });
    expect(stop).toHaveBeenCalledTimes(1);
    await expect(stop.mock.results[0].value).resolves.toBeUndefined();
  });
});
