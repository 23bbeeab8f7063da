// The preload exposes named functions only: never ipcRenderer, an IPC event, or a channel of the page's choosing.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { DESKTOP_REQUEST_NAMES, REQUEST_NAMES, type DesktopApi } from '../../shared/api.ts';
import { contextBridge, ipcRenderer } from './fake-electron.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

let api: DesktopApi;

beforeAll(async () => {
  await import('../../main/desktop/preload.ts');
  expect(contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
  const [key, value] = contextBridge.exposeInMainWorld.mock.calls[0] as [string, DesktopApi];
  expect(key).toBe('taktboard');
  api = value;
});

describe('preload', () => {
  it('exposes exactly one function per request, plus on', () => {
    expect(Object.keys(api).sort()).toEqual([...REQUEST_NAMES, ...DESKTOP_REQUEST_NAMES, 'on'].sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
  });

  it('never exposes ipcRenderer or any of its methods', () => {
    const exposed = Object.values(api) as unknown[];
    for (const forbidden of [ipcRenderer, ipcRenderer.invoke, ipcRenderer.send, ipcRenderer.on, ipcRenderer.emit]) {
      expect(exposed).not.toContain(forbidden);
    }
    for (const key of ['ipcRenderer', 'invoke', 'send', 'sendSync', 'postMessage', 'require', 'process']) expect(api).not.toHaveProperty(key);
  });

  it('invokes the named channel with the arguments and returns the value', async () => {
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: { date: '2026-11-30', lines: [] } });
    await expect(api.history({ date: '2026-11-30', shift: 'A' })).resolves.toEqual({ date: '2026-11-30', lines: [] });
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('taktboard:history', { date: '2026-11-30', shift: 'A' });

    ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: { savedTo: '/home/me/x.csv' } });
    await expect(api.saveDailyCsv({ date: '2026-11-30' })).resolves.toEqual({ savedTo: '/home/me/x.csv' });
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('taktboard:saveDailyCsv', { date: '2026-11-30' });
  });

  it('turns a refused call into plain data carrying only the message and its words', async () => {
    // Not an Error: one crossing the context bridge keeps its message only, and the words would be lost.
    const words = { key: 'refusal.bad_arguments', params: { name: 'history', issues: { key: 'refusal.field', params: { field: 'date', problem: { key: 'problem.date_format' } } } } };
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: false, error: 'history: bad arguments: date: must be a date YYYY-MM-DD', words });
    const err = await api.history({ date: '../../etc/passwd', shift: 'A' }).catch((e: unknown) => e);
    expect(err).toEqual({ message: 'history: bad arguments: date: must be a date YYYY-MM-DD', words });
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: false, error: 'history: unknown shift "Z"' });
    expect(await api.history({ date: '2026-11-30', shift: 'Z' }).catch((e: unknown) => e)).toEqual({ message: 'history: unknown shift "Z"', words: null });
    ipcRenderer.invoke.mockResolvedValueOnce(undefined);
    expect(await api.live({}).catch((e: unknown) => e)).toEqual({ message: 'live: no reply from the application', words: { key: 'refusal.no_reply', params: { name: 'live' } } });
  });

  it('delivers pushed events by name, payload only, until unsubscribed', () => {
    const live = vi.fn();
    const connection = vi.fn();
    const offLive = api.on('live', live);
    api.on('connection', connection);

    ipcRenderer.emit('taktboard:event', { sender: ipcRenderer }, { event: 'live', payload: { ts: 1 } });
    ipcRenderer.emit('taktboard:event', { sender: ipcRenderer }, { event: 'connection', payload: { status: 'connected' } });
    ipcRenderer.emit('taktboard:event', { sender: ipcRenderer }, { event: 'constructor', payload: {} });
    ipcRenderer.emit('taktboard:event', { sender: ipcRenderer }, null);
    expect(live).toHaveBeenCalledTimes(1);
    expect(live.mock.calls[0]).toEqual([{ ts: 1 }]);
    expect(connection.mock.calls[0]).toEqual([{ status: 'connected' }]);

    offLive();
    ipcRenderer.emit('taktboard:event', { sender: ipcRenderer }, { event: 'live', payload: { ts: 2 } });
    expect(live).toHaveBeenCalledTimes(1);
  });

  it('keeps delivering when one listener throws', () => {
    const broken = vi.fn(() => {
      throw new Error('screen bug');
    });
    const fine = vi.fn();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const off1 = api.on('live', broken);
    const off2 = api.on('live', fine);
    ipcRenderer.emit('taktboard:event', {}, { event: 'live', payload: { ts: 3 } });
    expect(fine).toHaveBeenCalledWith({ ts: 3 });
    off1();
    off2();
    error.mockRestore();
  });

  it('refuses an unknown event name', () => {
    expect(() => api.on('quarantine' as never, () => {})).toThrow(/unknown event/);
    expect(() => api.on('__proto__' as never, () => {})).toThrow(/unknown event/);
  });
});
