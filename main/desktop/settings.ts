// The requests only the desktop window offers: saving the daily CSV through a save dialog, reading
// and saving the plant configuration (with the broker password kept apart, in the OS keychain), choosing
// the broker's TLS files, and exporting and importing the configuration as a file, each in a native dialog.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { configExportName, configExportText, configFileJson } from '../../shared/config-export.ts';
import { DEMO_CONFIG_INPUT, parseConfig } from '../../shared/config.ts';
import type { SaveSettingsResult } from '../../shared/api.ts';
import { english, words, type Words } from '../../shared/words.ts';
import type { OpenKind, SaveKind } from './dialogs.ts';
import { writeFileAtomic } from './files.ts';
import type { DesktopPaths, RuntimeHost } from './host.ts';
import { DesktopError, desktopCaller, type DesktopHandlers } from './ipc.ts';
import type { Core } from '../core/core-types.ts';
import type { PasswordStore } from './secrets.ts';

/** A refusal of the desktop's save: its words for the screens, and their English. */
function refusal(...said: Words[]): SaveSettingsResult {
  return { ok: false, errors: said.map(english), words: said };
}

export interface DesktopHandlerDeps {
  paths: DesktopPaths;
  passwords: PasswordStore;
  host: Pick<RuntimeHost, 'core' | 'restart'>;
  /** Asks the user where to save (a native dialog); null when they cancel. */
  chooseSavePath(defaultPath: string, kind: SaveKind): Promise<string | null>;
  /** Asks the user for one existing file (a native dialog), opening at `defaultPath` if given; null when they cancel. */
  chooseOpenPath(kind: OpenKind, defaultPath: string | undefined): Promise<string | null>;
  documentsDir: string;
}

/** The largest configuration file imported: what saveSettings takes. */
export const MAX_CONFIG_FILE_BYTES = 1_000_000;

export function createDesktopHandlers(deps: DesktopHandlerDeps): DesktopHandlers {
  return {
    saveDailyCsv: ({ date }) => saveCsv(deps, async (core) => core.handlers.dailyCsv({ date }, desktopCaller())),
    saveStopsCsv: ({ date }) => saveCsv(deps, async (core) => core.handlers.stopsCsv({ date }, desktopCaller())),

    async getSettings() {
      // Without a file the demo runs; its configuration is the starting point to edit.
      const configText = existsSync(deps.paths.config)
        ? await readFile(deps.paths.config, 'utf8')
        : JSON.stringify(DEMO_CONFIG_INPUT, null, 2) + '\n';
      return {
        path: deps.paths.config,
        configText,
        passwordStored: deps.passwords.stored(),
        passwordUnavailable: await deps.passwords.unavailable(),
      };
    },

    async saveSettings({ configText, brokerPassword }) {
      let json: unknown;
      try {
        json = configFileJson(configText);
      } catch (err) {
        return refusal(words('desktop.bad_json', { detail: err instanceof Error ? err.message : String(err) }));
      }
      const parsed = parseConfig(json);
      if (!parsed.ok) return { ok: false, errors: parsed.errors, problems: parsed.problems };
      if (brokerPassword !== undefined) {
        try {
          await deps.passwords.save(brokerPassword);
        } catch (err) {
          return refusal(words('desktop.password_not_kept', { detail: err instanceof Error ? err.message : String(err) }));
        }
      }
      try {
        await writeFileAtomic(deps.paths.config, configText);
      } catch (err) {
        return refusal(words('desktop.config_not_written', { file: deps.paths.config, code: (err as NodeJS.ErrnoException).code ?? String(err) }));
      }
      const { problems } = await deps.host.restart();
      return problems.length === 0 ? { ok: true } : refusal(words('desktop.saved_not_started', { detail: problems.join(' ') }));
    },

    async pickFile({ purpose }) {
      // The dialog opens where the running configuration's file is, if it names one by its full path.
      const current = (await deps.host.core()).config.broker[purpose];
      const chosen = await deps.chooseOpenPath(purpose, current && path.isAbsolute(current) ? current : undefined);
      return chosen === null ? null : { path: chosen };
    },

    async exportConfigFile() {
      const core = await deps.host.core();
      // What the browser's export downloads: the running configuration without its access tokens.
      const text = configExportText(core.config);
      const { today } = await core.handlers.shiftCalendar({}, desktopCaller());
      const target = await deps.chooseSavePath(path.join(deps.documentsDir, configExportName(core.config.site, today)), 'config');
      if (target === null) return { savedTo: null };
      try {
        await writeFileAtomic(target, text);
      } catch (err) {
        throw new DesktopError(`could not write ${target}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      return { savedTo: target };
    },

    async importConfigFile() {
      const chosen = await deps.chooseOpenPath('config', deps.documentsDir);
      if (chosen === null) return null;
      // The form checks what the text holds, as it does a file the browser reads; here only that it can be read.
      let text: string;
      try {
        const { size } = await stat(chosen);
        if (size > MAX_CONFIG_FILE_BYTES) throw new DesktopError(`${path.basename(chosen)} is larger than ${MAX_CONFIG_FILE_BYTES} bytes: not a configuration`);
        text = await readFile(chosen, 'utf8');
      } catch (err) {
        if (err instanceof DesktopError) throw err;
        throw new DesktopError(`could not read ${chosen}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      return { name: path.basename(chosen), text };
    },
  };
}

/** Asks where to save a CSV the core made and writes it there; null when the user cancels the dialog. */
async function saveCsv(deps: DesktopHandlerDeps, make: (core: Core) => Promise<{ fileName: string; csv: string }>): Promise<{ savedTo: string | null }> {
  const { fileName, csv } = await make(await deps.host.core());
  // basename: the suggested name is ours, but nothing outside the dialog may pick a folder.
  const target = await deps.chooseSavePath(path.join(deps.documentsDir, path.basename(fileName)), 'csv');
  if (target === null) return { savedTo: null };
  try {
    await writeFileAtomic(target, csv);
  } catch (err) {
    throw new DesktopError(`could not write ${target}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return { savedTo: target };
}
