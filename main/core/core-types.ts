// What a shell (desktop, web, CLI) gets from the engine. Shells never reach past this.
import type { ApiHandlers, EventName, Events } from '../../shared/api.ts';
import type { Config } from '../../shared/config.ts';
import type { AuditEntry } from './store/operator.ts';

export interface Core {
  /** The running configuration (Settings may change it). */
  readonly config: Config;
  readonly dbPath: string;
  /** One handler per request of shared/api.ts; arguments are already parsed by the transport. */
  readonly handlers: ApiHandlers;
  /** A write refused before it reached a handler (no token, too low a role, bad arguments): recorded and logged. */
  audit(entry: AuditEntry): void;
  subscribe<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  stop(): Promise<void>;
}

export interface CoreOptions {
  config: Config;
  dbPath: string;
  /** Overrides config.broker.url (`serve --broker`). */
  brokerUrl?: string;
  /** Broker password, from safeStorage (desktop) or an environment variable / file (serve). */
  brokerPassword?: string;
  /** Snapshot push interval, ms (a few per second at most). */
  pushIntervalMs?: number;
  /** A larger database file is quick_checked in the background (default SYNC_CHECK_MAX_BYTES). */
  syncCheckMaxBytes?: number;
  /** Keeps a configuration Settings saved (serve: its --config file; the desktop: its config.json), so a restart runs it. */
  persistConfig?: (config: Config) => Promise<void> | void;
  /** Told of every configuration Settings applied, once it runs (the demo simulates lines added to it). */
  onApplied?: (config: Config) => void;
  /** How often the andon is evaluated, ms (default 1000). */
  andonIntervalMs?: number;
  /** Read worker threads for History, CSVs and Diagnostics (default DEFAULT_READ_WORKERS). */
  readWorkers?: number;
  /** Who records the configuration as a version when it differs from the newest (`serve`, `desktop`). */
  recordedBy?: string;
  /** 'demo' when the data is simulated; with the reason when the plant's configuration could not be used. */
  mode?: 'plant' | 'demo';
  modeReason?: string | null;
}
