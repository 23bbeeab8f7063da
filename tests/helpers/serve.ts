// Starts `taktboard serve` as a child process, the way a user does, and reads its URL from stdout; and a
// plant that the kill -9 tests run serve on, against mosquitto, killing and restarting it.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMosquitto, type MosquittoHandle } from './brokers.ts';
import { tempDir } from './tmp.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface Served {
  url: string;
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServe(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<Served> {
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin', 'taktboard.mjs'), 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    proc.stdout!.on('data', () => {
      const m = /Taktboard is running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before printing a URL:\n${out}`));
    });
  });
  return {
    url,
    proc,
    output: () => out,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      return new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
        proc.once('exit', (code) => resolve(code));
        proc.kill(signal);
      });
    },
  };
}

/**
 * `serve --config <dir>/plant.json --db <dir>/plant.sqlite --broker <mosquitto>` with mosquitto keeping
 * sessions on disk and queueing without limit, so nothing acknowledged is dropped while serve is down.
 * Make it in a describe body and give setUp and tearDown to beforeAll and afterAll.
 */
export class PlantUnderKill {
  readonly dbFile: string;
  readonly #cfgFile: string;
  readonly #config: unknown;
  #broker: MosquittoHandle | undefined;
  #served: Served | undefined;

  constructor(prefix: string, config: unknown) {
    const dir = tempDir(prefix);
    this.#cfgFile = path.join(dir, 'plant.json');
    this.dbFile = path.join(dir, 'plant.sqlite');
    this.#config = config;
  }

  get brokerUrl(): string {
    return this.#broker!.url;
  }

  /** The serve running now (a new one after each restart). */
  get served(): Served {
    if (!this.#served) throw new Error('serve is not running');
    return this.#served;
  }

  setUp = async (): Promise<void> => {
    writeFileSync(this.#cfgFile, JSON.stringify(this.#config));
    this.#broker = await startMosquitto({ persistence: true, extraConf: 'max_queued_messages 0' });
  };

  tearDown = async (): Promise<void> => {
    await this.#served?.stop();
    await this.#broker?.stop();
  };

  async start(): Promise<Served> {
    this.#served = await startServe(['--config', this.#cfgFile, '--db', this.dbFile, '--broker', this.brokerUrl]);
    return this.#served;
  }

  async stop(): Promise<void> {
    await this.#served?.stop();
    this.#served = undefined;
  }

  /**
   * SIGKILLs serve `times` times, each 150–550 ms (`rand`) after the last, starting it again each time.
   * Returns how many of the kills came while `streaming()` still held.
   */
  async killAndRestart(times: number, rand: () => number, streaming: () => boolean): Promise<number> {
    let midStream = 0;
    for (let k = 0; k < times; k++) {
      await new Promise((r) => setTimeout(r, 150 + rand() * 400));
      if (streaming()) midStream++;
      await this.served.stop('SIGKILL');
      await this.start();
    }
    return midStream;
  }
}
