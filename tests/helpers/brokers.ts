// Real MQTT brokers for tests, on 127.0.0.1 and a free port: aedes in this process, or mosquitto as a child
// process with its own temp config and data folder. Only processes started here are ever stopped here.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Aedes, type AedesOptions } from 'aedes';
import { tempDir } from './tmp.ts';

// ---- aedes -------------------------------------------------------------------------------------

export interface AedesHandle {
  url: string;
  port: number;
  /** The current broker (a new object after restart). */
  broker: Aedes;
  stop(): Promise<void>;
  /** A new in-memory broker on the same port: sessions and queued messages are gone, like a broker crash. */
  restart(): Promise<void>;
}

/** `port`: listen there instead of on a free port (a test that starts the client before the broker). */
export async function startAedes(options: AedesOptions & { port?: number } = {}): Promise<AedesHandle> {
  let broker = await Aedes.createBroker(options);
  const sockets = new Set<net.Socket>();
  let server = await listen(broker, options.port ?? 0, sockets);
  const port = (server.address() as net.AddressInfo).port;

  const close = async () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
  };

  const handle: AedesHandle = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    broker,
    stop: close,
    async restart() {
      await close();
      broker = await Aedes.createBroker(options);
      handle.broker = broker;
      server = await listen(broker, port, sockets);
    },
  };
  return handle;
}

function listen(broker: Aedes, port: number, sockets: Set<net.Socket>): Promise<net.Server> {
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

// ---- mosquitto ---------------------------------------------------------------------------------

const BINARY_CANDIDATES: Record<string, string[]> = {
  mosquitto: ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/local/bin/mosquitto', '/opt/homebrew/sbin/mosquitto'],
  mosquitto_passwd: ['/usr/bin/mosquitto_passwd', '/usr/local/bin/mosquitto_passwd', '/opt/homebrew/bin/mosquitto_passwd'],
  mosquitto_pub: ['/usr/bin/mosquitto_pub', '/usr/local/bin/mosquitto_pub', '/opt/homebrew/bin/mosquitto_pub'],
};

/** The Debian package that installs a binary (.ci/run installs the same ones). */
const DEBIAN_PACKAGE: Record<string, string> = {
  mosquitto: 'mosquitto',
  mosquitto_passwd: 'mosquitto',
  mosquitto_pub: 'mosquitto-clients',
  mosquitto_sub: 'mosquitto-clients',
};

export function findBinary(name: string): string | null {
  const fromEnv = process.env[`${name.toUpperCase()}_BIN`];
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  for (const candidate of BINARY_CANDIDATES[name] ?? [`/usr/sbin/${name}`, `/usr/bin/${name}`]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * Whether a test may use `name`. Missing in CI is a broken CI machine: throw, loudly. Missing on a
 * developer's machine: say the tests are skipped, and return false (use with describe.skipIf).
 */
export function requireBinary(name: string): boolean {
  if (findBinary(name)) return true;
  const where = BINARY_CANDIDATES[name] ?? [`/usr/sbin/${name}`, `/usr/bin/${name}`];
  const pkg = DEBIAN_PACKAGE[name] ?? name;
  const hint = `${name} not found (looked in ${where.join(', ')}; set ${name.toUpperCase()}_BIN or apt-get install -y ${pkg})`;
  if (process.env.CI) throw new Error(`CI MACHINE IS MISSING A TEST DEPENDENCY: ${hint}. Refusing to skip the tests that need it.`);
  console.warn(`SKIPPED: tests that need ${name}: ${hint}`);
  return false;
}

export interface MosquittoOptions {
  /** Keep sessions and queued messages across a graceful restart (SIGTERM). */
  persistence?: boolean;
  /** Appended to the generated config (e.g. `max_queued_messages 5000`, `password_file …`). */
  extraConf?: string;
  /** Default true; set false together with a password_file in extraConf. */
  allowAnonymous?: boolean;
}

export interface MosquittoHandle {
  url: string;
  port: number;
  dataDir: string;
  pid: () => number | undefined;
  /** Everything mosquitto logged so far (for failure messages). */
  log: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops (SIGTERM, so persistence is written) and starts again on the same port with the same data. */
  restart(): Promise<void>;
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoHandle> {
  const binary = findBinary('mosquitto');
  if (!binary) {
    requireBinary('mosquitto');
    throw new Error('mosquitto is not installed: guard the test with describe.skipIf(!requireBinary("mosquitto"))');
  }
  const dataDir = tempDir('mosquitto');
  const confFile = path.join(dataDir, 'mosquitto.conf');
  let output = '';
  let child: ChildProcess | null = null;

  const writeConf = (port: number) =>
    fs.writeFileSync(
      confFile,
      [
        `listener ${port} 127.0.0.1`,
        `allow_anonymous ${options.allowAnonymous === false ? 'false' : 'true'}`,
        `persistence ${options.persistence ? 'true' : 'false'}`,
        `persistence_location ${dataDir}/`,
        // As root mosquitto switches to the `mosquitto` user, which cannot write our temp dir: persistence
        // would then silently do nothing.
        'user root',
        'log_dest stderr',
        'log_type error',
        'log_type warning',
        'log_type notice',
        options.extraConf ?? '',
        '',
      ].join('\n'),
    );

  const launch = async (port: number) => {
    writeConf(port);
    const proc = spawn(binary, ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d) => (output += d));
    proc.stderr?.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const ready = await Promise.race([waitForPort(port, 10_000).then(() => true), exited.then(() => false)]);
    if (!ready) {
      child = null;
      throw new Error(`mosquitto exited at start:\n${output}`);
    }
  };

  // A free port can be taken between our probe and mosquitto's bind: try a few.
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await launch(port);
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
      child = null;
      return;
    }
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    child = null;
  };

  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dataDir,
    pid: () => child?.pid,
    log: () => output,
    stop,
    async restart() {
      await stop('SIGTERM');
      await launch(port);
    },
  };
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
