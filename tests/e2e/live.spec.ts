// The demo as an operator sees it: both lines live against their targets, in English and Chinese.
// It runs the demo lines round the clock (`serve --demo --config`), so the figures checked here do
// not depend on whether CI runs during one of the default demo's planned breaks.
import { test, expect } from '@playwright/test';
import mqtt from 'mqtt';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type Served } from '../helpers/serve.ts';
import { chromiumMissing } from '../helpers/chromium.ts';
import { QUIET_BACKFILL_MS, ROUND_THE_CLOCK_INPUT } from '../fixtures/round-the-clock.ts';

const missing = chromiumMissing();
test.skip(missing !== null, missing ?? '');

let served: Served;

test.beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taktboard-e2e-'));
  const cfg = path.join(dir, 'round-the-clock.json');
  writeFileSync(cfg, JSON.stringify(ROUND_THE_CLOCK_INPUT));
  served = await startServe(['--demo', '--config', cfg, '--backfill', `${QUIET_BACKFILL_MS}ms`, '--db', path.join(dir, 'demo.sqlite')]);
});

test.afterAll(async () => {
  expect(await served?.stop()).toBe(0);
});

async function value(card: ReturnType<import('@playwright/test').Page['locator']>, testId: string): Promise<number> {
  return Number(await card.getByTestId(testId).getAttribute('data-value'));
}

test('both demo lines run live near their 1 s and 60 s targets, counts rising', async ({ page }) => {
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'connected');
  const cell = page.locator('[data-testid="line-card"][data-line-id="yibin-cell-1"]');
  const car = page.locator('[data-testid="line-card"][data-line-id="yubei-assembly-1"]');
  await expect(cell).toBeVisible();
  await expect(car).toBeVisible();

  // After warm-up the rolling takt is within 10 % of target.
  await expect.poll(async () => value(cell, 'actual-takt'), { timeout: 30_000 }).toBeGreaterThan(0.9);
  await expect.poll(async () => value(cell, 'actual-takt'), { timeout: 30_000 }).toBeLessThan(1.1);
  await expect.poll(async () => value(car, 'actual-takt'), { timeout: 30_000 }).toBeGreaterThan(54);
  await expect.poll(async () => value(car, 'actual-takt'), { timeout: 30_000 }).toBeLessThan(66);

  const before = await value(cell, 'shift-units');
  await expect.poll(async () => value(cell, 'shift-units'), { timeout: 15_000 }).toBeGreaterThan(before + 2);

  mkdirSync('artifacts', { recursive: true });
  await page.screenshot({ path: 'artifacts/overview.png', fullPage: true });
});

test('the language switch turns the UI into Simplified Chinese and back', async ({ page }) => {
  await page.goto(served.url);
  await expect(page.getByTestId('line-card').first()).toBeVisible();
  const english = await page.getByTestId('nav-overview').innerText();
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByTestId('nav-overview')).not.toHaveText(english);
  await expect(page.getByTestId('nav-overview')).toContainText(/[\u4e00-\u9fff]/);
  await page.screenshot({ path: 'artifacts/overview-zh.png', fullPage: true });
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('nav-overview')).toHaveText(english);
});

test('a quarantine reason is shown in Chinese on the Diagnostics screen, the English one stays in the API', async ({ page, request }) => {
  const broker = /embedded broker (mqtt:\/\/[^\s,]+)/.exec(served.output())![1];
  const pub = await mqtt.connectAsync(broker, { clientId: `e2e-bad-${process.pid}`, reconnectPeriod: 0 });
  await pub.publishAsync('factory/chongqing/yibin-cell-1/coating/cycle', '{"seq":1,', { qos: 1 });
  await pub.endAsync();
  await expect.poll(async () => (await (await request.post(served.url + 'api/rpc/diagnostics', { data: {} })).json()).quarantine[0]?.reason).toBe('invalid JSON');
  await page.goto(served.url + '#/diagnostics');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('quarantine-table')).toContainText('不是有效的 JSON');
});

test('the API answers health, live and bad parameters as the contract says', async ({ request }) => {
  const health = await request.get(served.url + 'api/health');
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true, broker: 'connected' });
  const live = await (await request.get(served.url + 'api/live')).json();
  expect(live.lines.map((l: { id: string }) => l.id)).toEqual(['yibin-cell-1', 'yubei-assembly-1']);
  const bad = await request.get(served.url + 'api/export/daily.csv?date=2026-13-45');
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toHaveProperty('error');
  const badRpc = await request.post(served.url + 'api/rpc/history', { data: { date: '../../etc/passwd', shift: 'A' } });
  expect(badRpc.status()).toBe(400);
  expect(JSON.stringify(await badRpc.json())).not.toMatch(/at .*\.ts:\d+/);
  const traversal = await request.get(served.url + '..%2f..%2fpackage.json');
  expect(traversal.status()).toBe(404);
});
