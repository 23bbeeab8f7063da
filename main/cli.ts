// `taktboard serve | simulate | export` (CONTRACT §5). Exit 0 ok, 2 bad usage or configuration, 1 run-time failure.
import { parseArgs } from 'node:util';
import { writeFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { DATE_RE, ROLE_ORDER, type Role } from '../shared/api.ts';
import { demoConfig, isRealDate, parseConfig, type Config } from '../shared/config.ts';
import { loadConfigFile, ConfigError, defaultDbPath, brokerPasswordFor, writeConfigFile, readConfigJson } from './core/config-file.ts';
import { newToken } from './core/tokens.ts';
import { startRuntime } from './core/runtime.ts';
import { startWebServer } from './web/server.ts';
import { openStore } from './core/store/store.ts';
import { openReadOnly } from './core/store/db.ts';
import { Reads } from './core/store/reads.ts';
import { listVersions, recordVersion } from './core/store/versions.ts';
import { dailyCsvOf, stopsCsvOf } from './core/history.ts';
import { addDays, localDate } from '../shared/shifts.ts';
import { newestVersion, sameVersion, singleVersion, type ConfigVersion } from '../shared/versions.ts';
import { isLoopback } from './web/http-util.ts';
import { parseAllowedHosts } from './web/request-guard.ts';
import { logger } from './core/log.ts';
import type { SimFormat } from './core/simulator/index.ts';

const log = logger('cli');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_PORT = 8720;

class UsageError extends Error {}

const USAGE = `Usage:
  taktboard serve    [--config FILE] [--db FILE] [--host 127.0.0.1] [--port ${DEFAULT_PORT}] [--broker URL]
                     [--demo [--backfill 24h] [--format native|sparkplug|tags]] [--allowed-host NAME]...
  taktboard simulate --broker URL [--config FILE] [--backfill 24h] [--duration 10m] [--seed N]
                     [--format native|sparkplug|tags] [--qos 0|1]
  taktboard export   --date YYYY-MM-DD [--stops] [--db FILE] [--config FILE] [--out FILE]
  taktboard config apply   --config FILE --db FILE [--from YYYY-MM-DD]
  taktboard config history --db FILE
  taktboard token    --name NAME --role viewer|operator|supervisor [--config FILE]

With no --config and no --broker, serve runs the embedded demo (in-process broker, simulated lines).
--demo runs the same with the lines, shifts and timezone of --config, to preview a plant's setup.
--format (demo only) has the simulated stations publish as a PLC gateway would, Sparkplug B edge nodes or
EMQX Neuron tag JSON, read through the input adapters the demo configures for them.
The broker password comes from TAKTBOARD_MQTT_PASSWORD or the config's broker.passwordFile.
serve refuses (403) requests and WebSocket upgrades from other sites: an Origin other than its own page's,
or a Host that names neither this machine (its addresses, its host name, localhost) nor an --allowed-host.
token makes an access token for the browser (CONTRACT §6.2) and prints it once; --config adds its SHA-256
to the file's access.tokens (restart serve to use it); without --config it prints the entry to add.
--allowed-host NAME (repeatable, or a comma list) adds a name the dashboard is opened by, e.g. plant-pc.local
or a DNS alias; give an origin (https://taktboard.plant.example) for a reverse proxy in front.`;

function options(argv: string[], spec: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>) {
  try {
    return parseArgs({ args: argv, options: { ...spec, help: { type: 'boolean' } }, strict: true, allowPositionals: false }).values as Record<string, string | boolean | string[] | undefined>;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function configFrom(file: string | undefined): Config | undefined {
  return file ? loadConfigFile(file) : undefined;
}

async function serve(argv: string[]): Promise<void> {
  const o = options(argv, { config: { type: 'string' }, db: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, broker: { type: 'string' }, demo: { type: 'boolean' }, backfill: { type: 'string' }, format: { type: 'string' }, 'allowed-host': { type: 'string', multiple: true } });
  if (o.help) return void console.log(USAGE);
  const allowedHosts = (o['allowed-host'] as string[] | undefined) ?? [];
  try {
    parseAllowedHosts(allowedHosts);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const host = (o.host as string | undefined) ?? '127.0.0.1';
  const port = o.port === undefined ? DEFAULT_PORT : Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, got "${o.port}"`);
  const broker = o.broker as string | undefined;
  if (broker !== undefined && !/^(mqtts?|wss?):\/\/[^\s/]+/.test(broker)) throw new UsageError(`--broker must be mqtt://host:port (or mqtts://, ws://, wss://), got "${broker}"`);
  if (o.demo && broker !== undefined) throw new UsageError('--demo runs its own broker: leave out --broker');
  const config = configFrom(o.config as string | undefined);
  const demo = o.demo === true || (!config && !broker);
  if (o.backfill !== undefined && !demo) throw new UsageError('--backfill is for the demo only (see taktboard simulate --backfill for a real broker)');
  const backfillMs = o.backfill === undefined ? undefined : await durationOption(o.backfill, 'backfill');
  const format = o.format === undefined ? undefined : await simFormatOption(o.format);
  if (format !== undefined && !demo) throw new UsageError('--format is for the demo only (see taktboard simulate --format for a real broker)');
  let token = process.env.TAKTBOARD_TOKEN;
  if (!isLoopback(host) && !token) {
    token = randomBytes(18).toString('base64url');
  }
  const staticDir = await ensureRenderer();
  const dbPath = (o.db as string | undefined) ?? defaultDbPath(demo);
  const configFile = o.config as string | undefined;
  const runtime = await startRuntime({
    config,
    demo,
    backfillMs,
    format,
    dbPath,
    brokerUrl: broker,
    brokerPassword: demo ? undefined : brokerPasswordFor(config),
    // What Settings save goes back into the file serve was started with, so the next start runs it too.
    persistConfig: configFile && !demo ? (c) => writeConfigFile(configFile, c) : undefined,
  });
  let web;
  try {
    web = await startWebServer({ core: runtime.core, host, port, staticDir, token: isLoopback(host) ? undefined : token, allowedHosts });
  } catch (e) {
    await runtime.stop();
    throw e;
  }
  // Listen for a stop before announcing the URL: a supervisor may send SIGTERM as soon as it reads it.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const shown = token && !isLoopback(host) ? `${web.url}?token=${token}` : web.url;
  console.log(`Taktboard is running at ${shown}`);
  if (!isLoopback(host)) console.log(`Bound to ${host}: every API call needs the access token (set TAKTBOARD_TOKEN to choose it).`);
  console.log(runtime.demo ? `Demo mode: embedded broker ${runtime.brokerUrl}, simulated lines; database ${dbPath}` : `Broker ${runtime.brokerUrl}; database ${dbPath}`);
  for (const t of runtime.demoTokens) console.log(`Demo ${t.role} token (sign in with it to try writes; new at every start): ${t.token}`);
  await stopRequested;
  log.info('stopping');
  await web.close();
  await runtime.stop();
}

/** `serve` needs the built renderer; a checkout after `npm ci` has it (prepare), otherwise build it once. */
async function ensureRenderer(): Promise<string> {
  const dir = path.join(ROOT, 'dist', 'renderer');
  if (existsSync(path.join(dir, 'index.html'))) return dir;
  log.info('building the renderer once (dist/renderer is missing)');
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'vite.config.mts'), logLevel: 'warn' });
  return dir;
}

async function durationOption(v: unknown, name: string): Promise<number> {
  const { parseDuration } = await import('./core/simulator/index.ts');
  try {
    return parseDuration(String(v));
  } catch (e) {
    throw new UsageError(`--${name}: ${(e as Error).message}`);
  }
}

async function simFormatOption(v: unknown): Promise<SimFormat> {
  const { SIM_FORMATS } = await import('./core/simulator/index.ts');
  const format = String(v) as SimFormat;
  if (!SIM_FORMATS.includes(format)) throw new UsageError(`--format must be ${SIM_FORMATS.join(', ')}, got "${String(v)}"`);
  return format;
}

async function simulate(argv: string[]): Promise<void> {
  const o = options(argv, { broker: { type: 'string' }, config: { type: 'string' }, backfill: { type: 'string' }, duration: { type: 'string' }, seed: { type: 'string' }, format: { type: 'string' }, qos: { type: 'string' } });
  if (o.help) return void console.log(USAGE);
  if (!o.broker) throw new UsageError('simulate needs --broker URL');
  const { runSimulate } = await import('./core/simulator/index.ts');
  const format = await simFormatOption(o.format ?? 'native');
  if (o.qos !== undefined && o.qos !== '0' && o.qos !== '1') throw new UsageError(`--qos must be 0 or 1, got "${o.qos}"`);
  const qos = o.qos === undefined ? undefined : (Number(o.qos) as 0 | 1);
  const dur = (v: unknown, name: string) => (v === undefined ? undefined : durationOption(v, name));
  const seed = o.seed === undefined ? undefined : Number(o.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError('--seed must be an integer');
  await runSimulate({
    brokerUrl: String(o.broker),
    config: configFrom(o.config as string | undefined) ?? demoConfig(),
    backfillMs: await dur(o.backfill, 'backfill'),
    durationMs: await dur(o.duration, 'duration'),
    seed,
    format,
    qos,
  });
}

/** A date option: the pattern and a day that exists. */
function dateOption(v: unknown, what: string): string {
  if (typeof v !== 'string' || !DATE_RE.test(v) || !isRealDate(v)) throw new UsageError(`${what} needs a date YYYY-MM-DD that exists${typeof v === 'string' ? `, got "${v}"` : ''}`);
  return v;
}

/** The versions a database holds (none for a file from before versions existed). */
function versionsIn(dbPath: string): ConfigVersion[] {
  const db = openReadOnly(dbPath);
  try {
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'config_versions'").get();
    return hasTable ? listVersions(db) : [];
  } finally {
    db.close();
  }
}

async function exportCsv(argv: string[]): Promise<void> {
  const o = options(argv, { date: { type: 'string' }, config: { type: 'string' }, db: { type: 'string' }, out: { type: 'string' }, stops: { type: 'boolean' } });
  if (o.help) return void console.log(USAGE);
  const date = dateOption(o.date, 'export --date');
  const config = configFrom(o.config as string | undefined);
  const dbPath = (o.db as string | undefined) ?? defaultDbPath(false);
  if (!existsSync(dbPath)) throw new UsageError(`database ${dbPath} does not exist (give --db FILE)`);
  // CONTRACT §5: the database's versions decide; a --config is only needed (and only used) for a file without any.
  let versions = versionsIn(dbPath);
  if (versions.length === 0) {
    if (!config) throw new UsageError(`database ${dbPath} holds no configuration version: give --config FILE (the plant configuration it was recorded with)`);
    versions = singleVersion(config);
  } else if (config && !sameVersion(config, newestVersion(versions).config)) {
    console.error(`taktboard: note: --config ${String(o.config)} differs from the newest configuration version in the database; the figures use the database's versions (taktboard config history --db ${dbPath})`);
  }
  const db = openReadOnly(dbPath);
  try {
    const { csv } = (o.stops ? stopsCsvOf : dailyCsvOf)(new Reads(db), { versions, date, now: Date.now() });
    const bytes = Buffer.from(csv, 'utf8');
    if (o.out) writeFileSync(String(o.out), bytes);
    else process.stdout.write(bytes);
  } finally {
    db.close();
  }
}

async function configCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'apply') {
    const o = options(rest, { config: { type: 'string' }, db: { type: 'string' }, from: { type: 'string' } });
    if (o.help) return void console.log(USAGE);
    if (!o.config) throw new UsageError('config apply needs --config FILE');
    if (!o.db) throw new UsageError('config apply needs --db FILE');
    const config = loadConfigFile(String(o.config));
    const from = o.from === undefined ? localDate(config.timezone, Date.now()) : dateOption(o.from, 'config apply --from');
    const store = openStore(String(o.db), config);
    try {
      const v = recordVersion(store.db, config, { effectiveDate: from, recordedBy: 'config apply', recordedAt: Date.now() });
      console.log(`recorded version ${v!.id}, effective from ${from}: ${v!.summary}`);
      const today = localDate(config.timezone, Date.now());
      if (from < today) console.error(`taktboard: note: effective from a past date: the figures of ${from} to ${addDays(today, -1)} change with it`);
    } finally {
      store.close();
    }
    return;
  }
  if (sub === 'history') {
    const o = options(rest, { db: { type: 'string' } });
    if (o.help) return void console.log(USAGE);
    if (!o.db) throw new UsageError('config history needs --db FILE');
    if (!existsSync(String(o.db))) throw new UsageError(`database ${String(o.db)} does not exist`);
    const versions = versionsIn(String(o.db));
    if (versions.length === 0) return void console.log('no configuration version recorded');
    for (const v of versions) {
      console.log(`${String(v.id).padStart(4)}  effective ${v.effectiveDate}  recorded ${new Date(v.recordedAt).toISOString()} by ${v.recordedBy}  ${v.summary}`);
    }
    return;
  }
  throw new UsageError(sub ? `unknown config command "${sub}" (apply, history)` : 'config needs a command: apply or history');
}

/** `taktboard token`: the first supervisor token has to come from somewhere other than Settings. */
function tokenCommand(argv: string[]): void {
  const o = options(argv, { name: { type: 'string' }, role: { type: 'string' }, config: { type: 'string' } });
  if (o.help) return void console.log(USAGE);
  const name = typeof o.name === 'string' ? o.name.trim() : '';
  if (!name || name.length > 64) throw new UsageError('token needs --name NAME (1–64 characters: who or what uses it, e.g. line-7-operators)');
  const role = o.role as Role;
  if (!ROLE_ORDER.includes(role)) throw new UsageError(`--role must be ${ROLE_ORDER.join(', ')}${o.role === undefined ? '' : `, got "${String(o.role)}"`}`);
  const { token, sha256 } = newToken();
  const entry = { name, role, sha256 };
  const file = o.config as string | undefined;
  if (file) {
    const raw = readConfigJson(file);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`config file ${file} is not a JSON object`);
    const json = raw as Record<string, unknown>;
    const access = (json.access ?? {}) as { tokens?: unknown[] };
    const next = { ...json, access: { ...access, tokens: [...(Array.isArray(access.tokens) ? access.tokens : []), entry] } };
    const r = parseConfig(next);
    if (!r.ok) throw new ConfigError(`config file ${file} would be invalid:\n  ${r.errors.join('\n  ')}`);
    writeConfigFile(file, next);
    console.log(`token for "${name}" (${role}), shown only now:\n${token}\nadded to ${file} access.tokens; restart serve to use it`);
  } else {
    console.log(`token for "${name}" (${role}), shown only now:\n${token}\nadd to access.tokens in the configuration:\n${JSON.stringify(entry)}`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        await serve(rest);
        return 0;
      case 'simulate':
        await simulate(rest);
        return 0;
      case 'export':
        await exportCsv(rest);
        return 0;
      case 'config':
        await configCommand(rest);
        return 0;
      case 'token':
        tokenCommand(rest);
        return 0;
      case '--version':
        console.log(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
        return 0;
      case undefined:
      case '--help':
      case 'help':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      console.error(`taktboard: ${e.message}`);
      if (e instanceof UsageError) console.error(USAGE);
      return 2;
    }
    console.error(`taktboard: ${(e as Error).message ?? String(e)}`);
    log.debug('failure', { stack: (e as Error).stack });
    return 1;
  }
}
