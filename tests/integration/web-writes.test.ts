// The operator's word over HTTP (CONTRACT §6.2, RELIABILITY row 36): writes need a token of their role;
// without one 401, with too low a role 403, nothing changed and the attempt audited; with the right one the
// code lands in the stops CSV, the daily CSV's top_down_reason and History, and Diagnostics lists it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import mqtt from 'mqtt';
import { addDays, localDate } from '../../shared/shifts.ts';
import { requireBinary, startMosquitto } from '../helpers/brokers.ts';
import { useTempDirs } from '../helpers/tmp.ts';
import { startServe, type Served } from '../helpers/serve.ts';
import { untilConnected } from '../fixtures/known-day.ts';

const tempDir = useTempDirs();
const hasMosquitto = requireBinary('mosquitto');
const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const TZ = 'Asia/Shanghai';
const config = {
  site: 'zigong',
  timezone: TZ,
  broker: { clientId: 'taktboard-it-writes', protocolVersion: 5 },
  lines: [{ id: 'cell-3', name: '电芯3线', targetTaktS: 10, outputStation: 'grade', stations: ['stack', 'grade'] }],
  shifts: [{ name: 'Day', start: '00:00', end: '00:00' }],
  reasons: [{ code: 'MAT', label: 'Material shortage', labelZh: '缺料', kind: 'down' }],
  alerts: { downAfterS: 1 },
  access: {
    tokens: [
      { name: 'wall', role: 'viewer', sha256: sha('view-secret') },
      { name: 'line-lead', role: 'operator', sha256: sha('op-secret') },
      { name: 'planner', role: 'supervisor', sha256: sha('sup-secret') },
    ],
  },
};

describe.skipIf(!hasMosquitto)('writes, roles and tokens over HTTP', () => {
  const dir = tempDir('web-writes');
  const cfgFile = path.join(dir, 'plant.json');
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let served: Served;
  // Yesterday 10:00 local: a finished day, so every figure is complete.
  const date = addDays(localDate(TZ, Date.now()), -1);
  const at = (hhmmss: string) => Date.parse(`${date}T${hhmmss}+08:00`);
  const downAt = at('10:00:00');

  const post = (name: string, body: unknown, token?: string) =>
    fetch(`${served.url}api/rpc/${name}`, { method: 'POST', body: JSON.stringify(body), headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const code = { line: 'cell-3', station: 'stack', start: downAt, reason: 'MAT', comment: 'coil empty, waited for the forklift' };

  beforeAll(async () => {
    writeFileSync(cfgFile, JSON.stringify(config));
    broker = await startMosquitto();
    served = await startServe(['--config', cfgFile, '--db', path.join(dir, 'plant.sqlite'), '--broker', broker.url]);
    await untilConnected(served.url);
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'writes-pub', protocolVersion: 5 });
    let seq = 0;
    const send = (station: string, event: string, body: object) => pub.publishAsync(`factory/zigong/cell-3/${station}/${event}`, JSON.stringify({ seq: seq++, ...body }), { qos: 1 });
    for (let t = at('09:50:00'); t < at('10:00:00'); t += 10_000) await send('grade', 'cycle', { ts: t });
    await send('stack', 'state', { ts: downAt, state: 'down', reason: 'E-STOP' });
    await send('stack', 'state', { ts: at('10:05:00'), state: 'running' });
    for (let t = at('10:05:10'); t < at('10:10:00'); t += 10_000) await send('grade', 'cycle', { ts: t });
    await pub.endAsync();
    for (let i = 0; ; i++) {
      const live = await (await fetch(`${served.url}api/live`)).json();
      if (live.counters.stored >= seq) break;
      if (i > 100) throw new Error('telemetry never stored');
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);
  afterAll(async () => {
    await served?.stop();
    await broker?.stop();
  });

  it('refuses a write without a token (401), with a wrong one (401) and with too low a role (403), and changes nothing', async () => {
    const stopsBefore = await (await fetch(`${served.url}api/export/stops.csv?date=${date}`)).text();
    const none = await post('codeStop', code);
    expect(none.status).toBe(401);
    expect((await none.json()).error).toMatch(/codeStop changes what the plant records: it needs a token of the operator role/);
    expect((await post('codeStop', code, 'guess')).status).toBe(401);
    const viewer = await post('codeStop', code, 'view-secret');
    expect(viewer.status).toBe(403);
    expect((await viewer.json()).error).toBe('codeStop needs the operator role; the token "wall" has the viewer role');
    const operatorOnSupervisorWork = await post('applyConfig', { config, effectiveFrom: date }, 'op-secret');
    expect(operatorOnSupervisorWork.status).toBe(403);
    expect(await (await fetch(`${served.url}api/export/stops.csv?date=${date}`)).text()).toBe(stopsBefore);
    // Reads stay open on loopback, and a viewer token reads too.
    expect((await fetch(`${served.url}api/live`)).status).toBe(200);
    expect((await fetch(`${served.url}api/live`, { headers: { Authorization: 'Bearer view-secret' } })).status).toBe(200);

    const diag = await (await post('diagnostics', {})).json();
    const refused = diag.writes.filter((w: { outcome: string }) => w.outcome === 'refused');
    expect(refused.map((w: { who: string; action: string }) => `${w.who}:${w.action}`)).toEqual(
      expect.arrayContaining(['anonymous:codeStop', 'unknown token:codeStop', 'wall:codeStop', 'line-lead:applyConfig']),
    );
  });

  it('takes an operator code: the stops CSV, the daily CSV and History show the operator\'s reason', async () => {
    const stopsBefore = await (await fetch(`${served.url}api/export/stops.csv?date=${date}`)).text();
    expect(stopsBefore).toContain(',stack,down,');
    expect(stopsBefore).toContain(',E-STOP,machine,');

    const ok = await post('codeStop', code, 'op-secret');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true });

    const stops = await (await fetch(`${served.url}api/export/stops.csv?date=${date}`)).text();
    const row = stops.split('\r\n').find((l) => l.includes(',stack,down,'))!;
    expect(row).toBe(`${date},Day,cell-3,stack,down,${date}T10:00:00.000+08:00,${date}T10:05:00.000+08:00,300.0,MAT,operator,"coil empty, waited for the forklift"`);
    const daily = await (await fetch(`${served.url}api/export/daily.csv?date=${date}`)).text();
    const dayRow = daily.split('\r\n').find((l) => l.startsWith(`${date},Day,cell-3,`))!;
    expect(dayRow.endsWith(',MAT,300.0')).toBe(true);
    const history = await (await post('history', { date, shift: 'Day' })).json();
    expect(history.lines[0].losses.stops.find((s: { station: string }) => s.station === 'stack')).toMatchObject({ reason: 'MAT', source: 'operator', codedBy: 'line-lead' });
    expect(history.lines[0].losses.downReasons).toEqual([{ reason: 'MAT', source: 'operator', seconds: 300 }]);

    // A stop that does not exist is refused with words, and audited as invalid.
    const missing = await post('codeStop', { ...code, start: downAt + 1 }, 'op-secret');
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toMatch(/^no down period of station "stack" of line "cell-3" begins at /);

    const diag = await (await post('diagnostics', {})).json();
    expect(diag.writes[0]).toMatchObject({ who: 'line-lead', action: 'codeStop', outcome: 'invalid' });
    expect(diag.writes.find((w: { outcome: string }) => w.outcome === 'ok')).toMatchObject({ who: 'line-lead', role: 'operator', action: 'codeStop', target: code });
  });

  it('keeps a shift note with who and when, and a supervisor applies a configuration version', async () => {
    const note = await post('shiftNote', { date, shift: 'Day', line: 'cell-3', text: 'Stack feeder changed at 10:05.' }, 'op-secret');
    expect(note.status).toBe(200);
    const history = await (await post('history', { date, shift: 'Day' })).json();
    expect(history.lines[0].notes).toEqual([expect.objectContaining({ text: 'Stack feeder changed at 10:05.', by: 'line-lead', shift: 'Day' })]);
    expect((await post('shiftNote', { date, shift: 'Night', line: 'cell-3', text: 'x' }, 'op-secret')).status).toBe(400);

    const changed = { ...config, lines: [{ ...config.lines[0], targetTaktS: 12 }] };
    const applied = await post('applyConfig', { config: changed, effectiveFrom: addDays(date, 2) }, 'sup-secret');
    expect(applied.status).toBe(200);
    expect(await applied.json()).toMatchObject({ ok: true, summary: 'targetTaktS of cell-3: 10 → 12' });
    const bad = await (await post('applyConfig', { config: { ...config, lines: [] }, effectiveFrom: date }, 'sup-secret')).json();
    expect(bad).toEqual({ ok: false, errors: [expect.stringMatching(/^lines: /)], problems: [{ path: 'lines', message: expect.any(String), words: { key: 'problem.too_few', params: { limit: '>=1' } } }] });
    const history2 = await (await post('configHistory', {})).json();
    expect(history2.versions.map((v: { recordedBy: string }) => v.recordedBy)).toEqual(['serve', 'planner']);
  });

  it('acknowledges an andon alert with an operator token only, and the alert keeps who and when', async () => {
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'writes-andon', protocolVersion: 5 });
    await pub.publishAsync('factory/zigong/cell-3/stack/state', JSON.stringify({ ts: Date.now(), seq: 1, boot: 'andon', state: 'down', reason: 'JAM' }), { qos: 1 });
    let alert: { id: number; kind: string; station: string; level: number; ackBy: string | null } | undefined;
    for (let i = 0; i < 100 && !alert; i++) {
      await new Promise((r) => setTimeout(r, 100));
      alert = (await (await fetch(`${served.url}api/live`)).json()).andon.find((a: { kind: string }) => a.kind === 'line_down');
    }
    expect(alert).toMatchObject({ kind: 'line_down', station: 'stack', level: 1, ackBy: null });
    // Diagnostics says what evaluating the andon costs the engine (issue 11): counted, timed, the slowest kept.
    const { andon: cost } = (await (await post('diagnostics', {})).json()).engine;
    expect(cost.evaluations).toBeGreaterThan(0);
    expect(cost.totalMs).toBeGreaterThan(0);
    expect(cost.maxMs).toBeGreaterThanOrEqual(cost.totalMs / cost.evaluations - 0.001);
    expect(cost.maxMs).toBeLessThanOrEqual(cost.totalMs);
    // The engine thread's CPU in them: at most their wall time (its clock ticks coarsely, so a few ms of slack).
    expect(cost.cpuMs).toBeGreaterThanOrEqual(0);
    expect(cost.cpuMs).toBeLessThanOrEqual(cost.totalMs + 10 * cost.evaluations);
    expect((await post('ackAlert', { id: alert!.id })).status).toBe(401);
    expect((await post('ackAlert', { id: alert!.id }, 'view-secret')).status).toBe(403);
    expect((await post('ackAlert', { id: alert!.id }, 'op-secret')).status).toBe(200);
    const acked = (await (await fetch(`${served.url}api/live`)).json()).andon.find((a: { id: number }) => a.id === alert!.id);
    expect(acked).toMatchObject({ ackBy: 'line-lead' });
    // The station runs again: the alert closes by itself.
    await pub.publishAsync('factory/zigong/cell-3/stack/state', JSON.stringify({ ts: Date.now(), seq: 2, boot: 'andon', state: 'running' }), { qos: 1 });
    await pub.endAsync();
    let open = true;
    for (let i = 0; i < 50 && open; i++) {
      await new Promise((r) => setTimeout(r, 100));
      open = (await (await fetch(`${served.url}api/live`)).json()).andon.some((a: { id: number }) => a.id === alert!.id);
    }
    expect(open).toBe(false);
    expect((await post('ackAlert', { id: alert!.id }, 'op-secret')).status).toBe(400);
  });
});
