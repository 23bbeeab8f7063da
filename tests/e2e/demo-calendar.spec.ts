// The demo as a supervisor meets it on every screen (issues 8 and 9): the DEMO marker, History on the
// working calendar (a day without shifts, "yesterday" skipping it), today's figures marked "so far", and
// a station the configuration does not list.
//
// Independent of when CI runs: the demo's lines run one 00:00–00:00 shift every day, so today's shift is
// always in progress, and yesterday (in the plant's timezone) is made a holiday, so it never has a shift.
// Nothing here needs the lines running at a given moment, so the demo fills in a whole day of history
// (the simulator keeps to the calendar: nothing on the holiday).
//
// SCREENSHOTS=docs writes the README's screenshots to docs/ (1440×900); otherwise they go to artifacts/.
import { test, expect } from '@playwright/test';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { startServe, type Served } from '../helpers/serve.ts';
import { chromiumMissing } from '../helpers/chromium.ts';
import { scrollUnderHeader, switchTo } from '../helpers/page.ts';
import { ROUND_THE_CLOCK_INPUT } from '../fixtures/round-the-clock.ts';
import { addDays, localDate } from '../../shared/shifts.ts';

const missing = chromiumMissing();
test.skip(missing !== null, missing ?? '');

const TIMEZONE = ROUND_THE_CLOCK_INPUT.timezone as string;
const SHOTS = process.env.SCREENSHOTS === 'docs' ? 'docs' : 'artifacts';
const EXTRA_STATION = 'vision-check';

let served: Served;
let today: string;
let holiday: string;

test.beforeAll(async () => {
  today = localDate(TIMEZONE, Date.now());
  holiday = addDays(today, -1);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taktboard-e2e-calendar-'));
  const cfg = path.join(dir, 'calendar.json');
  writeFileSync(cfg, JSON.stringify({ ...ROUND_THE_CLOCK_INPUT, calendar: { holidays: [holiday], workdays: [] } }));
  served = await startServe(['--demo', '--config', cfg, '--backfill', '24h', '--db', path.join(dir, 'demo.sqlite')]);
  mkdirSync(SHOTS, { recursive: true });
});

test.afterAll(async () => {
  expect(await served?.stop()).toBe(0);
});

test('the DEMO marker stays on the Overview, History and Diagnostics, in both languages', async ({ page }) => {
  await page.goto(served.url + '#/overview');
  const marker = page.getByTestId('demo-marker');
  await expect(marker).toBeVisible();
  await expect(marker).toContainText('DEMO — simulated data');
  await expect(page.getByTestId('line-card').first()).toBeVisible();
  await expect(page).toHaveTitle(/DEMO/);
  for (const screen of ['history', 'diagnostics', 'line']) {
    await page.getByTestId(`nav-${screen}`).click();
    await expect(marker).toBeVisible();
    await expect(marker).toContainText('DEMO — simulated data');
  }
  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId('history-screen')).toBeVisible();
  // Not dismissable: nothing in it to press.
  await expect(marker.locator('button, a')).toHaveCount(0);
  await switchTo(page, 'zh-CN');
  await expect(marker).toContainText('演示 — 模拟数据');
  await page.getByTestId('nav-diagnostics').click();
  await expect(marker).toContainText('演示 — 模拟数据');
  await page.getByTestId('nav-overview').click();
  await expect(marker).toBeVisible();
});

test("today's History is marked in progress, with the current hour drawn as so far", async ({ page }) => {
  await page.goto(served.url + '#/history');
  // History opens on the running shift: today's 00:00–00:00 shift, always begun and never over.
  await expect(page.getByTestId('history-date')).toHaveValue(today);
  const status = page.getByTestId('history-status');
  await expect(status).toHaveAttribute('data-status', 'in_progress');
  await expect(status).toContainText('In progress (so far)');
  const line = page.locator('[data-testid="history-line"][data-line-id="yibin-cell-1"]');
  await expect(line).toHaveAttribute('data-so-far', 'true');
  await expect(line).toContainText('Summary so far');
  await expect(line.getByTestId('hourly-chart')).toHaveAttribute('data-in-progress', 'true');
  await expect(line.getByTestId('hourly-legend-in-progress')).toContainText('Hour in progress (so far)');
  await expect(page.getByTestId('fig-units').first()).not.toHaveAttribute('data-value', '');
  // The screenshot: the marker, the figures so far and the hatched hour with its legend.
  await scrollUnderHeader(page, 'history-status');
  await page.screenshot({ path: path.join(SHOTS, 'history-in-progress.png') });

  await switchTo(page, 'zh-CN');
  await expect(status).toContainText('进行中（截至目前）');
  await expect(line.getByTestId('hourly-legend-in-progress')).toContainText('进行中的小时');
  await scrollUnderHeader(page, 'history-status');
  await page.screenshot({ path: path.join(SHOTS, 'history-in-progress.zh-CN.png') });
});

test('a day without shifts says "no shift"; the day buttons and "yesterday" skip it', async ({ page }) => {
  await page.goto(served.url + '#/history');
  await expect(page.getByTestId('history-status')).toBeVisible();

  // Picked by hand: the holiday says so instead of showing an empty or broken screen.
  await page.getByTestId('history-date').fill(holiday);
  const noShift = page.getByTestId('history-no-shift');
  await expect(noShift).toContainText('No shift on this date');
  await expect(page.getByTestId('history-line')).toHaveCount(0);
  // Only the whole day is offered: no shift runs that date.
  await expect(page.getByTestId('history-shift').locator('option')).toHaveCount(1);
  await switchTo(page, 'zh-CN');
  await expect(noShift).toContainText('当日无班次');
  await switchTo(page, 'en');

  // The previous working day is the day before the holiday; the next one after it skips the holiday.
  await page.getByTestId('history-previous-day').click();
  await expect(page.getByTestId('history-date')).toHaveValue(addDays(holiday, -1));
  await expect(page.getByTestId('history-status')).toHaveAttribute('data-status', 'complete');
  await expect(noShift).toHaveCount(0);
  await page.getByTestId('history-next-day').click();
  await expect(page.getByTestId('history-date')).toHaveValue(today);
  // Never past today.
  await expect(page.getByTestId('history-next-day')).toBeDisabled();

  // "Yesterday" is the last working day before today: the day before the holiday, and the button names it.
  const yesterday = page.getByTestId('history-yesterday');
  await expect(yesterday).toContainText(addDays(holiday, -1));
  await yesterday.click();
  await expect(page.getByTestId('history-date')).toHaveValue(addDays(holiday, -1));
  await expect(page.getByTestId('history-shift')).toHaveValue('ALL');
  await expect(page.getByTestId('history-line').first()).toBeVisible();
});

test('a station the configuration does not list is kept apart on the Line screen and offered for the configuration in Diagnostics', async ({ page }) => {
  const brokerUrl = /embedded broker (mqtt:\/\/[\w.:-]+)/.exec(served.output())?.[1];
  expect(brokerUrl, served.output()).toBeTruthy();
  const pub = await mqtt.connectAsync(brokerUrl!, { clientId: `e2e-extra-${process.pid}`, protocolVersion: 4 });
  const topic = `factory/${ROUND_THE_CLOCK_INPUT.site}/yibin-cell-1/${EXTRA_STATION}/cycle`;
  for (let seq = 1; seq <= 3; seq++) await pub.publishAsync(topic, JSON.stringify({ ts: Date.now(), seq, cycle_ms: 800 }), { qos: 1 });
  await pub.endAsync();

  await page.goto(served.url + '#/line/yibin-cell-1');
  const apart = page.getByTestId('unconfigured-stations');
  await expect(apart).toContainText('Not in the configuration');
  await expect(apart.locator(`[data-station="${EXTRA_STATION}"]`)).toBeVisible();
  await expect(page.getByTestId('station-table').locator(`[data-station="${EXTRA_STATION}"]`)).toHaveCount(0);
  await expect(page.getByTestId('station-table').getByTestId('station-row')).toHaveCount(5);

  await page.getByTestId('nav-diagnostics').click();
  const row = page.locator(`[data-testid="unconfigured-row"][data-station="${EXTRA_STATION}"]`);
  await expect(row).toContainText('yibin-cell-1');
  await expect(row).toContainText(/seen (just now|\d+ s ago|\d+ min ago)/);
  // Settings adopts it (with sensible defaults): the panel leads there.
  await expect(page.getByTestId('adopt-in-settings')).toHaveAttribute('href', '#/settings');

  // Ingest and the engine thread in words (the loop delay is measured over 10 s windows).
  await expect(page.getByTestId('diag-bursts')).toContainText(/\d+ commits for \d+ messages/);
  await expect(page.getByTestId('diag-ack-latency')).toContainText(/half within [\d.]+ ms, 99 % within [\d.]+ ms/);
  await expect(page.getByTestId('diag-loop-delay')).toContainText(/p99 [\d.]+ ms, max [\d.]+ ms/, { timeout: 30_000 });
  await expect(page.getByTestId('diag-reads')).toContainText(/\d+ in \d+ read workers/);
  await expect(page.locator('[data-testid="config-version"][data-today="true"]')).toContainText('in effect today');
  // The screenshot shows the new sections: ingest and engine, the station to add, the configuration versions.
  await scrollUnderHeader(page, 'diag-ingest');
  await page.screenshot({ path: path.join(SHOTS, 'diagnostics.png') });
});
