// The ingest as a separate process, killed with SIGKILL again and again while telemetry streams in
// (RELIABILITY.md rows 4, 5 and 19). A message is acknowledged only after its commit, so every message
// must end up stored exactly once (redeliveries of committed-but-unacknowledged ones count as duplicates),
// and the file must pass integrity_check.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { requireBinary, startMosquitto } from '../helpers/brokers.ts';
import { useTempDirs } from '../helpers/tmp.ts';

const tempDir = useTempDirs();
const hasMosquitto = requireBinary('mosquitto');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const N = 3000;
const KILLS = 6;

// The child: store + pipeline + ingest, nothing else. It prints "connected" once subscribed.
const CHILD = `
import { parseConfig } from ${JSON.stringify(path.join(root, 'shared/config.ts'))};
import { Store } from ${JSON.stringify(path.join(root, 'main/core/store/store.ts'))};
import { createPipeline } from ${JSON.stringify(path.join(root, 'main/core/ingest/pipeline.ts'))};
import { startIngest } from ${JSON.stringify(path.join(root, 'main/core/ingest/mqtt-ingest.ts'))};
const [url, dbFile] = process.argv.slice(1);
const r = parseConfig({
  site: 'crash',
  broker: { clientId: 'crash-ingester', protocolVersion: 5, keepaliveS: 5 },
  lines: [{ id: 'l1', name: 'Line 1', targetTaktS: 1, outputStation: 'out', stations: ['out'] }],
  shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
});
const store = Store.open(dbFile, { synchronous: 'NORMAL', quarantineRows: 100 });
const pipeline = createPipeline({ config: r.config, store });
startIngest({ config: r.config, brokerUrl: url, pipeline, onAlert: () => {},
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
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('connected')) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`ingester exited (${code ?? signal}) before connecting:\n${err}`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe.skipIf(!hasMosquitto)('ingester killed with SIGKILL mid-stream', () => {
  it(`stores all ${N} messages exactly once across ${KILLS} kills, and the file stays intact`, async () => {
    const broker = await startMosquitto({ extraConf: 'max_queued_messages 0' });
    try {
      const dbFile = path.join(tempDir('crash'), 'db.sqlite');
      let child = await startChild(broker.url, dbFile);
      const pub = await mqtt.connectAsync(broker.url, { clientId: 'crash-publisher', protocolVersion: 5 });
      const t0 = Date.now() - 60_000;
      const publishing = (async () => {
        for (let seq = 1; seq <= N; seq++) {
          await pub.publishAsync('factory/crash/l1/out/cycle', JSON.stringify({ ts: t0 + seq, seq, cycle_ms: 900 }), { qos: 1 });
          if (seq % 50 === 0) await new Promise((r) => setTimeout(r, 60));
        }
      })();
      const db = new Database(dbFile, { readonly: true });
      try {
        const count = () => db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;
        const storedAtKill: number[] = [];
        for (let k = 0; k < KILLS; k++) {
          await new Promise((r) => setTimeout(r, 80 + Math.random() * 200));
          storedAtKill.push(count());
          await kill(child);
          child = await startChild(broker.url, dbFile);
        }
        await publishing;
        await pub.endAsync();
        // The kills must have hit a stream in progress, not an idle ingester.
        expect(storedAtKill.filter((c) => c > 0 && c < N).length).toBeGreaterThanOrEqual(KILLS - 2);

        const deadline = Date.now() + 60_000;
        while (count() < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        await kill(child);
        const seqs = db.prepare('SELECT seq FROM events ORDER BY seq').pluck().all() as number[];
        expect(seqs.length).toBe(N);
        expect(seqs[0]).toBe(1);
        expect(seqs[N - 1]).toBe(N);
        expect(new Set(seqs).size).toBe(N);
        expect(db.prepare('SELECT COUNT(*) FROM gaps').pluck().get()).toBe(0);
        const [stored] = db.prepare('SELECT SUM(stored) FROM streams').raw().get() as [number];
        expect(stored).toBe(N);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    } finally {
      await broker.stop();
    }
  }, 120_000);
});
