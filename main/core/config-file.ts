// Reading the plant configuration file and the places Taktboard keeps its data by default.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig, type Config } from '../../shared/config.ts';
import { configFileJson } from '../../shared/config-export.ts';

/** A configuration the user must fix; the message names the file and every wrong field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfigFile(file: string): Config {
  const r = parseConfig(readConfigJson(file));
  if (!r.ok) throw new ConfigError(`config file ${file} is invalid:\n  ${r.errors.join('\n  ')}`);
  return r.config;
}

/** The file's JSON as written (defaults not filled in): what a tool editing one field writes back. */
export function readConfigJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    return configFileJson(text);
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Writes a configuration back to its file, whole or not at all (a new file renamed over the old one). */
export function writeConfigFile(file: string, config: Config | Record<string, unknown>): void {
  const tmp = `${file}.saving`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n');
  renameSync(tmp, file);
}

/** Per-user data folder for `serve` when --db is not given (the desktop uses Electron's userData). */
export function defaultDataDir(): string {
  if (process.env.TAKTBOARD_DATA_DIR) return process.env.TAKTBOARD_DATA_DIR;
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Taktboard');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Taktboard');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'taktboard');
}

/** The demo keeps its own file so simulated data never mixes with a plant's. */
export function defaultDbPath(demo: boolean): string {
  return path.join(defaultDataDir(), demo ? 'demo.sqlite' : 'taktboard.sqlite');
}

/** The broker password for `serve`: from TAKTBOARD_MQTT_PASSWORD or the config's passwordFile, never argv. */
export function brokerPasswordFor(config: Config | undefined): string | undefined {
  if (process.env.TAKTBOARD_MQTT_PASSWORD) return process.env.TAKTBOARD_MQTT_PASSWORD;
  const file = config?.broker.passwordFile;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new ConfigError(`broker.passwordFile ${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
