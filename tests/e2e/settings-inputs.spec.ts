// Settings' Inputs offered from what the broker shows (issue 13), against `serve` with a plant file whose one
// Sparkplug input maps a single device: `taktboard simulate --format sparkplug` publishes every station of two
// lines as Sparkplug B edge nodes (group = site, edge node = line, device = station) through mosquitto. A
// supervisor sees the devices no mapping takes offered in the Inputs section with their births' metrics and
// datatypes (the mapped one and the edge nodes' own housekeeping are not), maps one in a click (where it comes
// from, and the line and station named like it, filled in; its metric names offered in the signal fields),
// saves, and sees the line it feeds run live on the Overview.
//
// And in the desktop window (its preload stood in for by one that forwards to serve, with dialogs that answer
// at once), the broker's TLS files are chosen in a file dialog and the configuration goes out and in through the
// save and open dialogs; the browser has no Choose… buttons.
//
// The plant's timezone puts it at about 2 a.m. there, between its shift (06:00–14:00): no production alert
// opens, and a version saved now is effective today. The simulator gets the same lines with an all-day shift of
// its own, so its stations produce whatever the hour.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type Served } from '../helpers/serve.ts';
import { zoneAt } from '../helpers/zones.ts';
import { chromiumMissing } from '../helpers/chromium.ts';
import { requireBinary, startMosquitto } from '../helpers/brokers.ts';
import { switchTo } from '../helpers/page.ts';
import { untilConnected } from '../fixtures/known-day.ts';
import { REQUEST_NAMES } from '../../shared/api.ts';

const missing = chromiumMissing() ?? (requireBinary('mosquitto') ? null : 'mosquitto not found');
test.skip(missing !== null, missing ?? '');
test.describe.configure({ mode: 'serial' });

const ROOT = path.resolve(import.meta.dirname, '../..');
const SITE = 'zigong';
const SUPERVISOR_TOKEN = 'sup-e2e-inputs-7c41d09e';
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

const TIMEZONE = zoneAt(2);
const LINES = [
  { id: 'cell-3', name: 'Cell line 3 · 电芯3线', targetTaktS: 2, outputStation: 'grade', stations: ['stack', 'grade'] },
  { id: 'pack-1', name: 'Pack line 1 · 模组1线', targetTaktS: 2, outputStation: 'test', stations: ['press', 'test'] },
];
// The simulator's metric names (main/core/simulator/formats.ts).
const PARTS = 'Production/PartCount';

let served: Served;
let broker: Awaited<ReturnType<typeof startMosquitto>>;
let cfgFile: string;
let simulator: ChildProcess | null = null;
let simOutput = '';

test.beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taktboard-e2e-settings-inputs-'));
  cfgFile = path.join(dir, 'plant.json');
  broker = await startMosquitto();
  writeFileSync(
    cfgFile,
    JSON.stringify(
      {
        site: SITE,
        timezone: TIMEZONE,
        broker: { url: broker.url, clientId: 'taktboard-e2e-settings-inputs' },
        lines: LINES,
        shifts: [{ name: 'Early', start: '06:00', end: '14:00' }],
        inputs: [
          {
            id: 'gateways',
            kind: 'sparkplug',
            groups: [SITE],
            // One device of the four the simulator publishes.
            sources: [{ group: SITE, node: 'cell-3', device: 'grade', line: 'cell-3', station: 'grade', signals: { partCounter: PARTS } }],
          },
        ],
        access: { tokens: [{ name: 'integrator', role: 'supervisor', sha256: sha(SUPERVISOR_TOKEN) }] },
      },
      null,
      2,
    ),
  );
  served = await startServe(['--config', cfgFile, '--db', path.join(dir, 'plant.sqlite')]);
  // Subscribed before the edge nodes are born: their births (names, aliases, datatypes) are seen.
  await untilConnected(served.url);
  const simFile = path.join(dir, 'simulated.json');
  writeFileSync(simFile, JSON.stringify({ site: SITE, timezone: TIMEZONE, lines: LINES, shifts: [{ name: 'All day', start: '00:00', end: '00:00' }] }));
  simulator = spawn(process.execPath, [path.join(ROOT, 'bin', 'taktboard.mjs'), 'simulate', '--format', 'sparkplug', '--broker', broker.url, '--config', simFile, '--seed', '7'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  simulator.stdout!.on('data', (d) => (simOutput += d));
  simulator.stderr!.on('data', (d) => (simOutput += d));
});

test.afterAll(async () => {
  if (simulator && simulator.exitCode === null && simulator.signalCode === null) {
    const exited = new Promise((r) => simulator!.once('exit', r));
    simulator.kill('SIGTERM');
    await exited;
  }
  await served?.stop();
  await broker?.stop();
});

async function signIn(page: Page) {
  await page.getByTestId('settings-sign-in').click();
  await page.getByTestId('login-token').fill(SUPERVISOR_TOKEN);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('settings-editable')).toBeVisible();
}

const offer = (page: Page, source: string) => page.locator(`[data-testid="input-offer"][data-source="${source}"]`);

test('the devices the broker shows and no mapping takes are offered with their metrics; one mapped runs live on the Overview', async ({ page }) => {
  // Before: the line fed by no mapping has no takt on the Overview, the mapped one has.
  await page.goto(served.url + '#/overview');
  await switchTo(page, 'en');
  const card = (id: string) => page.locator(`[data-testid="line-card"][data-line-id="${id}"]`);
  await expect(card('cell-3').getByTestId('actual-takt')).toHaveAttribute('data-value', /^\d/, { timeout: 60_000 });
  await expect(card('pack-1').getByTestId('actual-takt')).toHaveAttribute('data-value', '');

  await page.goto(served.url + '#/settings');
  await expect(page.getByTestId('settings-screen')).toBeVisible();
  await page.getByTestId('tab-inputs').click();
  // Read-only without a token, the offers are shown all the same (Diagnostics is a read).
  await expect(offer(page, `${SITE}/pack-1/test`)).toBeVisible({ timeout: 30_000 });
  await expect(offer(page, `${SITE}/pack-1/test`).getByTestId('offer-map')).toBeDisabled();
  await signIn(page);
  await page.getByTestId('tab-inputs').click();

  const offers = page.getByTestId('input-offers');
  await expect(offers).toContainText('Seen on the broker, not mapped (3)');
  await expect(page.getByTestId('input-offer')).toHaveCount(3);
  for (const source of [`${SITE}/cell-3/stack`, `${SITE}/pack-1/press`, `${SITE}/pack-1/test`]) await expect(offer(page, source)).toBeVisible();
  // The mapped device is not offered, nor an edge node's own birth (bdSeq, Node Control/Rebirth).
  await expect(offer(page, `${SITE}/cell-3/grade`)).toHaveCount(0);
  await expect(offer(page, `${SITE}/cell-3`)).toHaveCount(0);
  const signals = offer(page, `${SITE}/pack-1/test`).getByTestId('input-offer-signals');
  await expect(signals).toContainText(`${PARTS} (UInt64)`);
  await expect(signals).toContainText('Status/State (Int32)');
  await expect(signals).toContainText('Production/CycleTimeMs (Double)');
  await page.screenshot({ path: path.join('artifacts', 'settings-inputs-offers.png'), fullPage: true });
  const axe = await new AxeBuilder({ page }).include('[data-testid="section-inputs"]').analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.nodes.map((n) => `${v.id}: ${v.help} — ${n.target.join(' ')}`));
  expect(serious, serious.join('\n')).toEqual([]);

  await offer(page, `${SITE}/pack-1/test`).getByTestId('offer-map').click();
  await expect(page.getByTestId('input-source')).toHaveCount(2);
  await expect(page.getByTestId('input-offer')).toHaveCount(2);
  await expect(page.getByTestId('field-inputs[0].sources[1].group')).toHaveValue(SITE);
  await expect(page.getByTestId('field-inputs[0].sources[1].node')).toHaveValue('pack-1');
  await expect(page.getByTestId('field-inputs[0].sources[1].device')).toHaveValue('test');
  // Named like a configured line and one of its stations: that line and station, to check.
  await expect(page.getByTestId('field-inputs[0].sources[1].line')).toHaveValue('pack-1');
  await expect(page.getByTestId('field-inputs[0].sources[1].station')).toHaveValue('test');
  // The part counter is the integrator's choice (refused until made), from the device's metrics offered.
  const counter = page.getByTestId('field-inputs[0].sources[1].signals.partCounter');
  await expect(counter).toHaveValue('');
  await expect(page.getByTestId('check-status')).toHaveAttribute('data-state', 'problems');
  const list = await counter.getAttribute('list');
  expect(list).toBeTruthy();
  const offered = await page.locator(`datalist[id="${list}"] option`).evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, (o as HTMLOptionElement).label]));
  expect(offered).toEqual(expect.arrayContaining([[PARTS, 'UInt64'], ['Status/State', 'Int32']]));
  await counter.fill(PARTS);

  await expect(page.getByTestId('check-status')).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('effective-today')).toBeVisible();
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  await expect(page.getByTestId('no-changes')).toBeVisible();
  const saved = JSON.parse(readFileSync(cfgFile, 'utf8'));
  expect(saved.inputs[0].sources).toEqual([
    expect.objectContaining({ node: 'cell-3', device: 'grade' }),
    expect.objectContaining({ group: SITE, node: 'pack-1', device: 'test', line: 'pack-1', station: 'test', signals: expect.objectContaining({ partCounter: PARTS }) }),
  ]);
  // Mapped now by the running configuration too: no longer offered.
  await expect(offer(page, `${SITE}/pack-1/test`)).toHaveCount(0, { timeout: 20_000 });

  await page.getByTestId('nav-overview').click();
  // Live: the rolling takt of the units the device has counted since.
  await expect(card('pack-1').getByTestId('actual-takt')).toHaveAttribute('data-value', /^\d/, { timeout: 60_000 });
  expect(simulator?.exitCode ?? null, simOutput).toBeNull();
});

/** Stands in for the desktop preload (`window.taktboard`): requests go to serve as the supervisor, dialogs answer at once. */
async function asDesktop(page: Page, importText: string) {
  await page.addInitScript(
    ({ token, names, importText }) => {
      const calls: unknown[][] = [];
      const rpc = (name: string) => async (args: unknown) => {
        const r = await fetch(`/api/rpc/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(args ?? {}) });
        const body = await r.json();
        if (!r.ok) throw { message: body.error, words: body.words ?? null };
        return body;
      };
      const api: Record<string, unknown> = Object.fromEntries(names.map((n) => [n, rpc(n)]));
      Object.assign(api, {
        getSettings: async () => ({ path: '/home/plant/.config/Taktboard/config.json', configText: '{}', passwordStored: false, passwordUnavailable: null }),
        saveSettings: async () => ({ ok: true }),
        saveDailyCsv: async () => ({ savedTo: null }),
        saveStopsCsv: async () => ({ savedTo: null }),
        pickFile: async ({ purpose }: { purpose: string }) => (calls.push(['pickFile', purpose]), purpose === 'key' ? null : { path: `/etc/plant/tls/${purpose}.pem` }),
        exportConfigFile: async () => (calls.push(['exportConfigFile']), { savedTo: '/home/plant/Documents/taktboard-config-zigong.json' }),
        importConfigFile: async () => (calls.push(['importConfigFile']), { name: 'from-pc-2.json', text: importText }),
        on: () => () => {},
      });
      (window as unknown as { taktboard: unknown; desktopCalls: unknown[][] }).taktboard = api;
      (window as unknown as { desktopCalls: unknown[][] }).desktopCalls = calls;
    },
    { token: SUPERVISOR_TOKEN, names: [...REQUEST_NAMES], importText },
  );
}

test('in the desktop window TLS files are chosen in a file dialog, and the configuration exported and imported through dialogs', async ({ page }) => {
  // The browser: paths typed, on the server's machine; no dialog.
  await page.goto(served.url + '#/settings');
  await switchTo(page, 'en');
  await page.getByTestId('tab-broker').click();
  await expect(page.getByTestId('field-broker.ca')).toBeVisible();
  await expect(page.getByTestId('choose-broker.ca')).toHaveCount(0);
  await expect(page.getByTestId('section-broker')).toContainText('not on this browser’s computer');

  const file = JSON.parse(readFileSync(cfgFile, 'utf8'));
  await asDesktop(page, '\uFEFF' + JSON.stringify({ ...file, access: undefined, lines: file.lines.map((l: { id: string }) => (l.id === 'pack-1' ? { ...l, name: 'Pack line 1 (from PC 2)' } : l)) }, null, 2));
  await page.reload();
  await expect(page.getByTestId('settings-editable')).toBeVisible();
  await page.getByTestId('tab-broker').click();
  const ca = page.getByTestId('field-broker.ca');
  await page.getByTestId('choose-broker.ca').click();
  await expect(ca).toHaveValue('/etc/plant/tls/ca.pem');
  // The path stays editable; a cancelled dialog changes nothing.
  await ca.fill('/etc/plant/tls/other-ca.pem');
  await expect(ca).toHaveValue('/etc/plant/tls/other-ca.pem');
  await page.getByTestId('choose-broker.key').click();
  await expect(page.getByTestId('field-broker.key')).toHaveValue('');
  await page.getByTestId('choose-broker.cert').click();
  await expect(page.getByTestId('field-broker.cert')).toHaveValue('/etc/plant/tls/cert.pem');
  await expect(page.getByTestId('section-broker')).toContainText('Choose… opens a file dialog');
  await page.getByTestId('section-broker').screenshot({ path: path.join('artifacts', 'settings-broker-desktop.png') });

  // Export: the save dialog (no browser download), and where it went.
  let downloaded = false;
  page.on('download', () => (downloaded = true));
  await page.getByTestId('settings-export').click();
  await expect(page.getByTestId('import-notice')).toContainText('The configuration was saved to /home/plant/Documents/taktboard-config-zigong.json.');
  // Import: the open dialog's file loaded into the form, to check and save as usual; the tokens kept.
  await page.getByTestId('settings-import').click();
  await expect(page.getByTestId('import-notice')).toContainText('Loaded from-pc-2.json into the form.');
  await expect(page.getByTestId('import-notice')).toContainText('The file has no access tokens: the current ones are kept.');
  await page.getByTestId('tab-lines').click();
  await expect(page.locator('[data-testid="line-panel"][data-line="pack-1"]').getByTestId('field-lines[1].name')).toHaveValue('Pack line 1 (from PC 2)');
  expect(downloaded).toBe(false);
  expect(await page.evaluate(() => (window as unknown as { desktopCalls: unknown[][] }).desktopCalls)).toEqual([['pickFile', 'ca'], ['pickFile', 'key'], ['pickFile', 'cert'], ['exportConfigFile'], ['importConfigFile']]);
});
