// A known day published through mosquitto into `serve`, then `taktboard export`: the file must equal
// the hand-worked expectation byte for byte (tests/fixtures/known-day.md shows the arithmetic).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { requireBinary, startMosquitto } from '../helpers/brokers.ts';
import { tempDir } from '../helpers/tmp.ts';
import { startServe, type Served } from '../helpers/serve.ts';
import { knownDayConfig as config, publishKnownDay, untilConnected, waitUntilStored, KNOWN_DATE } from '../fixtures/known-day.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

describe.skipIf(!requireBinary('mosquitto'))('daily CSV of a known day, through mosquitto and serve', () => {
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let served: Served | undefined;
  const dir = tempDir('known-day');
  const cfgFile = path.join(dir, 'plant.json');
  const dbFile = path.join(dir, 'plant.sqlite');

  beforeAll(async () => {
    broker = await startMosquitto();
    writeFileSync(cfgFile, JSON.stringify(config));
    served = await startServe(['--config', cfgFile, '--db', dbFile, '--broker', broker.url]);
    await untilConnected(served.url);
  });
  afterAll(async () => {
    await served?.stop();
    await broker?.stop();
  });

  it('exports exactly the hand-worked file', async () => {
    const distinct = await publishKnownDay(broker.url);
    expect(await waitUntilStored(served!.url, distinct)).toBe(distinct);

    const viaApi = Buffer.from(await (await fetch(served!.url + 'api/export/daily.csv?date=' + KNOWN_DATE)).arrayBuffer());
    const stopsViaApi = Buffer.from(await (await fetch(served!.url + 'api/export/stops.csv?date=' + KNOWN_DATE)).arrayBuffer());
    expect(await served!.stop()).toBe(0);
    served = undefined;

    const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--date', KNOWN_DATE, '--config', cfgFile, '--db', dbFile], { encoding: 'buffer' });
    const expected = readFileSync(path.join(ROOT, 'tests/fixtures/known-day.expected.csv'));
    expect(stdout.toString('utf8')).toBe(expected.toString('utf8'));
    expect(Buffer.compare(stdout, expected)).toBe(0);
    expect(Buffer.compare(viaApi, expected)).toBe(0);

    const outFile = path.join(dir, 'day.csv');
    await run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--date', KNOWN_DATE, '--config', cfgFile, '--db', dbFile, '--out', outFile]);
    expect(Buffer.compare(readFileSync(outFile), expected)).toBe(0);

    // The stops CSV: the hand-worked rows, the same bytes from the CLI and the API.
    const stopsExpected = readFileSync(path.join(ROOT, 'tests/fixtures/known-day.stops.expected.csv'));
    const stops = await run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--stops', '--date', KNOWN_DATE, '--db', dbFile], { encoding: 'buffer' });
    expect(stops.stdout.toString('utf8')).toBe(stopsExpected.toString('utf8'));
    expect(Buffer.compare(stopsViaApi, stopsExpected)).toBe(0);

    // Without --config the database's configuration versions decide (serve recorded one); a --config
    // that differs from the newest is reported and changes nothing.
    const noConfig = await run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--date', KNOWN_DATE, '--db', dbFile], { encoding: 'buffer' });
    expect(Buffer.compare(noConfig.stdout, expected)).toBe(0);
    const other = path.join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ ...config, lines: [{ ...config.lines[0], targetTaktS: 30 }, config.lines[1]] }));
    const differing = await run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--date', KNOWN_DATE, '--config', other, '--db', dbFile], { encoding: 'buffer' });
    expect(Buffer.compare(differing.stdout, expected)).toBe(0);
    expect(differing.stderr.toString()).toMatch(/differs from the newest configuration version in the database/);
  });

  it('refuses bad usage with exit status 2 and words', async () => {
    const bad = await run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--date', '20-11-2026', '--db', dbFile]).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--date YYYY-MM-DD/);
    writeFileSync(path.join(dir, 'broken.json'), JSON.stringify({ ...config, lines: [{ ...config.lines[0], targetTaktS: 'fast' }] }));
    const cfg = await run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--date', KNOWN_DATE, '--config', path.join(dir, 'broken.json'), '--db', dbFile]).catch((e) => e);
    expect(cfg.code).toBe(2);
    expect(cfg.stderr).toMatch(/lines\[0\]\.targetTaktS/);
    const noDate = await run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--date', '2026-02-30', '--db', dbFile]).catch((e) => e);
    expect(noDate.code).toBe(2);
    expect(noDate.stderr).toMatch(/a date YYYY-MM-DD that exists, got "2026-02-30"/);
  });

  it('refuses a database without configuration versions unless --config is given (never the demo lines)', async () => {
    const Database = (await import('better-sqlite3')).default;
    const bare = path.join(dir, 'bare.sqlite');
    const copy = new Database(dbFile, { readonly: true });
    await copy.backup(bare);
    copy.close();
    const db = new Database(bare);
    db.exec('DELETE FROM config_versions');
    db.close();
    const refused = await run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--date', KNOWN_DATE, '--db', bare]).catch((e) => e);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds no configuration version: give --config FILE/);
    const given = await run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--date', KNOWN_DATE, '--db', bare, '--config', cfgFile], { encoding: 'buffer' });
    expect(Buffer.compare(given.stdout, readFileSync(path.join(ROOT, 'tests/fixtures/known-day.expected.csv')))).toBe(0);
  });
});
