// The operator's word in the browser (issue 10 items 2 and 3): History's losses of a past shift, a stop
// coded in the UI — refused without a token (the login box), refused with a viewer's (too low a role), taken
// with an operator's — then seen in the stops table, in the exported stops file (the same bytes as
// GET /api/export/stops.csv) and as the daily CSV's top_down_reason; the handover note; the Line screen's
// open stop and the trend's marks of small and unreported stops.
//
// Independent of when it runs: the shift reviewed is on a fixed date in the past (raw events kept ten years),
// and the live part only needs a station down now, which the open stop shows whatever the time of day.
// SCREENSHOTS=docs writes the README's screenshots to docs/ (1440×900); otherwise they go to artifacts/.
import { test, expect, type Page } from '@playwright/test';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { startServe, type Served } from '../helpers/serve.ts';
import { chromiumMissing } from '../helpers/chromium.ts';
import { scrollUnderHeader, switchTo } from '../helpers/page.ts';
import { requireBinary, startMosquitto } from '../helpers/brokers.ts';
import { untilConnected } from '../fixtures/known-day.ts';
import { createRng } from '../../main/core/simulator/prng.ts';

const missing = chromiumMissing() ?? (requireBinary('mosquitto') ? null : 'mosquitto not found');
test.skip(missing !== null, missing ?? '');
// The screenshots show the stops the first test codes.
test.describe.configure({ mode: 'serial' });

const SHOTS = process.env.SCREENSHOTS === 'docs' ? 'docs' : 'artifacts';
const DATE = '2026-11-24';
const TZ = 'Asia/Shanghai';
const LINE = 'pack-2';
const OPERATOR_TOKEN = 'op-e2e-7f3a91c2';
const VIEWER_TOKEN = 'wall-e2e-2b9c04d8';
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

const config = {
  site: 'zigong',
  timezone: TZ,
  retention: { rawDays: 3650 },
  broker: { clientId: 'taktboard-e2e-stops', protocolVersion: 5 },
  lines: [{ id: LINE, name: 'Pack line 2', targetTaktS: 30, outputStation: 'test', stations: ['load', 'weld', 'test'] }],
  shifts: [{ name: 'Day', start: '08:00', end: '16:00', breaks: [{ start: '12:00', end: '12:30' }] }],
  reasons: [
    { code: 'MAT', label: 'Material shortage', labelZh: '缺料', kind: 'down' },
    { code: 'TOOL', label: 'Tool change', labelZh: '换刀具', kind: 'down' },
    { code: 'QA-HOLD', label: 'Quality hold', labelZh: '质量暂停', kind: 'down' },
    { code: 'WELD-TIP', label: 'Weld tip worn', labelZh: '焊头磨损', kind: 'down' },
    { code: 'leak', label: 'Leak test failed', labelZh: '气密不良', kind: 'reject' },
    { code: 'torque', label: 'Torque out of range', labelZh: '扭矩超差', kind: 'reject' },
    { code: 'label', label: 'Label unreadable', labelZh: '标签无法识别', kind: 'reject' },
  ],
  access: {
    tokens: [
      { name: 'line-lead', role: 'operator', sha256: sha(OPERATOR_TOKEN) },
      { name: 'hall-wall', role: 'viewer', sha256: sha(VIEWER_TOKEN) },
    ],
  },
};

const at = (hms: string) => Date.parse(`${DATE}T${hms}+08:00`);
/** The known down periods of the shift; the load one (no reason, the longest) is the one the operator codes. */
const DOWNS = [
  { station: 'weld', from: '09:12:00', to: '09:24:00', reason: 'WELD-TIP' },
  { station: 'load', from: '10:05:00', to: '10:35:00' },
  { station: 'test', from: '13:40:00', to: '13:52:00', reason: 'E-STOP' },
  { station: 'weld', from: '14:30:00', to: '14:36:00', reason: 'WELD-TIP' },
  { station: 'load', from: '15:10:00', to: '15:14:00', reason: 'JAM' },
];
/** No unit and no station down for longer than stopAfterS (150 s): unreported stops. */
const STANDSTILLS = [
  ['11:00:00', '11:07:00'],
  ['15:40:00', '15:45:00'],
];
const CODED_COMMENT = 'Cell cart empty, waited for the forklift';

type Msg = { station: string; event: 'cycle' | 'state'; body: Record<string, unknown> };

/** The Day shift at a 30 s target: mostly on target, some slow cycles and small stops, rejects with reasons. */
function shiftMessages(): Msg[] {
  // Seeded, so the day (and the screenshots) are the same on every run.
  const rnd = createRng(20261124);
  const msgs: Msg[] = [];
  for (const station of ['load', 'weld', 'test']) msgs.push({ station, event: 'state', body: { ts: at('07:55:00'), state: 'running' } });
  for (const d of DOWNS) {
    msgs.push({ station: d.station, event: 'state', body: { ts: at(d.from), state: 'down', ...(d.reason ? { reason: d.reason } : {}) } });
    msgs.push({ station: d.station, event: 'state', body: { ts: at(d.to), state: 'running' } });
  }
  const blocked = [...DOWNS.map((d) => [at(d.from), at(d.to)]), ...STANDSTILLS.map(([a, b]) => [at(a), at(b)]), [at('12:00:00'), at('12:30:00')]];
  const rejectReasons = ['leak', 'leak', 'leak', 'torque', 'torque', 'label'];
  for (let t = at('08:00:05'); t < at('16:00:00'); ) {
    const hit = blocked.find(([s, e]) => t >= s && t < e);
    if (hit) {
      t = hit[1] + 15_000 + Math.floor(rnd() * 10_000);
      continue;
    }
    const ng = rnd() < 0.04;
    msgs.push({ station: 'test', event: 'cycle', body: { ts: t, cycle_ms: 24_000 + Math.floor(rnd() * 4000), ...(ng ? { result: 'ng', reason: rejectReasons[Math.floor(rnd() * rejectReasons.length)] } : {}) } });
    const r = rnd();
    const stepS = r < 0.82 ? 26 + rnd() * 4 : r < 0.94 ? 31 + rnd() * 27 : 65 + rnd() * 75;
    t += Math.round(stepS * 1000);
  }
  return msgs;
}

async function publish(brokerUrl: string, msgs: Msg[], boot: string): Promise<number> {
  const pub = await mqtt.connectAsync(brokerUrl, { clientId: `stops-pub-${boot}-${process.pid}`, protocolVersion: 5 });
  const seq = new Map<string, number>();
  for (const m of msgs) {
    const n = (seq.get(m.station) ?? 0) + 1;
    seq.set(m.station, n);
    await pub.publishAsync(`factory/zigong/${LINE}/${m.station}/${m.event}`, JSON.stringify({ seq: n, boot, ...m.body }), { qos: 1 });
  }
  await pub.endAsync();
  return msgs.length;
}

async function untilStored(url: string, count: number): Promise<void> {
  for (let i = 0; ; i++) {
    const live = await (await fetch(url + 'api/live')).json();
    if (live.counters.stored >= count) return;
    if (i > 200) throw new Error(`only ${live.counters.stored} of ${count} messages stored`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let served: Served;
let broker: Awaited<ReturnType<typeof startMosquitto>>;
let published = 0;

test.beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taktboard-e2e-stops-'));
  const cfgFile = path.join(dir, 'plant.json');
  writeFileSync(cfgFile, JSON.stringify(config));
  broker = await startMosquitto();
  served = await startServe(['--config', cfgFile, '--db', path.join(dir, 'plant.sqlite'), '--broker', broker.url]);
  await untilConnected(served.url);
  published += await publish(broker.url, shiftMessages(), 'day');
  await untilStored(served.url, published);
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync('artifacts', { recursive: true });
});

test.afterAll(async () => {
  await served?.stop();
  await broker?.stop();
});

async function openShift(page: Page) {
  await page.goto(served.url + '#/history');
  await expect(page.getByTestId('history-screen')).toBeVisible();
  await page.getByTestId('history-date').fill(DATE);
  await page.getByTestId('history-shift').selectOption('Day');
  const line = page.locator(`[data-testid="history-line"][data-line-id="${LINE}"]`);
  await expect(page.getByTestId('history-status')).toHaveAttribute('data-status', 'complete');
  await expect(line.getByTestId('stop-row')).toHaveCount(DOWNS.length + STANDSTILLS.length);
  return line;
}

const csvRow = (csv: string, prefix: string) => csv.split('\r\n').find((l) => l.startsWith(prefix));

test('History: the losses of a past shift, a stop coded in the UI after the login box, and the same code in both CSVs', async ({ page }) => {
  const line = await openShift(page);

  // The loss view: the waterfall (units and time), the Paretos with their sources in words, the stops.
  const waterfall = line.getByTestId('loss-waterfall');
  await expect(waterfall).toHaveAttribute('data-mode', 'units');
  await expect(waterfall.getByTestId('waterfall-table').locator('tr[data-step="planned"]')).toHaveAttribute('data-value', '900');
  await waterfall.getByTestId('waterfall-time').click();
  await expect(waterfall).toHaveAttribute('data-mode', 'time');
  await expect(waterfall.getByTestId('waterfall-table').locator('tr[data-step="planned"] td')).toHaveText('7:30:00');
  await expect(waterfall.getByTestId('waterfall-table').locator('tr[data-step="downtime"] td')).toHaveText('1:04:00');
  await expect(line.getByTestId('down-pareto-legend')).toContainText('Machine');
  await expect(line.getByTestId('down-pareto-legend')).toContainText('Not given');
  await expect(line.getByTestId('reject-pareto')).toBeVisible();
  const before = await (await fetch(`${served.url}api/export/daily.csv?date=${DATE}`)).text();
  expect(csvRow(before, `${DATE},Day,${LINE},`)!.endsWith(',unspecified,1800.0')).toBe(true);

  // Filters: the load station's stops, then the one without a reason.
  await line.getByTestId('stops-filter-station').selectOption('load');
  await expect(line.getByTestId('stop-row')).toHaveCount(2);
  await line.getByTestId('stops-filter-source').selectOption('none');
  const row = line.locator('[data-testid="stop-row"][data-station="load"]');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-start', String(at('10:05:00')));
  await expect(row.getByTestId('stop-duration')).toHaveText('0:30:00');

  // Two clicks: "code this stop", then the reason (the comment typed before it).
  await row.getByTestId('stop-code').click();
  const picker = line.getByTestId('code-picker');
  await expect(picker.getByTestId('code-reason')).toHaveCount(4);
  await picker.getByTestId('code-comment').fill(CODED_COMMENT);
  await picker.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'artifacts/stops-code-picker.png' });
  await picker.locator('[data-testid="code-reason"][data-code="MAT"]').click();

  // No token: refused (401), the login box asks for one, for this browser session only.
  const box = page.getByTestId('login-box');
  await expect(box).toBeVisible();
  await expect(box).toHaveAttribute('data-reason', 'required');
  await expect(box).toContainText('Operator or supervisor token');
  await expect(box).toContainText('Kept for this browser session only');
  // A token the server does not know is not kept.
  await box.getByTestId('login-token').fill('not-a-token');
  await box.getByTestId('login-submit').click();
  await expect(box.getByTestId('login-problem')).toHaveText('This token is not recognised.');
  // A viewer's token is recognised, but its role is too low (403): said in words, and another can be given.
  await box.getByTestId('login-token').fill(VIEWER_TOKEN);
  await box.getByTestId('login-submit').click();
  await expect(box).toHaveAttribute('data-reason', 'role');
  await expect(box.getByTestId('login-role-too-low')).toContainText('too low a role');
  await expect(box.getByTestId('login-role-too-low')).toContainText('operator');
  await page.screenshot({ path: 'artifacts/stops-login-role.png' });
  await box.getByTestId('login-token').fill(OPERATOR_TOKEN);
  await box.getByTestId('login-submit').click();
  await expect(box).toHaveCount(0);
  expect(await page.evaluate(() => sessionStorage.getItem('taktboard.token'))).toBe(OPERATOR_TOKEN);
  expect(await page.evaluate(() => localStorage.getItem('taktboard.token'))).toBeNull();
  await expect(page.getByTestId('session-status')).toContainText('Signed in for this session');

  // The table shows the operator's reason, source and who; the filter on "none" no longer matches it.
  await expect(line.getByTestId('stops-coded')).toContainText('Material shortage');
  await line.getByTestId('stops-filter-source').selectOption('operator');
  const coded = line.locator('[data-testid="stop-row"][data-station="load"][data-source="operator"]');
  await expect(coded).toHaveCount(1);
  await expect(coded.getByTestId('stop-reason')).toContainText('Material shortage');
  await expect(coded.getByTestId('stop-reason')).toContainText('MAT');
  await expect(coded.getByTestId('stop-source')).toContainText('Operator');
  await expect(coded.getByTestId('stop-coded-by')).toHaveText('line-lead');
  await expect(coded.getByTestId('stop-comment')).toHaveText(CODED_COMMENT);
  await expect(line.getByTestId('fig-topDownReason')).toHaveAttribute('data-value', 'MAT');

  // Export stops: the download's bytes are GET /api/export/stops.csv's, and hold the operator's code.
  const [stopsDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('history-export-stops').click()]);
  const stopsBytes = readFileSync((await stopsDownload.path())!);
  const stopsApi = Buffer.from(await (await fetch(`${served.url}api/export/stops.csv?date=${DATE}`)).arrayBuffer());
  expect(Buffer.compare(stopsBytes, stopsApi)).toBe(0);
  expect(stopsDownload.suggestedFilename()).toBe(`taktboard-stops-${DATE}.csv`);
  expect(csvRow(stopsBytes.toString('utf8').replace(/^\uFEFF/, ''), `${DATE},Day,${LINE},load,down,${DATE}T10:05:00.000+08:00`)).toBe(
    `${DATE},Day,${LINE},load,down,${DATE}T10:05:00.000+08:00,${DATE}T10:35:00.000+08:00,1800.0,MAT,operator,"${CODED_COMMENT}"`,
  );
  // The daily CSV: its top_down_reason is now the operator's reason (the same download as the API's).
  const [dailyDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('history-export').click()]);
  const dailyBytes = readFileSync((await dailyDownload.path())!);
  const dailyApi = Buffer.from(await (await fetch(`${served.url}api/export/daily.csv?date=${DATE}`)).arrayBuffer());
  expect(Buffer.compare(dailyBytes, dailyApi)).toBe(0);
  const daily = dailyBytes.toString('utf8').replace(/^\uFEFF/, '').split('\r\n');
  const header = daily[0].split(',');
  const dayRow = csvRow(daily.join('\r\n'), `${DATE},Day,${LINE},`)!.split(',');
  expect(dayRow[header.indexOf('top_down_reason')]).toBe('MAT');
  expect(dayRow[header.indexOf('top_down_reason_s')]).toBe('1800.0');

  // An unreported stop (no station) coded with free text, now without a login box: the session keeps the token.
  await line.getByTestId('stops-clear-filters').click();
  await line.getByTestId('stops-filter-kind').selectOption('unreported_stop');
  const unreported = line.locator('[data-testid="stop-row"][data-kind="unreported_stop"]').first();
  await unreported.getByTestId('stop-code').click();
  await line.getByTestId('code-free').fill('Waiting for the crane');
  await line.getByTestId('code-free-save').click();
  await expect(line.locator('[data-testid="stop-row"][data-kind="unreported_stop"][data-source="operator"]')).toHaveCount(1);
  await expect(page.getByTestId('login-box')).toHaveCount(0);

  // The handover note: written by the operator, shown with who and when.
  const note = line.getByTestId('shift-note');
  await expect(note.getByTestId('shift-note-empty')).toBeVisible();
  await note.getByTestId('shift-note-edit').click();
  await note.getByTestId('shift-note-text').fill('Load station short of cells twice; MAT coded. Weld tips changed at 14:36.');
  await note.getByTestId('shift-note-save').click();
  await expect(note.getByTestId('shift-note-body')).toHaveText('Load station short of cells twice; MAT coded. Weld tips changed at 14:36.');
  await expect(note.getByTestId('shift-note-by')).toContainText('line-lead');
  await note.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'artifacts/stops-note.png' });

  // Sign out: the token is gone from the session, and the next write asks again.
  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('session-status')).toHaveCount(0);
  expect(await page.evaluate(() => sessionStorage.getItem('taktboard.token'))).toBeNull();
  await note.getByTestId('shift-note-edit').click();
  await note.getByTestId('shift-note-save').click();
  await expect(page.getByTestId('login-box')).toHaveAttribute('data-reason', 'required');
  await page.getByTestId('login-cancel').click();
  await expect(note.getByTestId('shift-note-error')).toContainText('needs a token of the operator role');
});

test('Line: the open stop is listed and coded there, and the trend marks small and unreported stops', async ({ page }) => {
  // Now: units at the target, a 100 s gap (a small stop), a 200 s gap (an unreported stop), then weld down.
  const now = Date.now();
  const live: Msg[] = [];
  let t = now - 14 * 60_000;
  const unit = () => live.push({ station: 'test', event: 'cycle', body: { ts: t, cycle_ms: 25_000 } });
  for (let i = 0; i < 6; i++, t += 30_000) unit();
  t += 70_000; // the last step of the loop and this: a 100 s interval
  for (let i = 0; i < 6; i++, t += 30_000) unit();
  t += 170_000; // a 200 s interval
  while (t < now - 120_000) {
    unit();
    t += 30_000;
  }
  const since = now - 60_000;
  live.push({ station: 'weld', event: 'state', body: { ts: since, state: 'down', reason: 'WELD-TIP' } });
  published += await publish(broker.url, live, `live-${now}`);
  await untilStored(served.url, published);

  await page.goto(`${served.url}#/line/${LINE}`);
  const open = page.getByTestId('open-stop');
  await expect(open).toBeVisible();
  await expect(open).toHaveAttribute('data-station', 'weld');
  await expect(open.getByTestId('open-stop-what')).toHaveText('Station weld is down');
  await expect(open.getByTestId('open-stop-reason')).toContainText('Weld tip worn');
  await expect(open.getByTestId('open-stop-reason')).toContainText('Machine');

  const legend = page.getByTestId('trend-legend');
  await expect(legend.locator('[data-mark="small_stop"]')).toHaveAttribute('data-count', '1');
  await expect(legend.locator('[data-mark="unreported_stop"]')).toHaveAttribute('data-count', '1');
  await expect(legend).toContainText('Small stop');
  await expect(legend).toContainText('Unreported stop');
  await expect(page.getByTestId('trend-chart').locator('.recharts-reference-area')).toHaveCount(2);

  // A fresh browser session: the login box again, then the code goes through.
  await open.getByTestId('open-stop-code').click();
  await open.locator('[data-testid="code-reason"][data-code="TOOL"]').click();
  await expect(page.getByTestId('login-box')).toHaveAttribute('data-reason', 'required');
  await page.getByTestId('login-token').fill(OPERATOR_TOKEN);
  await page.getByTestId('login-submit').click();
  await expect(open.getByTestId('open-stop-coded')).toContainText('Tool change');
  await expect(open.getByTestId('open-stop-reason')).toContainText('Operator');
  const diag = await (await fetch(`${served.url}api/rpc/diagnostics`, { method: 'POST', body: '{}' })).json();
  expect(diag.writes[0]).toMatchObject({ who: 'line-lead', action: 'codeStop', outcome: 'ok', target: { line: LINE, station: 'weld', start: since, reason: 'TOOL' } });
  await page.screenshot({ path: 'artifacts/line-open-stop.png' });
});

test('screenshots of the loss view for the README, in English and Chinese', async ({ page }) => {
  const line = await openShift(page);
  await expect(line.locator('[data-testid="stop-row"][data-source="operator"]').first()).toBeVisible();
  await scrollUnderHeader(page, 'losses');
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(SHOTS, 'history-losses.png') });

  await switchTo(page, 'zh-CN');
  await expect(line.getByTestId('down-pareto-legend')).toContainText('设备');
  await expect(line.getByTestId('stops-table')).toContainText('缺料');
  await expect(line.getByTestId('stops-table')).toContainText('操作员');
  await expect(line.getByTestId('loss-waterfall')).toContainText('慢节拍');
  await scrollUnderHeader(page, 'losses');
  await page.screenshot({ path: path.join(SHOTS, 'history-losses.zh-CN.png') });
  await switchTo(page, 'en');
});
