// Settings in the browser (issue 13), against `serve` with a plant file that holds a supervisor token's hash:
// a viewer without a token sees them read-only; a supervisor signs in through the login box, sets up a new
// line with two stations and a shift from a demo-like start, has a bad value refused next to its field (named,
// in both languages), then adopts a station and a whole line from telemetry published to a real broker and
// sees them live on the Overview. Every save is a configuration version with who saved it, and goes back
// into the file serve was started from.
//
// Independent of when it runs: the plant's timezone is chosen so that it is about 2 a.m. there, between its
// shifts (06:00–14:00, and the 14:00–22:00 one the test adds). So no shift of yesterday is still running (the
// live view uses the version of the current shift's date, and a new version is effective from today), and
// no production alert opens: the screenshots show Settings, not the andon.
// SCREENSHOTS=docs writes the README's screenshots to docs/ (1440×900); otherwise they go to artifacts/.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { startServe, type Served } from '../helpers/serve.ts';
import { zoneAt } from '../helpers/zones.ts';
import { chromiumMissing } from '../helpers/chromium.ts';
import { requireBinary, startMosquitto } from '../helpers/brokers.ts';
import { untilConnected } from '../fixtures/known-day.ts';

const missing = chromiumMissing() ?? (requireBinary('mosquitto') ? null : 'mosquitto not found');
test.skip(missing !== null, missing ?? '');
test.describe.configure({ mode: 'serial' });

const SHOTS = process.env.SCREENSHOTS === 'docs' ? 'docs' : 'artifacts';
const SITE = 'chongqing';
const SUPERVISOR_TOKEN = 'sup-e2e-5d1e77a0c3';
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

let served: Served;
let broker: Awaited<ReturnType<typeof startMosquitto>>;
let cfgFile: string;
let publisher: mqtt.MqttClient;
let ticker: ReturnType<typeof setInterval> | null = null;

test.beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taktboard-e2e-settings-'));
  cfgFile = path.join(dir, 'plant.json');
  broker = await startMosquitto();
  // The demo's two lines and a day shift: where an integrator starts from.
  writeFileSync(
    cfgFile,
    JSON.stringify(
      {
        site: SITE,
        timezone: zoneAt(2),
        broker: { url: broker.url, clientId: 'taktboard-e2e-settings' },
        lines: [
          { id: 'yibin-cell-1', name: 'Yibin cell line 1 · 宜宾电芯1线', targetTaktS: 1, outputStation: 'grading', stations: ['coating', 'winding', 'assembly', 'formation', 'grading'] },
          { id: 'yubei-assembly-1', name: 'Yubei vehicle assembly 1 · 渝北总装1线', targetTaktS: 60, outputStation: 'eol-test', stations: ['body', 'paint', 'trim', 'chassis', 'final', 'eol-test'] },
        ],
        shifts: [{ name: 'Early', start: '06:00', end: '14:00', breaks: [{ start: '10:00', end: '10:30' }] }],
        access: { tokens: [{ name: 'integrator', role: 'supervisor', sha256: sha(SUPERVISOR_TOKEN) }] },
      },
      null,
      2,
    ),
  );
  served = await startServe(['--config', cfgFile, '--db', path.join(dir, 'plant.sqlite')]);
  await untilConnected(served.url);
  publisher = await mqtt.connectAsync(broker.url, { clientId: `settings-pub-${process.pid}`, protocolVersion: 5 });
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync('artifacts', { recursive: true });
});

test.afterAll(async () => {
  if (ticker) clearInterval(ticker);
  await publisher?.endAsync();
  await served?.stop();
  await broker?.stop();
});

/** Telemetry of stations the configuration does not list yet: a unit every 2 s at each line's last station. */
function startTelemetry() {
  const seq = new Map<string, number>();
  const send = (line: string, station: string, event: 'cycle' | 'state', body: Record<string, unknown>) => {
    const key = `${line}/${station}`;
    const n = (seq.get(key) ?? 0) + 1;
    seq.set(key, n);
    void publisher.publishAsync(`factory/${SITE}/${line}/${station}/${event}`, JSON.stringify({ ts: Date.now(), seq: n, boot: 'e2e', ...body }), { qos: 1 });
  };
  for (const [line, station] of [['pack-3', 'test'], ['cell-9', 'stack'], ['cell-9', 'weld'], ['yibin-cell-1', 'sorting']]) send(line, station, 'state', { state: 'running' });
  const tick = () => {
    send('pack-3', 'test', 'cycle', { cycle_ms: 1800 });
    send('cell-9', 'stack', 'cycle', { cycle_ms: 900 });
    send('cell-9', 'weld', 'cycle', { cycle_ms: 1500 });
    send('yibin-cell-1', 'sorting', 'cycle', { cycle_ms: 400 });
  };
  tick();
  ticker = setInterval(tick, 2000);
}

async function openSettings(page: Page, tab = 'lines') {
  await page.goto(served.url + '#/settings');
  await expect(page.getByTestId('settings-screen')).toBeVisible();
  await page.getByTestId(`tab-${tab}`).click();
}

async function signIn(page: Page) {
  await page.getByTestId('settings-sign-in').click();
  await page.getByTestId('login-token').fill(SUPERVISOR_TOKEN);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('settings-editable')).toBeVisible();
}

async function switchTo(page: Page, lang: 'en' | 'zh-CN') {
  if ((await page.locator('html').getAttribute('lang')) !== lang) await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

async function saveToday(page: Page) {
  await expect(page.getByTestId('check-status')).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('effective-today')).toBeVisible();
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  await expect(page.getByTestId('no-changes')).toBeVisible();
}

const readFile = () => JSON.parse(readFileSync(cfgFile, 'utf8'));

test('a viewer without a token sees Settings read-only', async ({ page }) => {
  await openSettings(page);
  await switchTo(page, 'en');
  await expect(page.getByTestId('nav-settings')).toBeVisible();
  await expect(page.getByTestId('settings-readonly')).toContainText('Read-only');
  await expect(page.getByTestId('settings-form')).toHaveAttribute('disabled', '');
  await expect(page.getByTestId('field-lines[0].targetTaktS')).toBeDisabled();
  await expect(page.getByTestId('field-lines[0].targetTaktS')).toHaveValue('1');
  await expect(page.getByTestId('add-line')).toBeDisabled();
  await expect(page.getByTestId('settings-save')).toBeDisabled();
  // Nothing to check or save: no problems are made up from the copy a viewer gets (token hashes left out).
  await expect(page.getByTestId('settings-errors')).toHaveCount(0);
  await page.getByTestId('tab-access').click();
  await expect(page.getByTestId('token-row')).toHaveCount(1);
  await expect(page.getByTestId('create-token')).toBeDisabled();
  // The history of versions and the export are for everyone.
  await page.getByTestId('tab-history').click();
  await expect(page.getByTestId('version-row')).toHaveCount(1);
  const download = page.waitForEvent('download');
  await page.getByTestId('settings-export').click();
  const file = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
  expect(file.site).toBe(SITE);
  expect(file.lines).toHaveLength(2);
  expect(file.access).toBeUndefined();
});

test('a supervisor sets up a new line with two stations and a shift, saved as a version', async ({ page }) => {
  await openSettings(page);
  await switchTo(page, 'en');
  await signIn(page);

  // The broker as it is: the test connection reports what the broker said.
  await page.getByTestId('tab-broker').click();
  await page.getByTestId('broker-test').click();
  await expect(page.getByTestId('broker-test-result')).toHaveAttribute('data-ok', 'true');

  await page.getByTestId('tab-lines').click();
  await page.getByTestId('add-line').click();
  const panel = page.getByTestId('line-panel').nth(2);
  await panel.getByTestId('field-lines[2].id').fill('pack-3');
  await panel.getByTestId('field-lines[2].name').fill('Pack line 3 · 模组3线');
  await panel.getByTestId('field-lines[2].targetTaktS').fill('30');
  await panel.getByTestId('field-lines[2].stations[0]').fill('load');
  await panel.getByTestId('field-lines[2].stations[1]').fill('weld');
  // The output station followed the renamed last station.
  await expect(panel.getByTestId('field-lines[2].outputStation')).toHaveValue('weld');
  // Its loss thresholds default from the target, said as such.
  await expect(panel.getByTestId('field-lines[2].smallStopAfterS')).toHaveAttribute('placeholder', 'default 60');
  await expect(panel.getByTestId('field-lines[2].stopAfterS')).toHaveAttribute('placeholder', 'default 150');

  await page.getByTestId('tab-shifts').click();
  await page.getByTestId('add-shift').click();
  const shift = page.getByTestId('shift-panel').nth(1);
  await shift.getByTestId('field-shifts[1].name').fill('Late');
  await shift.getByTestId('field-shifts[1].start').fill('14:00');
  await shift.getByTestId('field-shifts[1].end').fill('22:00');
  await shift.getByTestId('add-break').click();
  await shift.getByTestId('field-shifts[1].breaks[0].start').fill('18:00');
  await shift.getByTestId('field-shifts[1].breaks[0].end').fill('18:30');
  await shift.getByTestId('day-sun').uncheck();

  // What changes, before saving.
  const diff = page.getByTestId('settings-diff');
  await expect(diff).toContainText('line added: pack-3');
  await expect(diff).toContainText('Shifts changed');
  await saveToday(page);
  await expect(page.getByTestId('settings-saved')).toContainText('line added: pack-3');

  const file = readFile();
  expect(file.lines[2]).toMatchObject({ id: 'pack-3', name: 'Pack line 3 · 模组3线', targetTaktS: 30, outputStation: 'weld', stations: ['load', 'weld'] });
  expect(file.shifts[1]).toMatchObject({ name: 'Late', start: '14:00', end: '22:00', breaks: [{ start: '18:00', end: '18:30' }], days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'] });
  expect(file.access.tokens[0].name).toBe('integrator');

  // Who saved what.
  await page.getByTestId('tab-history').click();
  const newest = page.getByTestId('version-row').first();
  await expect(newest).toHaveAttribute('data-by', 'integrator');
  await expect(newest).toContainText('line added: pack-3');
  await expect(page.getByTestId('version-row')).toHaveCount(2);

  // On the Overview at once.
  await page.getByTestId('nav-overview').click();
  const card = page.locator('[data-testid="line-card"][data-line-id="pack-3"]');
  await expect(card).toBeVisible();
  await expect(card.getByTestId('target-takt')).toHaveAttribute('data-value', '30');
});

test('a bad value is refused next to its field, named, in the UI language', async ({ page }) => {
  await openSettings(page);
  await switchTo(page, 'en');
  await signIn(page);
  const takt = page.getByTestId('field-lines[2].targetTaktS');
  await takt.fill('0');
  const error = page.locator('[data-testid="field-error"][data-path="lines[2].targetTaktS"]');
  await expect(error).toHaveText(/Too small: expected number to be >0/);
  await expect(takt).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('settings-save')).toBeDisabled();
  const problems = page.getByTestId('settings-errors');
  await expect(problems).toContainText('Lines › pack-3 › Target takt (s)');

  // Thresholds in the wrong order: the field that breaks the rule is the one named.
  await takt.fill('30');
  await page.getByTestId('field-lines[2].smallStopAfterS').fill('100');
  await page.getByTestId('field-lines[2].stopAfterS').fill('50');
  const order = page.locator('[data-testid="field-error"][data-path="lines[2].stopAfterS"]');
  await expect(order).toHaveText(/must be more than smallStopAfterS \(100 s\)/);

  // Not a number at all; and the same problems in Chinese, the field named by its Chinese label.
  await page.getByTestId('field-lines[2].stopAfterS').fill('');
  await page.getByTestId('field-lines[2].smallStopAfterS').fill('');
  await takt.fill('thirty');
  await expect(error).toHaveText(/expected number, received string/);
  await switchTo(page, 'zh-CN');
  await expect(error).toContainText('应为 number');
  await expect(problems).toContainText('产线 › pack-3 › 目标节拍（秒）');
  await takt.fill('30');
  await page.getByTestId('field-lines[2].stopAfterS').fill('20');
  await expect(page.locator('[data-testid="field-error"][data-path="lines[2].stopAfterS"]')).toHaveText(/必须大于短停阈值（60 秒）/);
  // A problem on another tab is one click away.
  await page.getByTestId('tab-shifts').click();
  await page.getByTestId('problem-link').first().click();
  await expect(page.getByTestId('section-lines')).toBeVisible();
  await switchTo(page, 'en');

  // A past effective date says which days' figures change; a future one schedules.
  await page.getByTestId('field-lines[2].stopAfterS').fill('');
  await expect(page.getByTestId('check-status')).toHaveAttribute('data-state', 'ok');
  // Every field back as it was: nothing to save or discard.
  await expect(page.getByTestId('no-changes')).toBeVisible();
  await expect(page.getByTestId('settings-discard')).toBeDisabled();
  await page.getByTestId('field-lines[0].targetTaktS').fill('0.9');
  const today = await page.getByTestId('effective-from').inputValue();
  const shift = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  await page.getByTestId('effective-from').fill(shift(today, -3));
  await expect(page.getByTestId('effective-past')).toContainText(`from ${shift(today, -3)} on`);
  await expect(page.getByTestId('changed-dates')).toBeVisible();
  await expect(page.getByTestId('settings-save')).toHaveText('Save and correct history');
  await page.getByTestId('effective-from').fill(shift(today, 1));
  await expect(page.getByTestId('effective-future')).toContainText(`until ${shift(today, 1)}`);
  await expect(page.getByTestId('settings-save')).toHaveText('Save and schedule');
  await page.getByTestId('settings-discard').click();
  await expect(page.getByTestId('no-changes')).toBeVisible();
  // Nothing refused was saved.
  expect(readFile().lines[2].targetTaktS).toBe(30);

  // A file from elsewhere is loaded into the form, checked, and shown as changes — saved only as usual.
  const { access: _access, ...exported } = readFile();
  exported.lines[0].name = 'Cell line 1 (imported)';
  exported.lines[0].colour = 'blue';
  const importFile = path.join(path.dirname(cfgFile), 'import.json');
  writeFileSync(importFile, JSON.stringify(exported));
  await page.getByTestId('settings-import-file').setInputFiles(importFile);
  const notice = page.getByTestId('import-notice');
  await expect(notice).toContainText('Loaded import.json');
  await expect(notice).toContainText('lines[0].colour');
  await expect(notice).toContainText('the current ones are kept');
  await expect(page.getByTestId('settings-diff')).toContainText('Name of yibin-cell-1');
  await expect(page.getByTestId('check-status')).toHaveAttribute('data-state', 'ok');
  await page.getByTestId('settings-discard').click();
  await expect(page.getByTestId('no-changes')).toBeVisible();
});

test('a station and a line seen in telemetry are adopted in one step each, and run live on the Overview', async ({ page }) => {
  startTelemetry();
  await openSettings(page);
  await switchTo(page, 'en');
  await signIn(page);
  const stationHint = page.locator('[data-testid="adoption-hint"][data-line="pack-3"][data-station="test"]');
  const lineHint = page.locator('[data-testid="adoption-hint"][data-line="cell-9"][data-station=""]');
  await expect(stationHint).toBeVisible({ timeout: 30_000 });
  await expect(stationHint).toContainText('messages');
  await expect(lineHint).toBeVisible();
  // The new line's target is offered from its units' median interval (2 s).
  await expect(lineHint).toContainText('target takt of 2 s', { timeout: 30_000 });

  await stationHint.getByTestId('adopt').click();
  await expect(stationHint).toHaveAttribute('data-state', 'in-form');
  const pack = page.locator('[data-testid="line-panel"][data-line="pack-3"]');
  await expect(pack.getByTestId('station-row')).toHaveCount(3);
  await expect(pack.getByTestId('field-lines[2].stations[2]')).toHaveValue('test');
  // It is the line's last station: made the output, the units are counted from it.
  await pack.getByTestId('field-lines[2].outputStation').selectOption('test');

  await lineHint.getByTestId('adopt').click();
  const cell = page.locator('[data-testid="line-panel"][data-line="cell-9"]');
  await expect(cell.getByTestId('field-lines[3].targetTaktS')).toHaveValue('2');
  await expect(cell.getByTestId('field-lines[3].outputStation')).toHaveValue(/stack|weld/);
  await expect(page.getByTestId('settings-diff')).toContainText('stations added to pack-3: test');
  await expect(page.getByTestId('settings-diff')).toContainText('line added: cell-9');
  await saveToday(page);
  expect(readFile().lines.map((l: { id: string }) => l.id)).toEqual(['yibin-cell-1', 'yubei-assembly-1', 'pack-3', 'cell-9']);

  await page.getByTestId('nav-overview').click();
  for (const [id, target] of [['pack-3', '30'], ['cell-9', '2']]) {
    const card = page.locator(`[data-testid="line-card"][data-line-id="${id}"]`);
    await expect(card).not.toHaveClass(/unconfigured/);
    await expect(card.getByTestId('target-takt')).toHaveAttribute('data-value', target);
    // Live: the rolling takt of the units published since.
    await expect(card.getByTestId('actual-takt')).toHaveAttribute('data-value', /^\d/, { timeout: 30_000 });
  }
});

test('screenshots of Settings for the README (English and Chinese)', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openSettings(page);
  await switchTo(page, 'en');
  await signIn(page);
  const hint = page.locator('[data-testid="adoption-hint"][data-line="yibin-cell-1"][data-station="sorting"]');
  await expect(hint).toBeVisible({ timeout: 30_000 });
  await hint.getByTestId('adopt').click();
  await expect(page.getByTestId('settings-diff')).toContainText('stations added to yibin-cell-1: sorting');
  await expect(page.getByTestId('check-status')).toHaveAttribute('data-state', 'ok');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, 'settings.png') });
  await switchTo(page, 'zh-CN');
  // The engine's summary (English) said in Chinese, part by part.
  await expect(page.getByTestId('settings-diff')).toContainText('产线 yibin-cell-1 新增工位：sorting');
  await expect(page.getByTestId('check-status')).toHaveAttribute('data-state', 'ok');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, 'settings.zh-CN.png') });
  // Every other section, for the record (artifacts/): an input with a source shows that form too.
  await switchTo(page, 'en');
  await page.getByTestId('tab-inputs').click();
  await page.getByTestId('add-sparkplug').click();
  await page.getByTestId('add-source').click();
  for (const tab of ['shifts', 'calendar', 'reasons', 'alerts', 'feeds', 'inputs', 'broker', 'access', 'plant', 'display', 'history']) {
    await page.getByTestId(`tab-${tab}`).click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join('artifacts', `settings-${tab}.png`) });
  }
  // The light theme, chosen here, applies to every screen of this browser.
  await page.getByTestId('tab-display').click();
  await page.getByTestId('settings-theme').selectOption('light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('tab-lines').click();
  await page.screenshot({ path: path.join('artifacts', 'settings-light.png') });
  await page.getByTestId('nav-overview').click();
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.screenshot({ path: path.join('artifacts', 'overview-light.png') });
});

test('axe: every section of Settings, editable, has no serious or critical violations', async ({ page }) => {
  // Twelve sections, each scanned by axe: over a minute on a loaded 2-core machine.
  test.setTimeout(240_000);
  await openSettings(page);
  await switchTo(page, 'en');
  await signIn(page);
  // Forms with rows in them: an input with a source, a reason, a feed, an override, a break.
  await page.getByTestId('tab-inputs').click();
  await page.getByTestId('add-tags').click();
  await page.getByTestId('add-source').click();
  await page.getByTestId('tab-reasons').click();
  await page.getByTestId('add-reason').click();
  await page.getByTestId('tab-feeds').click();
  await page.getByTestId('add-feed').click();
  await page.getByTestId('tab-alerts').click();
  await page.getByTestId('add-override').click();
  for (const tab of ['lines', 'shifts', 'calendar', 'reasons', 'alerts', 'feeds', 'inputs', 'broker', 'access', 'plant', 'display', 'history']) {
    await page.getByTestId(`tab-${tab}`).click();
    await expect(page.getByTestId(`tab-${tab}`)).toHaveAttribute('aria-current', 'page');
    const result = await new AxeBuilder({ page }).analyze();
    const found = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${tab}: ${v.id}: ${v.help} — ${n.target.join(' ')}`));
    expect(found, found.join('\n')).toEqual([]);
  }
});
