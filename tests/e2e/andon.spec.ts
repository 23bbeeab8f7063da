// The andon as an operator meets it (issue 11, CONTRACT §6.1–6.2), in the browser against `serve` and a real
// broker: a station goes down; within 5 s the banner (every screen) and the wall tile say so; the operator
// acknowledges it in the banner — the sign-in box takes the token (a viewer's is refused for its role, an
// operator's goes through) — and the banner and the wall name who acknowledged; the station runs again and
// the alert closes by itself; History lists it with who acknowledged and when it closed. The shift runs
// 00:00–00:00 every day, so nothing here depends on the time of day.
import { test, expect, type Page } from '@playwright/test';
import mqtt from 'mqtt';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type Served } from '../helpers/serve.ts';
import { chromiumMissing } from '../helpers/chromium.ts';
import { requireBinary, startMosquitto, type MosquittoHandle } from '../helpers/brokers.ts';
import { untilConnected } from '../fixtures/known-day.ts';

const missing = chromiumMissing();
test.skip(missing !== null, missing ?? '');
const hasMosquitto = missing === null && requireBinary('mosquitto');
test.skip(!hasMosquitto, 'mosquitto not installed (apt-get install -y mosquitto)');

const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const config = {
  site: 'zigong',
  timezone: 'Asia/Shanghai',
  broker: { clientId: 'taktboard-e2e-andon', protocolVersion: 5 },
  // A 60 s target: a station silent after its down event is stale only after 5 min, far past this test.
  lines: [{ id: 'cell-3', name: '电芯3线 Cell line 3', targetTaktS: 60, outputStation: 'grade', stations: ['stack', 'grade'] }],
  shifts: [{ name: 'Day', start: '00:00', end: '00:00' }],
  // Down for more than 1 s opens line_down; behind_plan is kept out of the way (no units are sent at all).
  alerts: { downAfterS: 1, behindPlanMin: 1440, soundLevels: [1] },
  access: {
    tokens: [
      { name: 'wall', role: 'viewer', sha256: sha('view-secret') },
      { name: 'line-lead', role: 'operator', sha256: sha('op-secret') },
    ],
  },
};

let broker: MosquittoHandle;
let served: Served;
let pub: mqtt.MqttClient;
let seq = 0;
const state = (s: 'down' | 'running', reason?: string, station = 'stack') =>
  pub.publishAsync(`factory/zigong/cell-3/${station}/state`, JSON.stringify({ ts: Date.now(), seq: ++seq, boot: `e2e-andon-${station}`, state: s, ...(reason ? { reason } : {}) }), { qos: 1 });

test.beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taktboard-e2e-andon-'));
  const cfg = path.join(dir, 'plant.json');
  writeFileSync(cfg, JSON.stringify(config));
  broker = await startMosquitto();
  served = await startServe(['--config', cfg, '--db', path.join(dir, 'plant.sqlite'), '--broker', broker.url]);
  await untilConnected(served.url);
  pub = await mqtt.connectAsync(broker.url, { clientId: 'e2e-andon-pub', protocolVersion: 5 });
});

test.afterAll(async () => {
  await pub?.endAsync();
  expect(await served?.stop()).toBe(0);
  await broker?.stop();
});

async function open(page: Page, hash: string) {
  await page.goto(served.url + hash);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'connected');
}

test('a station down shows on the banner and the wall within 5 s, is acknowledged by an operator, and closes when it runs again', async ({ page, context }) => {
  await open(page, '#/overview');
  const wall = await context.newPage();
  await wall.goto(served.url + '#/wall');
  const tile = wall.locator('[data-testid="wall-tile"][data-line-id="cell-3"]');
  await expect(tile).toBeVisible();
  await expect(page.getByTestId('andon-alert')).toHaveCount(0);
  await expect(tile).toHaveAttribute('data-alert-kind', '');

  await state('down', 'JAM');
  const downAt = Date.now();
  // Both show it within 5 s of the down event: 1 s of downAfterS, the engine's once-a-second look, one push.
  const banner = page.locator('[data-testid="andon-alert"][data-kind="line_down"]');
  await expect(banner).toBeVisible({ timeout: 5_000 });
  await expect(tile).toHaveAttribute('data-alert-kind', 'line_down', { timeout: Math.max(0, 5_000 - (Date.now() - downAt)) });
  expect(Date.now() - downAt).toBeLessThan(5_000);
  // Words, place, level and time, not only a colour.
  await expect(banner).toContainText('Station down');
  await expect(banner).toContainText('电芯3线 Cell line 3 · stack');
  await expect(banner.getByTestId('andon-level')).toHaveText('Level 1');
  await expect(banner).toContainText('station stack down for more than 1 s');
  await expect(banner).toContainText(/since \d\d:\d\d · for \d+ s/);
  await expect(tile.getByTestId('wall-alert')).toContainText('Station down');
  await expect(tile.getByTestId('wall-alert')).toContainText('Station stack');
  await expect(tile.getByTestId('wall-alert')).toContainText('Level 1');
  await expect(tile.getByTestId('wall-alert-ack')).toHaveText('Not acknowledged yet');
  // The line card and the banner say it in Chinese too.
  await page.getByTestId('lang-switch').click();
  await expect(banner).toContainText('工位故障停机');
  await expect(banner).toContainText('工位 stack 故障停机超过 1 秒');
  await page.getByTestId('lang-switch').click();
  await expect(banner).toContainText('Station down');

  // Acknowledging without a token (401) opens the sign-in box; a viewer's token is refused for its role (403),
  // and the box says so; an operator's goes through.
  await banner.getByTestId('andon-ack').click();
  const box = page.getByTestId('login-box');
  await expect(box).toBeVisible();
  await expect(box).toHaveAttribute('data-reason', 'required');
  await box.getByTestId('login-token').fill('view-secret');
  await box.getByTestId('login-submit').click();
  await expect(box).toHaveAttribute('data-reason', 'role');
  await expect(box.getByTestId('login-role-too-low')).toBeVisible();
  await box.getByTestId('login-token').fill('op-secret');
  await box.getByTestId('login-submit').click();
  await expect(box).toBeHidden();
  await expect(banner).toHaveAttribute('data-acked', 'true');
  await expect(banner.getByTestId('andon-acked')).toContainText(/Acknowledged by line-lead at \d\d:\d\d/);
  await expect(tile.getByTestId('wall-alert-ack')).toContainText('Acknowledged by line-lead');
  const live = await (await fetch(served.url + 'api/live')).json();
  expect(live.andon).toEqual([expect.objectContaining({ kind: 'line_down', station: 'stack', ackBy: 'line-lead' })]);

  // The station runs again: the alert closes by itself, on the banner and on the wall.
  await state('running');
  await expect(banner).toHaveCount(0, { timeout: 10_000 });
  await expect(tile).toHaveAttribute('data-alert-kind', '', { timeout: 10_000 });
  // No unit has come at all: the line is stopped, no longer down.
  await expect(tile).not.toHaveAttribute('data-state', 'down');

  // History keeps it: opened, acknowledged by whom and when, closed, how long.
  await page.goto(served.url + '#/history');
  const row = page.locator('[data-testid="history-line"][data-line-id="cell-3"] [data-testid="history-alert"][data-kind="line_down"]');
  await expect(row).toHaveCount(1, { timeout: 20_000 });
  await expect(row).toHaveAttribute('data-open', 'false');
  await expect(row).toContainText('Station down');
  await expect(row).toContainText(/line-lead at \d\d:\d\d/);
  await expect(row).toContainText(/\d+ (s|min)$/);
});

declare global {
  interface Window {
    __notes: { title: string; body: string }[];
    __asked: number;
    __beeps: number;
  }
}

test('a browser notification only after the person asks for it, and the configured level sounds once the page was touched', async ({ page, context }) => {
  // Spies on what the page asks of the browser: permission requests, notifications shown, tones played.
  await page.addInitScript(() => {
    window.__notes = [];
    window.__asked = 0;
    window.__beeps = 0;
    const Real = window.Notification;
    const Spy = function (this: unknown, title: string, options?: NotificationOptions) {
      window.__notes.push({ title, body: options?.body ?? '' });
      return new Real(title, options);
    } as unknown as typeof Notification;
    // As a browser whose person answers the prompt with yes: 'default' until asked (the test grants it).
    Object.defineProperty(Spy, 'permission', { get: () => (window.__asked > 0 ? Real.permission : 'default') });
    Spy.requestPermission = ((...a: []) => {
      window.__asked++;
      return Real.requestPermission(...a);
    }) as typeof Notification.requestPermission;
    window.Notification = Spy;
    const createOscillator = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function (this: AudioContext) {
      window.__beeps++;
      return createOscillator.call(this);
    };
  });
  await open(page, '#/overview');
  const notify = page.getByTestId('andon-notify');
  await expect(notify).toContainText('Notify me of new alerts');
  // Never asked on load.
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => window.__asked)).toBe(0);
  // The configuration makes level 1 sound; the browser keeps audio locked until the page is touched.
  await expect(page.getByTestId('andon-sound')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('andon-sound-unlock')).toBeVisible();

  await context.grantPermissions(['notifications'], { origin: new URL(served.url).origin });
  await notify.click();
  expect(await page.evaluate(() => window.__asked)).toBe(1);
  await expect(notify).toHaveAttribute('role', 'switch');
  await expect(notify).toHaveAttribute('aria-checked', 'true');
  // That click was a gesture: the sound is unlocked too.
  await expect(page.getByTestId('andon-sound-unlock')).toHaveCount(0);

  await state('down', 'SENSOR', 'grade');
  await expect.poll(() => page.evaluate(() => window.__notes.length), { timeout: 5_000 }).toBe(1);
  expect(await page.evaluate(() => window.__notes[0])).toEqual({ title: 'Andon level 1: 电芯3线 Cell line 3 · grade — Station down', body: 'station grade down for more than 1 s' });
  // Level 1's pattern: one tone.
  await expect.poll(() => page.evaluate(() => window.__beeps)).toBe(1);

  // Muted, it stays muted after a reload; the acknowledgement and the close are no news (no notification).
  await page.getByTestId('andon-sound').click();
  await expect(page.getByTestId('andon-sound')).toHaveAttribute('aria-checked', 'false');
  await page.reload();
  await expect(page.getByTestId('andon-sound')).toHaveAttribute('aria-checked', 'false');
  await state('running', undefined, 'grade');
  await expect(page.getByTestId('andon-alert')).toHaveCount(0, { timeout: 10_000 });
  expect(await page.evaluate(() => window.__notes.length)).toBe(0);
});
