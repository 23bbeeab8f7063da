// A day off (issue 9): today, in the plant's timezone, is made a holiday of the demo's round-the-clock
// calendar, so no shift runs whenever CI runs. The Overview says "no shift" instead of a target and a
// plan, and History opens on the last shift that ran instead of an empty today.
import { test, expect } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type Served } from '../helpers/serve.ts';
import { chromiumMissing } from '../helpers/chromium.ts';
import { QUIET_BACKFILL_MS, ROUND_THE_CLOCK_INPUT } from '../fixtures/round-the-clock.ts';
import { addDays, localDate } from '../../shared/shifts.ts';

const missing = chromiumMissing();
test.skip(missing !== null, missing ?? '');

const TIMEZONE = ROUND_THE_CLOCK_INPUT.timezone as string;

let served: Served;
let today: string;

test.beforeAll(async () => {
  today = localDate(TIMEZONE, Date.now());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taktboard-e2e-day-off-'));
  const cfg = path.join(dir, 'day-off.json');
  writeFileSync(cfg, JSON.stringify({ ...ROUND_THE_CLOCK_INPUT, calendar: { holidays: [today], workdays: [] } }));
  served = await startServe(['--demo', '--config', cfg, '--backfill', `${QUIET_BACKFILL_MS}ms`, '--db', path.join(dir, 'demo.sqlite')]);
});

test.afterAll(async () => {
  expect(await served?.stop()).toBe(0);
});

test('on a day off the line cards say "no shift" instead of a target and a plan', async ({ page }) => {
  await page.goto(served.url);
  const card = page.locator('[data-testid="line-card"][data-line-id="yibin-cell-1"]');
  await expect(card.getByTestId('no-shift')).toHaveText('No shift');
  await expect(card.getByTestId('target-takt')).not.toContainText('Target');
  await expect(card.getByTestId('shift-name')).toHaveText('No shift');
  await expect(card.getByTestId('attainment')).toHaveAttribute('data-value', '');
  await expect(card).not.toContainText('planned');
  await page.getByTestId('lang-switch').click();
  await expect(card.getByTestId('no-shift')).toHaveText('无班次');
});

test('History opens on the last shift that ran, and today says "no shift"', async ({ page }) => {
  await page.goto(served.url + '#/history');
  await expect(page.getByTestId('history-date')).toHaveValue(addDays(today, -1));
  await expect(page.getByTestId('history-this-shift')).toBeDisabled();
  await expect(page.getByTestId('history-status')).toHaveAttribute('data-status', 'complete');
  await page.getByTestId('history-date').fill(today);
  await expect(page.getByTestId('history-no-shift')).toContainText('No shift on this date');
});
