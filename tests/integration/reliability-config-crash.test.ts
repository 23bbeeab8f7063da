// RELIABILITY row 37: kill -9 while a configuration version is being recorded. A child process records
// versions in a loop on a file the app uses, and is killed at random moments; after every kill the file
// holds whole versions only (each parses, the count only grows), passes integrity_check, and `serve`
// starts on it and runs the newest version.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { configOfVersionText } from '../../shared/versions.ts';
import { useTempDirs } from '../helpers/tmp.ts';
import { startServe } from '../helpers/serve.ts';

const tempDir = useTempDirs();
const root = path.resolve(import.meta.dirname, '../..');
const KILLS = 12;

const base = {
  site: 'crash',
  broker: { url: 'mqtt://127.0.0.1:1', clientId: 'crash-test', protocolVersion: 5 },
  lines: [{ id: 'l1', name: 'Line 1', targetTaktS: 10, outputStation: 'out', stations: ['out'] }],
  shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
};

// Records version after version (a new target and a name of a new length each time, within the schema's
// 128 characters), as Settings or `config apply` would, until killed.
const CHILD = `
import { configOrThrow } from ${JSON.stringify(path.join(root, 'shared/config.ts'))};
import { Store } from ${JSON.stringify(path.join(root, 'main/core/store/store.ts'))};
import { recordVersion } from ${JSON.stringify(path.join(root, 'main/core/store/versions.ts'))};
const [dbFile, baseJson] = process.argv.slice(1);
const base = JSON.parse(baseJson);
const store = Store.open(dbFile, { synchronous: 'NORMAL', quarantineRows: 100 });
process.stdout.write('ready\\n');
for (let i = 1; ; i++) {
  const config = configOrThrow({ ...base, lines: [{ ...base.lines[0], targetTaktS: 10 + (i % 50) / 10, name: 'Line 1 ' + 'x'.repeat(i % 120) }] });
  recordVersion(store.db, config, { effectiveDate: '2026-12-01', recordedBy: 'crash-test', recordedAt: Date.now() });
}
`;

async function recordUntilKilled(dbFile: string, afterMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, dbFile, JSON.stringify(base)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TAKTBOARD_LOG: 'error' } });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`recorder exited ${code} before starting:\n${err}`)));
  });
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit ${code}:\n${err}`)));
  await new Promise((r) => setTimeout(r, afterMs));
  child.kill('SIGKILL');
  // Killed while recording, never ended on its own (a recorder that failed would say why here).
  expect(await exited).toBe('SIGKILL');
}

describe('row 37: a crash while a configuration version is recorded', () => {
  it('leaves whole versions only, an intact file, and an app that starts', async () => {
    const dir = tempDir('config-crash');
    const dbFile = path.join(dir, 'plant.sqlite');
    let count = 0;
    for (let k = 0; k < KILLS; k++) {
      await recordUntilKilled(dbFile, 50 + Math.floor(Math.random() * 250));
      const db = new Database(dbFile);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const rows = db.prepare('SELECT config FROM config_versions ORDER BY id').pluck().all() as string[];
        // Never half a version: every row parses as a whole configuration.
        for (const text of rows) expect(configOfVersionText(text).lines[0].id).toBe('l1');
        expect(rows.length).toBeGreaterThanOrEqual(count);
        count = rows.length;
      } finally {
        db.close();
      }
    }
    expect(count).toBeGreaterThan(KILLS);

    // The app starts on the file and takes the newest version for today.
    const cfgFile = path.join(dir, 'plant.json');
    writeFileSync(cfgFile, JSON.stringify(base));
    const served = await startServe(['--config', cfgFile, '--db', dbFile]);
    try {
      const history = await (await fetch(`${served.url}api/rpc/configHistory`, { method: 'POST', body: '{}' })).json();
      expect(history.versions.length).toBe(count + 1);
      expect(history.versions.at(-1)).toMatchObject({ recordedBy: 'serve' });
    } finally {
      await served.stop();
    }
  }, 120_000);
});
