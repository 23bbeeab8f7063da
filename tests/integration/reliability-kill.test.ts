// RELIABILITY.md row 19: the writer (store + pipeline + ingest in a child process) is killed with SIGKILL
// 40 times at random moments while a QoS 1 stream flows through mosquitto with persistence on. Every message
// the broker acknowledged to the publisher must be stored exactly once, and the file must pass integrity_check.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { requireBinary, startMosquitto } from '../helpers/brokers.ts';
import { useTempDirs } from '../helpers/tmp.ts';

const tempDir = useTempDirs();
const hasMosquitto = requireBinary('mosquitto');
const root = path.resolve(import.meta.dirname, '../..');
const KILLS = 40;

const CHILD = `
import { parseConfig } from ${JSON.stringify(path.join(root, 'shared/config.ts'))};
import { Store } from ${JSON.stringify(path.join(root, 'main/core/store/store.ts'))};
import { createPipeline } from ${JSON.stringify(path.join(root, 'main/core/ingest/pipeline.ts'))};
import { startIngest } from ${JSON.stringify(path.join(root, 'main/core/ingest/mqtt-ingest.ts'))};
const [url, dbFile] = process.argv.slice(1);
const r = parseConfig({
  site: 'kill',
  broker: { clientId: 'kill-ingester', protocolVersion: 5, keepaliveS: 5 },
  lines: [{ id: 'l1', name: 'Line 1', targetTaktS: 1, outputStation: 'out', stations: ['out'] }],
  shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
});
const store = Store.open(dbFile, { synchronous: 'NORMAL', quarantineRows: 100 });
const pipeline = createPipeline({ config: r.config, store });
startIngest({ config: r.config, brokerUrl: url, pipeline, onAlert: () => {},
  timing: { reconnectMinMs: 50, reconnectMaxMs: 200 },
  onConnection: (s) => { if (s.status === 'connected') process.stdout.write('connected\\n'); } });
`;

let children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children = [];
});

function startChild(url: string, dbFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, url, dbFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TAKTBOARD_LOG: 'error' },
  });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ingester did not connect in 15 s:\n${err}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('connected')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`ingester exited (${code ?? signal}) before connecting:\n${err}`));
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe.skipIf(!hasMosquitto)('row 19: repeated kill -9 of the writer (mosquitto, persistence on)', () => {
  it(`every message the broker acknowledged is stored exactly once across ${KILLS} kills; integrity_check ok`, async () => {
    const broker = await startMosquitto({ persistence: true, extraConf: 'max_queued_messages 0' });
    const t0 = Date.now();
    try {
      const dbFile = path.join(tempDir('kill'), 'db.sqlite');
      let child = await startChild(broker.url, dbFile);
      const pub = await mqtt.connectAsync(broker.url, { clientId: 'kill-publisher', protocolVersion: 5 });
      const acked: number[] = [];
      let publishing = true;
      const ts0 = Date.now() - 60_000;
      const stream = (async () => {
        for (let seq = 1; publishing && seq < 1_000_000; seq += 20) {
          const batch = Array.from({ length: 20 }, (_, i) => seq + i);
          await Promise.all(
            batch.map(async (s) => {
              await pub.publishAsync('factory/kill/l1/out/cycle', JSON.stringify({ ts: ts0 + s, seq: s, cycle_ms: 900 }), { qos: 1 });
              acked.push(s);
            }),
          );
          await new Promise((r) => setTimeout(r, 15));
        }
      })();
      const db = new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        const count = () => db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;
        const progress: number[] = [];
        for (let k = 0; k < KILLS; k++) {
          await new Promise((r) => setTimeout(r, 20 + Math.random() * 250));
          await kill(child);
          progress.push(count());
          child = await startChild(broker.url, dbFile);
        }
        publishing = false;
        await stream;
        await pub.endAsync();
        // The kills must have hit a stream in progress: rows grew between most of them.
        const grew = progress.slice(1).filter((n, i) => n > progress[i]).length;
        expect(grew).toBeGreaterThanOrEqual(KILLS / 2);

        const want = new Set(acked);
        const max = Math.max(...acked);
        const deadline = Date.now() + 60_000;
        const storedSeqs = () => db.prepare('SELECT seq FROM events ORDER BY seq').pluck().all() as number[];
        while (Date.now() < deadline) {
          const have = new Set(storedSeqs());
          if ([...want].every((s) => have.has(s))) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        await kill(child);
        const seqs = storedSeqs();
        console.log(`row 19: ${acked.length} messages acknowledged by the broker, ${seqs.length} rows, ${KILLS} kills, ${Date.now() - t0} ms`);
        const have = new Set(seqs);
        expect([...want].filter((s) => !have.has(s))).toEqual([]);
        expect(have.size).toBe(seqs.length);
        expect(seqs.every((s) => s >= 1 && s <= max)).toBe(true);
        // The stream counters in the file agree with its rows. Duplicates (redeliveries of what was committed
        // but not yet acknowledged at a kill) are only reported: how many depends on where the kills land.
        const [stored, dupes] = db.prepare('SELECT SUM(stored), SUM(duplicates) FROM streams').raw().get() as [number, number];
        expect(stored).toBe(seqs.length);
        console.log(`row 19: ${dupes} redeliveries counted as duplicates`);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    } finally {
      await broker.stop();
    }
  }, 120_000);
});
