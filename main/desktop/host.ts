// Owns the one running engine of the desktop app: starts it from <userData>/config.json (or the demo
// when there is none, or when it cannot be used), restarts it after Settings are saved, stops it on quit.
// Starts, restarts and stops run one at a time, and requests arriving meanwhile wait for the result.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Core } from '../core/core-types.ts';
import { brokerPasswordFor, ConfigError, loadConfigFile } from '../core/config-file.ts';
import { logger } from '../core/log.ts';
import type { Runtime, RuntimeOptions } from '../core/runtime.ts';
import { DesktopError } from './ipc.ts';
import type { PasswordStore } from './secrets.ts';
import { writeFileAtomic } from './files.ts';

const log = logger('desktop-host');

export type StartRuntime = (opts: RuntimeOptions) => Promise<Runtime>;

export interface DesktopPaths {
  config: string;
  db: string;
  demoDb: string;
  password: string;
}

export function desktopPaths(userData: string): DesktopPaths {
  return {
    config: path.join(userData, 'config.json'),
    db: path.join(userData, 'taktboard.sqlite'),
    // The demo keeps its own file so simulated data never mixes with a plant's.
    demoDb: path.join(userData, 'demo.sqlite'),
    password: path.join(userData, 'broker-password.bin'),
  };
}

export interface HostOptions {
  startRuntime: StartRuntime;
  paths: DesktopPaths;
  passwords: PasswordStore;
  /** Called with each runtime once it runs; returns what to undo before it stops (event forwarding). */
  attach(runtime: Runtime): () => void;
}

export interface Launch {
  runtime: Runtime;
  /** Why the plant configuration is not what runs (the demo runs instead), in words; empty when it is. */
  problems: string[];
}

export interface RuntimeHost {
  start(): Promise<Launch>;
  restart(): Promise<Launch>;
  stop(): Promise<void>;
  core(): Promise<Core>;
}

export function createRuntimeHost(opts: HostOptions): RuntimeHost {
  let queue: Promise<unknown> = Promise.resolve();
  let running: { runtime: Runtime; detach: () => void } | null = null;
  let stopped = false;

  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  const launch = async (): Promise<Launch> => {
    const problems: string[] = [];
    if (existsSync(opts.paths.config)) {
      try {
        const config = loadConfigFile(opts.paths.config);
        const brokerPassword = (await opts.passwords.load()) ?? brokerPasswordFor(config);
        const runtime = await opts.startRuntime({
          config,
          dbPath: opts.paths.db,
          brokerPassword,
          recordedBy: 'desktop',
          persistConfig: (c) => writeFileAtomic(opts.paths.config, JSON.stringify(c, null, 2) + '\n'),
        });
        return { runtime, problems };
      } catch (err) {
        if (!(err instanceof ConfigError)) log.error('plant runtime failed to start', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        problems.push(err instanceof ConfigError ? err.message : `the plant configuration could not be started: ${err instanceof Error ? err.message : String(err)}`);
        problems.push('The demo runs instead until the configuration is fixed in Settings.');
      }
    }
    return { runtime: await opts.startRuntime({ dbPath: opts.paths.demoDb, demoReason: problems.length ? problems.join(' ') : undefined }), problems };
  };

  const stopRunning = async () => {
    const r = running;
    running = null;
    if (!r) return;
    r.detach();
    try {
      await r.runtime.stop();
    } catch (err) {
      // A failed stop must not leave the app without any engine: the next start still runs.
      log.error('runtime failed to stop cleanly', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  };

  const startFresh = async (): Promise<Launch> => {
    if (stopped) throw new DesktopError({ key: 'refusal.quitting' });
    const launched = await launch();
    running = { runtime: launched.runtime, detach: opts.attach(launched.runtime) };
    log.info('runtime running', { demo: launched.runtime.demo, broker: launched.runtime.brokerUrl, problems: launched.problems.length });
    return launched;
  };

  return {
    start: () => serial(async () => (running ? { runtime: running.runtime, problems: [] } : startFresh())),
    restart: () =>
      serial(async () => {
        await stopRunning();
        return startFresh();
      }),
    stop: () =>
      serial(async () => {
        stopped = true;
        await stopRunning();
      }),
    core: () =>
      serial(async () => {
        if (!running) throw new DesktopError({ key: 'refusal.not_running' });
        return running.runtime.core;
      }),
  };
}
