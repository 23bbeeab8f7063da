// A supervisor reviews the known day (tests/fixtures/known-day.md) in History and exports it:
// the screen shows the hand-worked figures, and the downloaded file equals `taktboard export`.
import { test, expect } from '@playwright/test';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { startServe, type Served } from '../helpers/serve.ts';
import { chromiumMissing } from '../helpers/chromium.ts';
import { requireBinary, startMosquitto } from '../helpers/brokers.ts';
import { knownDayConfig, publishKnownDay, untilConnected, waitUntilStored, KNOWN_DATE } from '../fixtures/known-day.ts';

const missing = chromiumMissing() ?? (requireBinary('mosquitto') ? null : 'mosquitto not found');
test.skip(missing !== null, missing ?? '');

const ROOT = path.resolve(import.meta.dirname, '../..');
let served: Served;
let broker: Awaited<ReturnType<typeof startMosquitto>>;
let cfgFile: string;
let dbFile: string;

test.beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taktboard-e2e-history-'));
  cfgFile = path.join(dir, 'plant.json');
  dbFile = path.join(dir, 'plant.sqlite');
  writeFileSync(cfgFile, JSON.stringify({ ...knownDayConfig, broker: { ...knownDayConfig.broker, clientId: 'taktboard-e2e-history' } }));
  broker = await startMosquitto();
  served = await startServe(['--config', cfgFile, '--db', dbFile, '--broker', broker.url]);
  await untilConnected(served.url);
  const distinct = await publishKnownDay(broker.url);
  expect(await waitUntilStored(served.url, distinct)).toBe(distinct);
});

test.afterAll(async () => {
  await served?.stop();
  await broker?.stop();
});

const cell = (line: ReturnType<import('@playwright/test').Page['locator']>, key: string) => line.getByTestId(`fig-${key}`);

test('History shows the figures of a shift, and Export downloads the same bytes as the CLI', async ({ page }) => {
  await page.goto(served.url + '#/history');
  // A plant's own telemetry: no demo marker.
  await expect(page.getByTestId('history-screen')).toBeVisible();
  await expect(page.getByTestId('demo-marker')).toHaveCount(0);
  await page.getByTestId('history-date').fill(KNOWN_DATE);
  await page.getByTestId('history-shift').selectOption('Day');
  const l1 = page.locator('[data-testid="history-line"][data-line-id="L1"]');
  await expect(cell(l1, 'units')).toHaveAttribute('data-value', '6');
  const expected: Record<string, string> = {
    plannedS: '27000.0', units: '6', good: '5', rejects: '1', targetUnits: '450', attainmentPct: '1.3',
    meanTaktS: '3592.500', p50TaktS: '60.000', p95TaktS: '14160.000', onTargetPct: '50.0', downtimeS: '1500.0',
    availabilityPct: '94.4', performancePct: '1.4', qualityPct: '83.3', oeePct: '1.1', bottleneckStation: 'out',
  };
  for (const [key, value] of Object.entries(expected)) await expect(cell(l1, key), key).toHaveAttribute('data-value', value);

  // An empty figure is empty on screen too, never 0 or NaN.
  const l2 = page.locator('[data-testid="history-line"][data-line-id="L2"]');
  await expect(cell(l2, 'qualityPct')).toHaveAttribute('data-value', '');
  await expect(cell(l2, 'attainmentPct')).toHaveAttribute('data-value', '0.0');
  await expect(page.locator('body')).not.toContainText('NaN');

  await page.getByTestId('history-shift').selectOption('ALL');
  await expect(cell(l1, 'units')).toHaveAttribute('data-value', '9');
  await expect(cell(l1, 'oeePct')).toHaveAttribute('data-value', '0.9');
  mkdirSync('artifacts', { recursive: true });
  await page.screenshot({ path: 'artifacts/history.png', fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('history-export').click()]);
  const file = await download.path();
  const downloaded = readFileSync(file!);
  const cli = execFileSync(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), 'export', '--date', KNOWN_DATE, '--config', cfgFile, '--db', dbFile]);
  expect(Buffer.compare(downloaded, cli)).toBe(0);
  expect(Buffer.compare(downloaded, readFileSync(path.join(ROOT, 'tests/fixtures/known-day.expected.csv')))).toBe(0);
  expect(download.suggestedFilename()).toBe(`taktboard-daily-${KNOWN_DATE}.csv`);
});
