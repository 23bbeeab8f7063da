// Desktop-only requests: the daily CSV through a save dialog, and Settings (config checked by the
// one schema, written atomically, engine restarted; the password kept in the keychain); the broker's TLS
// files chosen in an open dialog; the configuration exported and imported as a file.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CONFIG_INPUT, parseConfig, type Config } from '../../shared/config.ts';
import type { Core } from '../../main/core/core-types.ts';
import { desktopPaths, type DesktopPaths, type Launch } from '../../main/desktop/host.ts';
import type { DesktopHandlers } from '../../main/desktop/ipc.ts';
import { createPasswordStore } from '../../main/desktop/secrets.ts';
import { createDesktopHandlers, MAX_CONFIG_FILE_BYTES } from '../../main/desktop/settings.ts';
import { resetElectron, safeStorage } from './fake-electron.ts';
import { translateWords } from '../../renderer/src/i18n.ts';

const validText = JSON.stringify({ ...DEMO_CONFIG_INPUT, broker: { url: 'mqtt://broker.plant:1883', clientId: 'desk-1' } }, null, 2);

let paths: DesktopPaths;
let documents: string;
let restart: ReturnType<typeof vi.fn<() => Promise<Launch>>>;
let dailyCsv: ReturnType<typeof vi.fn>;
let chooseSavePath: ReturnType<typeof vi.fn<(p: string, kind: string) => Promise<string | null>>>;
let chooseOpenPath: ReturnType<typeof vi.fn<(kind: string, p: string | undefined) => Promise<string | null>>>;
let running: Config;
let handlers: DesktopHandlers;

const SUPERVISOR_HASH = 'a'.repeat(64);

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
  chooseOpenPath = vi.fn(async () => null);
  const parsed = parseConfig({
    ...DEMO_CONFIG_INPUT,
    site: 'zigong',
    broker: { url: 'mqtts://broker.plant:8883', ca: '/etc/plant/tls/ca.pem', cert: 'client.crt' },
    access: { tokens: [{ name: 'integrator', role: 'supervisor', sha256: SUPERVISOR_HASH }] },
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  running = parsed.config;
  const shiftCalendar = vi.fn(async () => ({ today: '2026-11-30' }));
  const core = {
    get config() {
      return running;
    },
    handlers: { dailyCsv, shiftCalendar },
  } as unknown as Core;
  handlers = createDesktopHandlers({
    paths,
    passwords: createPasswordStore(paths.password, safeStorage, 'linux'),
    host: { core: async () => core, restart },
    chooseSavePath,
    chooseOpenPath,
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
    if (!notJson.ok) {
      expect(notJson.errors[0]).toMatch(/^not valid JSON/);
      // In words too, so the screen says it in its language.
      expect(notJson.words?.[0].key).toBe('desktop.bad_json');
      expect(translateWords('zh-CN', notJson.words![0])).toMatch(/^不是有效的 JSON：/);
    }

    const wrong = await handlers.saveSettings({ configText: JSON.stringify({ ...DEMO_CONFIG_INPUT, timezone: 'Mars/Olympus', lines: [] }) });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) {
      expect(wrong.errors.join('\n')).toMatch(/timezone/);
      expect(wrong.errors.join('\n')).toMatch(/lines/);
      // Each problem with its field, in words: the screen puts it next to the field.
      expect(wrong.problems?.map((p) => p.path)).toEqual(expect.arrayContaining([expect.stringMatching(/timezone/), expect.stringMatching(/lines/)]));
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
    if (!r.ok) {
      expect(r.errors[0]).toMatch(/basic_text/);
      expect(r.words?.[0].key).toBe('desktop.password_not_kept');
    }
    expect(existsSync(paths.config)).toBe(false);
    expect(existsSync(paths.password)).toBe(false);
    expect(restart).not.toHaveBeenCalled();
  });

  it('reports a configuration that was saved but could not start', async () => {
    restart.mockResolvedValueOnce({ runtime: {} as Launch['runtime'], problems: ['the plant configuration could not be started: EADDRINUSE'] });
    const r = await handlers.saveSettings({ configText: validText });
    const detail = 'the plant configuration could not be started: EADDRINUSE';
    expect(r).toEqual({ ok: false, errors: [`the configuration was saved but could not be started: ${detail}`], words: [{ key: 'desktop.saved_not_started', params: { detail } }] });
  });
});

describe('saveDailyCsv', () => {
  it('returns null when the dialog is cancelled, and writes nothing', async () => {
    expect(await handlers.saveDailyCsv({ date: '2026-11-30' })).toEqual({ savedTo: null });
    // The desktop window acts as supervisor for the person at the plant PC.
    expect(dailyCsv).toHaveBeenCalledWith({ date: '2026-11-30' }, expect.objectContaining({ role: 'supervisor', who: expect.stringMatching(/^desktop:/) }));
    expect(chooseSavePath).toHaveBeenCalledWith(path.join(documents, 'taktboard-daily-2026-11-30.csv'), 'csv');
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
    expect(chooseSavePath).toHaveBeenLastCalledWith(path.join(documents, 'x.csv'), 'csv');
  });

  it('says in words when the chosen file cannot be written', async () => {
    chooseSavePath.mockResolvedValueOnce(path.join(documents, 'no-such-dir', 'x.csv'));
    await expect(handlers.saveDailyCsv({ date: '2026-11-30' })).rejects.toThrow(/could not write .*x\.csv: ENOENT/);
  });
});

describe('pickFile', () => {
  it('returns the path chosen for a TLS file, opening where the running one is', async () => {
    chooseOpenPath.mockResolvedValueOnce('/home/me/certs/plant-ca.pem');
    expect(await handlers.pickFile({ purpose: 'ca' })).toEqual({ path: '/home/me/certs/plant-ca.pem' });
    expect(chooseOpenPath).toHaveBeenLastCalledWith('ca', '/etc/plant/tls/ca.pem');
  });

  it('opens without a folder when the running path is relative or not set, and returns null when cancelled', async () => {
    expect(await handlers.pickFile({ purpose: 'cert' })).toBeNull();
    expect(chooseOpenPath).toHaveBeenLastCalledWith('cert', undefined);
    expect(await handlers.pickFile({ purpose: 'key' })).toBeNull();
    expect(chooseOpenPath).toHaveBeenLastCalledWith('key', undefined);
  });
});

describe('exportConfigFile', () => {
  it('writes the running configuration without its access tokens where the user chose', async () => {
    const target = path.join(documents, 'moved.json');
    chooseSavePath.mockResolvedValueOnce(target);
    expect(await handlers.exportConfigFile({})).toEqual({ savedTo: target });
    expect(chooseSavePath).toHaveBeenLastCalledWith(path.join(documents, 'taktboard-config-zigong-2026-11-30.json'), 'config');
    const text = readFileSync(target, 'utf8');
    expect(text).not.toContain(SUPERVISOR_HASH);
    const written = JSON.parse(text);
    expect(written.access).toBeUndefined();
    const { access: _, ...rest } = running;
    expect(written).toEqual(JSON.parse(JSON.stringify(rest)));
    // What it holds is a configuration the schema takes again.
    expect(parseConfig(written).ok).toBe(true);
  });

  it('writes nothing when the dialog is cancelled, and says in words when the file cannot be written', async () => {
    expect(await handlers.exportConfigFile({})).toEqual({ savedTo: null });
    chooseSavePath.mockResolvedValueOnce(path.join(documents, 'no-such-dir', 'x.json'));
    await expect(handlers.exportConfigFile({})).rejects.toThrow(/could not write .*x\.json: ENOENT/);
  });
});

describe('importConfigFile', () => {
  it('returns the chosen file’s name and text, as it is, for the form to load', async () => {
    const file = path.join(documents, 'from-pc-2.json');
    writeFileSync(file, '\uFEFF' + validText);
    chooseOpenPath.mockResolvedValueOnce(file);
    expect(await handlers.importConfigFile({})).toEqual({ name: 'from-pc-2.json', text: '\uFEFF' + validText });
    expect(chooseOpenPath).toHaveBeenLastCalledWith('config', documents);
    // Loading it into the form is the form's: nothing is written or restarted here.
    expect(existsSync(paths.config)).toBe(false);
    expect(restart).not.toHaveBeenCalled();
  });

  it('returns null when cancelled, and refuses a file too large to be a configuration or one it cannot read', async () => {
    expect(await handlers.importConfigFile({})).toBeNull();
    const big = path.join(documents, 'big.json');
    writeFileSync(big, 'x'.repeat(MAX_CONFIG_FILE_BYTES + 1));
    chooseOpenPath.mockResolvedValueOnce(big);
    await expect(handlers.importConfigFile({})).rejects.toThrow(/big\.json is larger than 1000000 bytes/);
    chooseOpenPath.mockResolvedValueOnce(path.join(documents, 'gone.json'));
    await expect(handlers.importConfigFile({})).rejects.toThrow(/could not read .*gone\.json: ENOENT/);
  });
});
