// Desktop-only requests: the daily CSV through a save dialog, and Settings (config checked by the
// one schema, written atomically, engine restarted; the password kept in the keychain).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CONFIG_INPUT, parseConfig } from '../../shared/config.ts';
import type { Core } from '../../main/core/core-types.ts';
import { desktopPaths, type DesktopPaths, type Launch } from '../../main/desktop/host.ts';
import type { DesktopHandlers } from '../../main/desktop/ipc.ts';
import { createPasswordStore } from '../../main/desktop/secrets.ts';
import { createDesktopHandlers } from '../../main/desktop/settings.ts';
import { resetElectron, safeStorage } from './fake-electron.ts';

const validText = JSON.stringify({ ...DEMO_CONFIG_INPUT, broker: { url: 'mqtt://broker.plant:1883', clientId: 'desk-1' } }, null, 2);

let paths: DesktopPaths;
let documents: string;
let restart: ReturnType<typeof vi.fn<() => Promise<Launch>>>;
let dailyCsv: ReturnType<typeof vi.fn>;
let chooseSavePath: ReturnType<typeof vi.fn<(p: string) => Promise<string | null>>>;
let handlers: DesktopHandlers;

beforeEach(() => {
  resetElectron();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taktboard-settings-'));
  paths = desktopPaths(path.join(dir, 'userData'));
  mkdirSync(path.dirname(paths.config));
  documents = path.join(dir, 'Documents');
  mkdirSync(documents);
  restart = vi.fn(async () => ({ runtime: {} as Launch['runtime'], problems: [] }));
  dailyCsv = vi.fn(async () => ({ fileName: 'taktboard-daily-2026-11-30.csv', csv: '\uFEFFdate,shift\r\n2026-11-30,A\r\n' }));
  chooseSavePath = vi.fn(async () => null);
  const core = { handlers: { dailyCsv } } as unknown as Core;
  handlers = createDesktopHandlers({
    paths,
    passwords: createPasswordStore(paths.password, safeStorage, 'linux'),
    host: { core: async () => core, restart },
    chooseSavePath,
    documentsDir: documents,
  });
});

describe('getSettings', () => {
  it('offers the demo configuration as the starting point when there is no file', async () => {
    const s = await handlers.getSettings({});
    expect(s.path).toBe(paths.config);
    expect(parseConfig(JSON.parse(s.configText)).ok).toBe(true);
    expect(s).toMatchObject({ passwordStored: false, passwordUnavailable: null });
  });

  it('returns the file as written, and says why a password cannot be stored', async () => {
    writeFileSync(paths.config, validText);
    safeStorage.backend = 'basic_text';
    const s = await handlers.getSettings({});
    expect(s.configText).toBe(validText);
    expect(s.passwordUnavailable).toMatch(/basic_text/);
  });
});

describe('saveSettings', () => {
  it('writes a valid configuration exactly as typed and restarts the engine', async () => {
    expect(await handlers.saveSettings({ configText: validText })).toEqual({ ok: true });
    expect(readFileSync(paths.config, 'utf8')).toBe(validText);
    expect(restart).toHaveBeenCalledTimes(1);
  });

  it('refuses text that is not JSON, or a configuration with wrong fields, and changes nothing', async () => {
    const notJson = await handlers.saveSettings({ configText: '{ site: ' });
    expect(notJson.ok).toBe(false);
    if (!notJson.ok) expect(notJson.errors[0]).toMatch(/^not valid JSON/);

    const wrong = await handlers.saveSettings({ configText: JSON.stringify({ ...DEMO_CONFIG_INPUT, timezone: 'Mars/Olympus', lines: [] }) });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) {
      expect(wrong.errors.join('\n')).toMatch(/timezone/);
      expect(wrong.errors.join('\n')).toMatch(/lines/);
    }
    expect(existsSync(paths.config)).toBe(false);
    expect(restart).not.toHaveBeenCalled();
  });

  it('stores the broker password in the keychain, never in the config file', async () => {
    expect(await handlers.saveSettings({ configText: validText, brokerPassword: 'pw-123' })).toEqual({ ok: true });
    expect(readFileSync(paths.config, 'utf8')).not.toContain('pw-123');
    expect(readFileSync(paths.password).toString('utf8')).not.toContain('pw-123');
    expect((await handlers.getSettings({})).passwordStored).toBe(true);
  });

  it('refuses a password under basic_text in words, before writing anything', async () => {
    safeStorage.backend = 'basic_text';
    const r = await handlers.saveSettings({ configText: validText, brokerPassword: 'pw-123' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/basic_text/);
    expect(existsSync(paths.config)).toBe(false);
    expect(existsSync(paths.password)).toBe(false);
    expect(restart).not.toHaveBeenCalled();
  });

  it('reports a configuration that was saved but could not start', async () => {
    restart.mockResolvedValueOnce({ runtime: {} as Launch['runtime'], problems: ['the plant configuration could not be started: EADDRINUSE'] });
    const r = await handlers.saveSettings({ configText: validText });
    expect(r).toEqual({ ok: false, errors: ['The configuration was saved but could not be started.', 'the plant configuration could not be started: EADDRINUSE'] });
  });
});

describe('saveDailyCsv', () => {
  it('returns null when the dialog is cancelled, and writes nothing', async () => {
    expect(await handlers.saveDailyCsv({ date: '2026-11-30' })).toEqual({ savedTo: null });
    // The desktop window acts as supervisor for the person at the plant PC.
    expect(dailyCsv).toHaveBeenCalledWith({ date: '2026-11-30' }, expect.objectContaining({ role: 'supervisor', who: expect.stringMatching(/^desktop:/) }));
    expect(chooseSavePath).toHaveBeenCalledWith(path.join(documents, 'taktboard-daily-2026-11-30.csv'));
  });

  it('writes the core’s exact bytes where the user chose', async () => {
    const target = path.join(documents, 'chosen.csv');
    chooseSavePath.mockResolvedValueOnce(target);
    expect(await handlers.saveDailyCsv({ date: '2026-11-30' })).toEqual({ savedTo: target });
    expect(readFileSync(target, 'utf8')).toBe('\uFEFFdate,shift\r\n2026-11-30,A\r\n');
  });

  it('suggests only a file name, never a folder from elsewhere', async () => {
    dailyCsv.mockResolvedValueOnce({ fileName: '../../../etc/cron.d/x.csv', csv: '' });
    await handlers.saveDailyCsv({ date: '2026-11-30' });
    expect(chooseSavePath).toHaveBeenLastCalledWith(path.join(documents, 'x.csv'));
  });

  it('says in words when the chosen file cannot be written', async () => {
    chooseSavePath.mockResolvedValueOnce(path.join(documents, 'no-such-dir', 'x.csv'));
    await expect(handlers.saveDailyCsv({ date: '2026-11-30' })).rejects.toThrow(/could not write .*x\.csv: ENOENT/);
  });
});
